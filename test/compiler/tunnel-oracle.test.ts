/**
 * The decoder as the oracle for tunnel expressions: over generated stacks (GRE with every C/K/S combination
 * carrying Ethernet, IPv4 or IPv6; VXLAN; Geneve with options; over IPv4 and IPv6; with and without VLAN tags
 * outside and inside; X inside, outside, both or neither; some cut short), `gre and ip host X` and the others
 * select exactly the packets the decoder's layers say they should (rules in support/tunnel-model.ts), in our
 * interpreter, our JS engine and libpcap's bpf_filter running our programs.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { decodePacket } from '../../src/packet/index.js';
import { buildPacket } from '../../src/packet/build/index.js';
import { libpcapAvailable } from '../support/libpcap.js';
import { describeWithOracle } from '../support/oracle.js';
import { tunnelModelVerdict, tunnelQueryText, type TunnelQuery } from './support/tunnel-model.js';
import { runTunnelOracle } from './support/tunnel-oracle.js';
import { arbitraryTunnelPacket, TUNNEL_X } from './support/tunnel-stacks.js';

const hostX = { kind: 'ipHost', address: TUNNEL_X } as const;

/** The expressions of the issue, and the same with outer VLAN tags written. */
const QUERIES: TunnelQuery[] = [
  { steps: [{ kind: 'gre' }], final: hostX },
  { steps: [{ kind: 'vxlan' }], final: hostX },
  { steps: [{ kind: 'geneve' }], final: hostX },
  { steps: [{ kind: 'gre', key: 42 }], final: { kind: 'tcpPort', port: 22 } },
  { steps: [{ kind: 'vxlan', vni: 7 }], final: { kind: 'tcpPort', port: 22 } },
  { steps: [{ kind: 'vlan' }, { kind: 'gre' }], final: hostX },
  { steps: [{ kind: 'vlan' }, { kind: 'vxlan' }], final: hostX },
  { steps: [{ kind: 'vlan', id: 100 }, { kind: 'gre' }], final: hostX },
  { steps: [{ kind: 'vlan' }, { kind: 'vlan' }, { kind: 'geneve' }], final: hostX },
  // VLAN tags inside the tunnel: `vlan` after the tunnel moves its run-time offsets by 4.
  { steps: [{ kind: 'gre' }, { kind: 'vlan' }], final: hostX },
  { steps: [{ kind: 'vxlan' }, { kind: 'vlan' }, { kind: 'vlan' }], final: hostX },
  { steps: [{ kind: 'geneve' }, { kind: 'vlan' }], final: { kind: 'tcpPort', port: 22 } },
  { steps: [{ kind: 'vlan' }, { kind: 'gre' }, { kind: 'vlan', id: 100 }], final: { kind: 'arp' } },
  { steps: [{ kind: 'gre' }, { kind: 'vlan', id: 200 }], final: { kind: 'arp' } },
];

