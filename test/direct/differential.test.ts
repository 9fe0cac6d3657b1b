/**
 * The direct engine as a third engine of the compiler's differential harness: for every corpus expression
 * it compiles, on every link type, its verdict equals libpcap 1.10's unoptimized program run by libpcap's
 * own bpf_filter (pcap_compile -O0 through test/oracle/libpcap-helper.c) on the harness packets, snapped
 * and truncated ones included; and it refuses exactly what pcap_compile -O0 refuses.
 */
import { expect, it } from 'vitest';
import { linkTypeName } from '../../src/capture/linktype.js';
import { libpcapAvailable, libpcapCompile, libpcapRun } from '../support/libpcap.js';
import { describeWithOracle } from '../support/oracle.js';
import { readsUninitializedScratch } from '../compiler/support/differential.js';
import { harnessPackets } from '../compiler/support/packets.js';
import { DIRECT_LINK_TYPES, directCases } from './support/cases.js';

const PACKETS_PER_LINK_TYPE = 150;

describeWithOracle('direct JS engine = libpcap -O0 (pcap_compile + bpf_filter)', libpcapAvailable(), 'gcc and libpcap-dev', () => {
  for (const linkType of DIRECT_LINK_TYPES) {
    it(`gives libpcap's -O0 verdicts and refusals on ${linkTypeName(linkType)}`, () => {
      const cases = directCases(linkType);
      const compiled = libpcapCompile(cases.map((c) => c.expression), { linkType, optimize: false });
      const packets = harnessPackets(linkType, PACKETS_PER_LINK_TYPE);
      const refusals: string[] = [];
      const runs: { index: number; program: typeof compiled[number] & { ok: true } }[] = [];
      let uninitialized = 0;
      cases.forEach((c, index) => {
        const theirs = compiled[index]!;
        // Unsupported expressions (protochain) fall back to BPF; everything else is accepted or refused as libpcap does.
        if (c.refusal?.kind === 'unsupported') return;
        if ((c.refusal === undefined) !== theirs.ok) refusals.push(`${c.expression}: direct ${c.refusal ? `refuses (${c.refusal.message})` : 'accepts'}, libpcap -O0 ${theirs.ok ? 'accepts' : `refuses (${theirs.error})`}`);
        if (!theirs.ok || !c.direct) return;
        // libpcap leaves scratch memory uninitialized: programs reading it before writing have no defined verdict.
        if (readsUninitializedScratch(theirs.program)) { uninitialized++; return; }
        runs.push({ index, program: theirs });
      });
      const verdicts = libpcapRun(runs.map((r) => r.program.program), packets, linkType);
      const mismatches: string[] = [];
      let pairs = 0;
      runs.forEach(({ index }, run) => {
        const c = cases[index]!;
        packets.forEach((packet, p) => {
          pairs++;
          const got = c.direct!.match(packet.data, packet.data.length, packet.wireLength);
          if (got !== verdicts[run]![p] && mismatches.length < 10) mismatches.push(`${c.expression} on ${packet.label}: direct ${got}, libpcap -O0 ${verdicts[run]![p]}`);
        });
      });
      process.stderr.write(`direct vs libpcap ${linkTypeName(linkType)}: ${runs.length} expressions x ${packets.length} packets = ${pairs} pairs (${uninitialized} left out: libpcap reads uninitialized scratch)\n`);
      expect(refusals).toEqual([]);
      expect(mismatches).toEqual([]);
      expect(pairs).toBeGreaterThan(100_000);
      expect(uninitialized).toBeLessThan(5);
    });
  }
});
