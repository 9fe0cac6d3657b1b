/**
 * `gre [key]` (our extension; libpcap 1.10 has none): for inner frames wrapped in Ethernet / IPv4 or IPv6
 * / GRE with every C, K, S combination, `gre and (E)` must give libpcap's verdict of `E` on the bare inner
 * frame: an Ethernet frame (GRE protocol 0x6558) on EN10MB, an IP packet (0x0800 / 0x86dd) on RAW.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { compileToJs } from '../../src/bpf/index.js';
import { LinkType } from '../../src/capture/linktype.js';
import { CompileError, compileFilter } from '../../src/compiler/index.js';
import { arbitraryPacket } from '../../src/packet/arbitrary/index.js';
import { buildPacket, type BuildLayerSpec } from '../../src/packet/build/index.js';
import { libpcapAvailable, libpcapCompile, libpcapRun } from '../support/libpcap.js';
import { describeWithOracle } from '../support/oracle.js';
import { loadCompilerCorpus } from './support/corpus.js';
import { aimedEthernetStacks } from './support/packets.js';

/** Corpus expressions about the inner frame (lengths differ outside; offsets near 2^32 wrap differently once relative). */
const corpus = loadCompilerCorpus().map((e) => e.expression)
  .filter((e) => !/\b(geneve|vxlan|protochain|len|less|greater|inbound|outbound|ifindex)\b/.test(e) && !/\[\s*(4294967|0x7fffffff)/.test(e));

interface Flags { checksumPresent: boolean; keyPresent: boolean; sequencePresent: boolean; key: number }

const wrap = (inner: Uint8Array, protocolType: number, overIpv6: boolean, flags: Flags, outerTag = false): Uint8Array => buildPacket([
  { type: 'ethernet', source: '02:00:00:00:00:01', destination: '02:00:00:00:00:02' },
  ...(outerTag ? [{ type: 'vlan', vlanId: 10 }] : []),
  overIpv6 ? { type: 'ipv6', source: '2001:db8::1', destination: '2001:db8::2' } : { type: 'ipv4', source: '172.16.8.3', destination: '167.99.219.77' },
  { type: 'gre', protocolType, checksumPresent: flags.checksumPresent, keyPresent: flags.keyPresent, sequencePresent: flags.sequencePresent, ...(flags.keyPresent ? { key: flags.key } : {}), ...(flags.sequencePresent ? { sequenceNumber: 99 } : {}) },
  { type: 'payload', data: inner },
] as BuildLayerSpec[]);

const FLAG_SETS: Flags[] = [0, 1, 2, 3, 4, 5, 6, 7].map((bits) => ({ checksumPresent: (bits & 4) !== 0, keyPresent: (bits & 2) !== 0, sequencePresent: (bits & 1) !== 0, key: 7 }));

/**
 * Checks `gre and (E)` on wrapped inner packets against libpcap's `E` on the bare ones (with `outerTag`,
 * `vlan and gre and (E)` on frames with an outer VLAN tag); returns how many verdicts accepted and which E compiled.
 */
function check(innerLinkType: number, inners: Uint8Array[], protocolOf: (inner: Uint8Array) => number, outerTag = false, expressions = corpus): { accepted: number; usable: string[] } {
  const usable: string[] = [];
  const ours = new Map<string, ReturnType<typeof compileToJs>>();
  for (const expression of expressions) {
    try {
      ours.set(expression, compileToJs(compileFilter(`${outerTag ? 'vlan and ' : ''}gre and (${expression})`)));
      usable.push(expression);
    } catch (error) {
      if (!(error instanceof CompileError)) throw error;
    }
  }
  const theirs = libpcapCompile(usable, { linkType: innerLinkType === LinkType.RAW ? 12 : innerLinkType });
  const compared = usable.filter((_, i) => theirs[i]!.ok);
  const results = libpcapRun(theirs.flatMap((r) => (r.ok ? [r.program] : [])), inners.map((data) => ({ data })), innerLinkType);
  let accepted = 0;
  const mismatches: string[] = [];
  compared.forEach((expression, i) => {
    const run = ours.get(expression)!;
    inners.forEach((inner, p) => {
      const expected = results[i]![p]! !== 0;
      if (expected) accepted++;
      const flags = FLAG_SETS[(p + i) % FLAG_SETS.length]!;
      const outer = wrap(inner, protocolOf(inner), p % 2 === 1, flags, outerTag);
      if ((run(outer, outer.length, outer.length) !== 0) !== expected && mismatches.length < 10) mismatches.push(`${expression} on inner #${p} (flags ${JSON.stringify(flags)}): libpcap on the bare frame says ${expected}`);
    });
  });
  expect(mismatches).toEqual([]);
  return { accepted, usable };
}

describeWithOracle('compiler gre (inner verdicts against libpcap on the bare frames)', libpcapAvailable(), 'gcc and libpcap-dev', () => {
  it('looks inside GRE carrying Ethernet (0x6558) as libpcap looks at the frame', () => {
    const inners = fc.sample(arbitraryPacket({ linkType: LinkType.EN10MB, mutations: ['none'] }), { numRuns: 80, seed: 6558 }).map((p) => p.data);
    expect(check(LinkType.EN10MB, inners, () => 0x6558).accepted).toBeGreaterThan(300);
  });

  it('moves its run-time offsets for vlan, mpls and pppoes inside, with an outer VLAN tag too (vlan and gre and vlan 100 and arp)', () => {
    // Tagged, labelled and PPPoE inner frames (the harness's aimed stacks), each also cut at every fourth byte.
    const aimed = aimedEthernetStacks().map((stack) => buildPacket(stack));
    const inners = [...aimed, ...aimed.flatMap((data) => Array.from({ length: Math.floor(data.length / 6) }, (_, i) => data.slice(0, i * 6)))];
    const encapsulations = ['vlan 100 and arp', 'vlan 100 and vlan 200 and ip host 10.5.5.5', ...corpus.filter((e) => /\b(vlan|mpls|pppoes)\b/.test(e))];
    for (const outerTag of [false, true]) {
      const { accepted, usable } = check(LinkType.EN10MB, inners, () => 0x6558, outerTag, encapsulations);
      for (const expression of ['vlan 100 and arp', 'vlan 10 and ip', 'vlan 100 and vlan 200 and tcp', 'vlan and arp', 'mpls 16 and ip', 'mpls and mpls', 'vlan and pppoes and ip', 'vlan and mpls']) {
        expect(usable, expression).toContain(expression);
      }
      expect(accepted).toBeGreaterThan(300);
    }
  });

  it('looks inside GRE carrying IP (0x0800, 0x86dd) as libpcap looks at raw IP', () => {
    const inners = fc.sample(arbitraryPacket({ linkType: LinkType.RAW, mutations: ['none'] }), { numRuns: 80, seed: 800 }).map((p) => p.data);
    expect(check(LinkType.RAW, inners, (inner) => ((inner[0]! >> 4) === 6 ? 0x86dd : 0x0800)).accepted).toBeGreaterThan(300);
  });

  it('matches a key only with the K bit set and that key, wherever C puts it', () => {
    const inner = buildPacket([{ type: 'ipv4', source: '10.5.5.5' }, { type: 'tcp', destinationPort: 80 }]);
    const run = compileToJs(compileFilter('gre 7 and tcp port 80'));
    for (const flags of FLAG_SETS) {
      for (const overIpv6 of [false, true]) {
        const packet = wrap(inner, 0x0800, overIpv6, flags);
        expect(run(packet, packet.length, packet.length) !== 0, JSON.stringify(flags)).toBe(flags.keyPresent);
        const other = wrap(inner, 0x0800, overIpv6, { ...flags, key: 8 });
        expect(run(other, other.length, other.length)).toBe(0);
      }
    }
  });
});