describeWithOracle('tunnels with the decoder as the oracle (interpreter, JS engine, libpcap bpf_filter)', libpcapAvailable(), 'gcc and libpcap-dev', () => {
  const packets = fc.sample(arbitraryTunnelPacket(), { numRuns: 6000, seed: 20261121 });

  it('selects exactly the packets whose decoded inner fields match, in every engine', () => {
    const report = runTunnelOracle(QUERIES, packets);
    process.stderr.write(`tunnel oracle: ${packets.length} packets, ${report.comparisons} comparisons; decoder matches per expression: ${[...report.matches].map(([e, n]) => `${e}: ${n}`).join('; ')}\n`);
    expect(report.mismatches.slice(0, 10)).toEqual([]);
    // Every expression meets packets that match: the test is not vacuous.
    for (const query of QUERIES) expect(report.matches.get(tunnelQueryText(query)) ?? 0, tunnelQueryText(query)).toBeGreaterThanOrEqual(5);
  });

  it('nests: a tunnel inside a tunnel selects by the innermost packet, in every engine', () => {
    const nested = fc.sample(arbitraryTunnelPacket({ nested: true }), { numRuns: 4000, seed: 47 });
    const queries: TunnelQuery[] = [
      { steps: [{ kind: 'gre' }, { kind: 'gre' }], final: hostX },
      { steps: [{ kind: 'gre' }, { kind: 'vxlan' }], final: hostX },
      { steps: [{ kind: 'vxlan' }, { kind: 'gre' }], final: hostX },
      { steps: [{ kind: 'geneve' }, { kind: 'gre' }], final: { kind: 'tcpPort', port: 22 } },
      { steps: [{ kind: 'gre' }, { kind: 'geneve' }], final: hostX },
      { steps: [{ kind: 'vxlan' }, { kind: 'geneve' }], final: hostX },
      // The single-tunnel expressions on nested stacks: the first inner packet is the tunnel's outer IP header.
      { steps: [{ kind: 'gre' }], final: hostX },
      { steps: [{ kind: 'vxlan' }], final: hostX },
    ];
    const report = runTunnelOracle(queries, nested);
    process.stderr.write(`nested tunnel oracle: ${nested.length} packets, ${report.comparisons} comparisons; decoder matches: ${[...report.matches].map(([e, n]) => `${e}: ${n}`).join('; ')}\n`);
    expect(report.mismatches.slice(0, 10)).toEqual([]);
    for (const query of queries) expect(report.matches.get(tunnelQueryText(query)) ?? 0, tunnelQueryText(query)).toBeGreaterThanOrEqual(3);
  });

  it('covers every C/K/S combination, all three GRE payloads, both outer IP versions, tags inside and out, and cuts', () => {
    const seen = new Set<string>();
    for (const packet of packets) {
      const layers = decodePacket(packet.data).layers;
      layers.forEach((layer, i) => {
        if (layer.type === 'gre') {
          seen.add(`gre C${+layer.checksumPresent}K${+layer.keyPresent}S${+layer.sequencePresent}`);
          seen.add(`gre carries ${layer.protocolType.toString(16)}`);
          seen.add(`gre over ${layers[i - 1]?.type}`);
        }
        if (layer.type === 'geneve' && layer.options.length > 0) seen.add('geneve options');
        if (layer.type === 'vxlan') seen.add(`vxlan over ${layers[i - 3]?.type ?? layers[i - 2]?.type}`);
        if (layer.type === 'vlan') seen.add(i === 1 ? 'outer vlan' : 'inner vlan');
      });
      if (packet.data.length < packet.wireLength) seen.add('cut');
    }
    for (const bits of ['C0K0S0', 'C0K0S1', 'C0K1S0', 'C0K1S1', 'C1K0S0', 'C1K0S1', 'C1K1S0', 'C1K1S1']) expect(seen).toContain(`gre ${bits}`);
    for (const what of ['gre carries 800', 'gre carries 86dd', 'gre carries 6558', 'gre over ipv4', 'gre over ipv6', 'geneve options', 'outer vlan', 'inner vlan', 'cut']) expect(seen).toContain(what);
  });

  it('does not match X in the outer header only, nor behind an inner VLAN tag without `vlan`', () => {
    const outerOnly = buildPacket([
      { type: 'ethernet' }, { type: 'ipv4', source: TUNNEL_X, destination: '192.0.2.1' }, { type: 'gre', protocolType: 0x0800 },
      { type: 'ipv4', source: '10.5.5.6', destination: '192.0.2.1' }, { type: 'icmp', icmpType: 8, code: 0 },
    ]);
    const behindTag = buildPacket([
      { type: 'ethernet' }, { type: 'ipv4', source: '192.0.2.1', destination: '192.0.2.2' }, { type: 'gre', protocolType: 0x6558 },
      { type: 'ethernet' }, { type: 'vlan', vlanId: 100 }, { type: 'ipv4', source: TUNNEL_X, destination: '192.0.2.1' },
    ]);
    const packets = [outerOnly, behindTag].map((data, i) => ({ data, wireLength: data.length, label: `aimed ${i}` }));
    const gre = QUERIES[0]!;
    expect(packets.map((p) => tunnelModelVerdict(decodePacket(p.data).layers, gre))).toEqual([false, false]);
    expect(runTunnelOracle([gre], packets).mismatches).toEqual([]);
  });
});
