/**
 * `vxlan [vni]` (our extension; libpcap 1.10 has no vxlan to compare with): for inner Ethernet frames
 * wrapped in Ethernet / IPv4 or IPv6 / UDP 4789 / VXLAN, `vxlan VNI and (E)` on the wrapped frame must
 * give the verdict libpcap gives `E` on the bare inner frame, for corpus expressions E.
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

/** Corpus expressions about the inner frame (lengths differ outside; protochain after vxlan is in tunnel-protochain-llc.test.ts). */
const candidates = loadCompilerCorpus().map((e) => e.expression).filter((e) =>
  !/\b(geneve|vxlan|protochain|len|less|greater|inbound|outbound|ifindex)\b/.test(e) && !/\[\s*(4294967|0x7fffffff)/.test(e));

const wrap = (inner: Uint8Array, overIpv6: boolean, vni: number): Uint8Array => buildPacket([
  { type: 'ethernet', source: '02:00:00:00:00:01', destination: '02:00:00:00:00:02' },
  overIpv6 ? { type: 'ipv6', source: '2001:db8::1', destination: '2001:db8::2' } : { type: 'ipv4', source: '172.16.8.3', destination: '167.99.219.77' },
  { type: 'udp', sourcePort: 50000, destinationPort: 4789 },
  { type: 'vxlan', vni },
  { type: 'payload', data: inner },
] as BuildLayerSpec[]);

describeWithOracle('compiler vxlan (inner verdicts against libpcap on the bare frames)', libpcapAvailable(), 'gcc and libpcap-dev', () => {
  const inners = fc.sample(arbitraryPacket({ linkType: LinkType.EN10MB, mutations: ['none', 'corrupted'] }), { numRuns: 150, seed: 4789 }).map((p) => p.data);

  it('gives libpcap\'s verdict of the inner expression on the inner frame', () => {
    const usable: string[] = [];
    const programs = new Map<string, ReturnType<typeof compileToJs>>();
    for (const expression of candidates) {
      try {
        programs.set(expression, compileToJs(compileFilter(`vxlan 7 and (${expression})`)));
        usable.push(expression);
      } catch (error) {
        if (!(error instanceof CompileError)) throw error;
      }
    }
    expect(usable.length).toBeGreaterThan(500);
    expect(usable).toContain('vlan and tcp port 80');
    expect(usable).toContain('ether host 00:00:5e:00:01:6e');
    const theirs = libpcapCompile(usable, { linkType: LinkType.EN10MB });
    const compared = usable.filter((_, i) => theirs[i]!.ok);
    const results = libpcapRun(theirs.flatMap((r) => (r.ok ? [r.program] : [])), inners.map((data) => ({ data })));
    let accepted = 0;
    compared.forEach((expression, i) => {
      const run = programs.get(expression)!;
      inners.forEach((inner, p) => {
        const expected = results[i]![p]! !== 0;
        if (expected) accepted++;
        for (const overIpv6 of [false, true]) {
          const outer = wrap(inner, overIpv6, 7);
          expect(run(outer, outer.length, outer.length) !== 0, `${expression} on inner #${p} (over ${overIpv6 ? 'IPv6' : 'IPv4'})`).toBe(expected);
        }
      });
    });
    expect(accepted).toBeGreaterThan(500);
  });

  it('rejects another VNI, another port and a later IPv4 fragment', () => {
    const inner = buildPacket([{ type: 'ethernet' }, { type: 'ipv4', source: '10.5.5.5' }, { type: 'tcp', destinationPort: 80 }]);
    const run = compileToJs(compileFilter('vxlan 7 and tcp port 80'));
    const good = wrap(inner, false, 7);
    expect(run(good, good.length, good.length)).not.toBe(0);
    const otherVni = wrap(inner, false, 8);
    expect(run(otherVni, otherVni.length, otherVni.length)).toBe(0);
    const otherPort = buildPacket([{ type: 'ethernet' }, { type: 'ipv4' }, { type: 'udp', destinationPort: 4790 }, { type: 'vxlan', vni: 7 }, { type: 'payload', data: inner }] as BuildLayerSpec[]);
    expect(run(otherPort, otherPort.length, otherPort.length)).toBe(0);
    const fragment = buildPacket([{ type: 'ethernet' }, { type: 'ipv4', fragOffset: 100 }, { type: 'udp', destinationPort: 4789 }, { type: 'vxlan', vni: 7 }, { type: 'payload', data: inner }] as BuildLayerSpec[]);
    expect(run(fragment, fragment.length, fragment.length)).toBe(0);
    const any = compileToJs(compileFilter('vxlan'));
    expect(any(otherVni, otherVni.length, otherVni.length)).not.toBe(0);
  });

  it('refuses a VNI above 24 bits and protochain after an inner geneve; tunnels nest (nested-tunnels.test.ts, tunnel-protochain-llc.test.ts)', () => {
    expect(() => compileFilter('vxlan 16777216')).toThrow(CompileError);
    expect(() => compileFilter('vxlan and geneve and protochain 6')).toThrow("'protochain' not supported with variable length headers");
    expect(compileFilter('vxlan and geneve').length).toBeGreaterThan(0);
  });
});
