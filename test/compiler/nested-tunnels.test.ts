/**
 * Nested tunnels (`gre and vxlan and …`, `vxlan and gre and …`, `gre and gre and …`, geneve in either):
 * an inner Ethernet frame wrapped twice (each tunnel over IPv4 or IPv6, GRE with varying C/K/S bits, Geneve
 * with options, sometimes a VLAN tag between the tunnels) must get, from `T1 and T2 and (E)`, the verdict
 * libpcap gives `E` on the bare inner frame, for corpus expressions E. `geneve and geneve` is also in the
 * differential corpus, against libpcap's own nesting.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { compileToJs, createInterpreter } from '../../src/bpf/index.js';
import { LinkType } from '../../src/capture/linktype.js';
import { CompileError, compileFilter } from '../../src/compiler/index.js';
import { arbitraryPacket } from '../../src/packet/arbitrary/index.js';
import { buildPacket, type BuildLayerSpec } from '../../src/packet/build/index.js';
import { libpcapAvailable, libpcapCompile, libpcapRun } from '../support/libpcap.js';
import { describeWithOracle } from '../support/oracle.js';
import { loadCompilerCorpus } from './support/corpus.js';
import { aimedEthernetStacks } from './support/packets.js';

type Tunnel = 'gre' | 'vxlan' | 'geneve';

/** Corpus expressions about the inner frame (lengths differ outside; link-level fields are refused after gre/geneve). */
const corpus = loadCompilerCorpus().map((e) => e.expression)
  .filter((e) => !/\b(geneve|protochain|len|less|greater|inbound|outbound|ifindex)\b/.test(e) && !/\[\s*(4294967|0x7fffffff)/.test(e));

/** The layers of one tunnel (over IPv4 or IPv6) carrying an Ethernet frame; `variant` picks the IP version and GRE bits / Geneve options. */
function tunnelLayers(tunnel: Tunnel, variant: number): BuildLayerSpec[] {
  const ip: BuildLayerSpec = variant % 2 === 0 ? { type: 'ipv4', source: '172.16.8.3', destination: '167.99.219.77' } : { type: 'ipv6', source: '2001:db8::1', destination: '2001:db8::2' };
  const bits = (variant >> 1) & 7;
  switch (tunnel) {
    case 'gre': return [ip, { type: 'gre', protocolType: 0x6558, checksumPresent: (bits & 4) !== 0, keyPresent: (bits & 2) !== 0, sequencePresent: (bits & 1) !== 0, ...((bits & 2) !== 0 ? { key: 42 } : {}), ...((bits & 1) !== 0 ? { sequenceNumber: 9 } : {}) }];
    case 'vxlan': return [ip, { type: 'udp', sourcePort: 50000, destinationPort: 4789 }, { type: 'vxlan', vni: 7 }];
    case 'geneve': return [ip, { type: 'udp', sourcePort: 50000, destinationPort: 6081 }, { type: 'geneve', vni: 7, protocolType: 0x6558, options: bits & 1 ? [{ optionClass: 0x0102, type: 0x80, data: new Uint8Array(4 * (bits >> 1)) }] : [] }];
  }
}

const ethernet = (n: number): BuildLayerSpec => ({ type: 'ethernet', source: `02:00:00:00:00:0${n}`, destination: '02:00:00:00:00:0f' });

/** `inner` wrapped in Ethernet / T1 / Ethernet [/ VLAN] / T2. */
function wrapTwice(inner: Uint8Array, first: Tunnel, second: Tunnel, variant: number, tagBetween: boolean): Uint8Array {
  return buildPacket([
    ethernet(1), ...tunnelLayers(first, variant), ethernet(2), ...(tagBetween ? [{ type: 'vlan', vlanId: 300 } as BuildLayerSpec] : []),
    ...tunnelLayers(second, variant >> 1), { type: 'payload', data: inner },
  ]);
}

const PAIRS: [Tunnel, Tunnel][] = [['gre', 'gre'], ['gre', 'vxlan'], ['vxlan', 'gre'], ['vxlan', 'vxlan'], ['geneve', 'gre'], ['gre', 'geneve'], ['vxlan', 'geneve'], ['geneve', 'vxlan'], ['geneve', 'geneve']];

describeWithOracle('nested tunnels (inner verdicts against libpcap on the bare frames)', libpcapAvailable(), 'gcc and libpcap-dev', () => {
  const sampled = fc.sample(arbitraryPacket({ linkType: LinkType.EN10MB, mutations: ['none'] }), { numRuns: 30, seed: 4242 }).map((p) => p.data);
  const inners = [...sampled, ...aimedEthernetStacks().slice(0, 10).map((stack) => buildPacket(stack))];
  const theirs = libpcapCompile(corpus, { linkType: LinkType.EN10MB });
  const compared = corpus.filter((_, i) => theirs[i]!.ok);
  const bare = libpcapRun(theirs.flatMap((r) => (r.ok ? [r.program] : [])), inners.map((data) => ({ data })));

  for (const [first, second] of PAIRS) {
    it(`${first} and ${second} and (E) gives libpcap's E on the inner frame`, () => {
      const mismatches: string[] = [];
      let usable = 0;
      let accepted = 0;
      compared.forEach((expression, i) => {
        // Every other expression with a VLAN tag between the tunnels.
        for (const tagBetween of [i % 2 === 1]) {
          const text = `${first} and ${tagBetween ? 'vlan 300 and ' : ''}${second} and (${expression})`;
          let program;
          try {
            program = compileFilter(text);
          } catch (error) {
            if (!(error instanceof CompileError)) throw error;
            // Only primitives refused after any tunnel (link-level fields after gre/geneve, which may carry no Ethernet).
            expect(error.message, text).toMatch(/not supported by this compiler yet/);
            continue;
          }
          usable++;
          const js = compileToJs(program);
          const interpreter = createInterpreter(program);
          inners.forEach((inner, p) => {
            const expected = bare[i]![p]! !== 0;
            if (expected) accepted++;
            const packet = wrapTwice(inner, first, second, p + i, tagBetween);
            for (const [engine, run] of [['js', js], ['interpreter', interpreter]] as const) {
              if ((run(packet, packet.length, packet.length) !== 0) !== expected && mismatches.length < 10) mismatches.push(`${engine}: ${text} on inner #${p}: libpcap on the bare frame says ${expected}`);
            }
          });
        }
      });
      expect(mismatches).toEqual([]);
      expect(usable).toBeGreaterThan(350);
      expect(accepted).toBeGreaterThan(500);
    });
  }

  it('nests three deep and runs the same in libpcap\'s bpf_filter', () => {
    const expressions = ['gre and vxlan and geneve and ip host 10.5.5.5', 'vxlan and gre and gre and tcp port 80', 'geneve and vxlan and vlan and gre and arp'];
    const inner = buildPacket([ethernet(3), { type: 'ipv4', source: '10.5.5.5', destination: '10.0.0.1' }, { type: 'tcp', sourcePort: 80, destinationPort: 1234 }]);
    const arp = buildPacket([ethernet(3), { type: 'arp', operation: 1 }]);
    const packets = [
      buildPacket([ethernet(1), ...tunnelLayers('gre', 0), ethernet(2), ...tunnelLayers('vxlan', 1), ethernet(4), ...tunnelLayers('geneve', 6), { type: 'payload', data: inner }]),
      buildPacket([ethernet(1), ...tunnelLayers('vxlan', 1), ethernet(2), ...tunnelLayers('gre', 14), ethernet(4), ...tunnelLayers('gre', 3), { type: 'payload', data: inner }]),
      buildPacket([ethernet(1), ...tunnelLayers('geneve', 0), ethernet(2), ...tunnelLayers('vxlan', 0), ethernet(4), { type: 'vlan', vlanId: 5 }, ...tunnelLayers('gre', 5), { type: 'payload', data: arp }]),
    ];
    const programs = expressions.map((e) => compileFilter(e));
    const libpcap = libpcapRun(programs, packets.map((data) => ({ data })));
    expressions.forEach((expression, i) => {
      packets.forEach((packet, p) => {
        const expected = i === p;
        expect(libpcap[i]![p]! !== 0, `${expression} on packet ${p} in bpf_filter`).toBe(expected);
        expect(compileToJs(programs[i]!)(packet, packet.length, packet.length) !== 0, `${expression} on packet ${p}`).toBe(expected);
      });
      // Cut short before the inner fields, the packet it matches is rejected by every engine (never a fault, never a false match).
      const whole = packets[i]!;
      const cuts = Array.from({ length: Math.ceil((whole.length - 40) / 3) }, (_, c) => whole.slice(0, c * 3));
      expect(libpcapRun([programs[i]!], cuts.map((data) => ({ data, wireLength: whole.length })))[0]!.every((v) => v === 0)).toBe(true);
      const interpreter = createInterpreter(programs[i]!);
      for (const cut of cuts) expect(interpreter(cut, cut.length, whole.length)).toBe(0);
    });
  });
});
