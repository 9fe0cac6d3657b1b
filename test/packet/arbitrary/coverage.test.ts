/**
 * The arbitraries build, cover every layer and combination they promise (tunnels with every GRE
 * C/K/S combination and payload, VXLAN, Geneve with options, QinQ with each TPID, MPLS, PPPoE, IPv4
 * fragments and options, IPv6 extension chains, TCP options, ICMP errors quoting IP, ARP, LLC) over
 * every link type, draw from the biased pools often, and damage packets the way they say.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LinkType } from '../../../src/capture/linktype.js';
import {
  ARBITRARY_LINK_TYPES, arbitraryGre, arbitraryPacket, arbitraryStack, IPV4_ADDRESS_POOL, PACKET_MUTATIONS, PORT_POOL, TCP_FLAGS_POOL,
} from '../../../src/packet/arbitrary/index.js';
import type { ArbitraryPacket } from '../../../src/packet/arbitrary/index.js';
import { buildPacketLayers } from '../../../src/packet/build/index.js';
import type { BuiltLayer } from '../../../src/packet/build/index.js';

const FIRST_LAYER: Record<number, BuiltLayer['type'][]> = {
  [LinkType.EN10MB]: ['ethernet'], [LinkType.RAW]: ['ipv4', 'ipv6'], [LinkType.IPV4]: ['ipv4'], [LinkType.IPV6]: ['ipv6'],
  [LinkType.NULL]: ['null'], [LinkType.LOOP]: ['loop'], [LinkType.LINUX_SLL]: ['linuxSll'], [LinkType.LINUX_SLL2]: ['linuxSll2'],
};

function sample(linkType: number, runs: number, seed: number): ArbitraryPacket[] {
  return fc.sample(arbitraryPacket({ linkType, mutations: ['none'] }), { numRuns: runs, seed });
}

describe('arbitraryPacket', () => {
  it('builds for every link type, starting with that link type\'s header, with offsets inside the packet', () => {
    expect([...ARBITRARY_LINK_TYPES].sort()).toEqual(Object.values(LinkType).sort());
    fc.assert(fc.property(arbitraryPacket({ mutations: ['none'] }), (p) => {
      expect(FIRST_LAYER[p.linkType]).toContain(p.stack[0]!.type);
      expect(p.wireLength).toBe(p.data.length);
      expect(p.offsets[0]).toBe(0);
      p.offsets.forEach((o, i) => { if (i > 0) expect(o).toBeGreaterThanOrEqual(p.offsets[i - 1]!); expect(o).toBeLessThanOrEqual(p.data.length); });
      // Rebuilding from the specs gives the same bytes: the packet is a pure function of its specs.
      expect(Buffer.from(buildPacketLayers(p.specs).data).equals(Buffer.from(p.data))).toBe(true);
    }), { numRuns: 300 });
  });

  it('damages packets as each mutation says', () => {
    fc.assert(fc.property(arbitraryPacket({ mutations: PACKET_MUTATIONS }), (p) => {
      const full = buildPacketLayers(p.specs).data;
      switch (p.mutation) {
        case 'none': expect(p.data).toEqual(full); break;
        case 'snapped': expect(p.data.length).toBeLessThan(full.length); expect(p.wireLength).toBe(full.length); expect(p.data).toEqual(full.subarray(0, p.data.length)); break;
        case 'truncated': expect(p.data.length).toBeLessThan(full.length); expect(p.wireLength).toBe(p.data.length); expect(p.data).toEqual(full.subarray(0, p.data.length)); break;
        case 'garbled': expect(p.data.length).toBe(full.length); expect(p.data).not.toEqual(full); break;
        case 'padded': expect(p.data.length).toBeGreaterThan(full.length); expect(p.data.length).toBeGreaterThanOrEqual(60); expect(p.data.subarray(0, full.length)).toEqual(full); expect(p.data.subarray(full.length).every((b) => b === 0)).toBe(true); break;
        case 'corrupted': {
          // One length, type or checksum field was given a value of its own width, and the packet carries it.
          expect(p.data).toEqual(full);
          const { layerIndex, field } = p.corruptedField!;
          const given = (p.specs[layerIndex] as Record<string, unknown>)[field];
          expect(given).toBeDefined();
          expect((p.stack[layerIndex] as Record<string, unknown>)[field]).toEqual(given);
          break;
        }
      }
    }), { numRuns: 300 });
  });

  it('draws every kind of damage by default, mostly none', () => {
    const kinds = fc.sample(arbitraryPacket(), { numRuns: 600, seed: 11 }).map((p) => p.mutation);
    for (const kind of PACKET_MUTATIONS) expect(kinds, kind).toContain(kind);
    expect(kinds.filter((k) => k === 'none').length).toBeGreaterThan(kinds.length / 2);
  });

  it('rejects an unknown link type or an empty list with a clear message', () => {
    expect(() => arbitraryStack(9999)).toThrow(/link type 9999/);
    expect(() => arbitraryPacket({ linkType: [] })).toThrow(/no link type/);
    expect(() => arbitraryPacket({ mutations: [] })).toThrow(/no mutation/);
  });
});

describe('coverage of the stacks', () => {
  const ethernet = sample(LinkType.EN10MB, 1500, 20260121);
  const all = [...ethernet, ...ARBITRARY_LINK_TYPES.filter((l) => l !== LinkType.EN10MB).flatMap((l) => sample(l, 200, l))];
  const layers = all.flatMap((p) => p.stack);
  const of = <T extends BuiltLayer['type']>(type: T): Extract<BuiltLayer, { type: T }>[] => layers.filter((l): l is Extract<BuiltLayer, { type: T }> => l.type === type);

  it('reaches every layer type', () => {
    const types = new Set(layers.map((l) => l.type));
    for (const type of ['ethernet', 'llc', 'vlan', 'mpls', 'pppoe', 'arp', 'ipv4', 'ipv6', 'ipv6Extension', 'ipv6Fragment', 'gre', 'udp', 'tcp', 'icmp', 'icmpv6', 'vxlan', 'geneve', 'linuxSll', 'linuxSll2', 'null', 'loop', 'payload'] as const) {
      expect(types, type).toContain(type);
    }
  });

  it('tunnels: GRE with each C/K/S combination (and the arbitrary alone hits all 8), carrying IPv4, IPv6 and Ethernet; VXLAN; Geneve with options; nesting', () => {
    const gre = of('gre');
    const combos = new Set(fc.sample(arbitraryGre(), { numRuns: 200, seed: 5 }).map((g) => `${g.checksumPresent}${g.keyPresent}${g.sequencePresent}`));
    expect(combos.size).toBe(8);
    expect(new Set(gre.map((g) => `${g.checksumPresent}${g.keyPresent}${g.sequencePresent}`)).size).toBe(8);
    expect(new Set(gre.map((g) => g.protocolType))).toEqual(new Set([0x0800, 0x86dd, 0x6558]));
    expect(of('vxlan').length).toBeGreaterThan(0);
    expect(of('geneve').some((g) => g.options.length > 0)).toBe(true);
    expect(of('geneve').some((g) => g.critical)).toBe(true);
    const tunnelCount = (p: ArbitraryPacket): number => p.stack.filter((l) => l.type === 'gre' || l.type === 'vxlan' || l.type === 'geneve').length;
    expect(all.some((p) => tunnelCount(p) >= 2)).toBe(true);
  });

  it('link layers: VLAN with each TPID, QinQ, MPLS stacks, PPPoE sessions, LLC with and without SNAP', () => {
    expect(new Set(of('vlan').map((v) => v.tpid))).toEqual(new Set([0x8100, 0x88a8, 0x9100]));
    expect(ethernet.some((p) => p.stack[1]?.type === 'vlan' && p.stack[2]?.type === 'vlan')).toBe(true);
    expect(ethernet.some((p) => p.stack.filter((l) => l.type === 'mpls').length >= 2)).toBe(true);
    expect(of('pppoe').every((p) => (p.code === 0) === (p.pppProtocol !== undefined))).toBe(true);
    expect(of('pppoe').some((p) => p.code === 0)).toBe(true);
    expect(of('pppoe').some((p) => p.code !== 0)).toBe(true);
    expect(of('llc').some((l) => l.snapOui === 0)).toBe(true);
    expect(of('llc').some((l) => l.snapOui === undefined)).toBe(true);
  });

  it('IPv4 fragments (DF, MF, non-first) and options; IPv6 extension chains with each header type', () => {
    const ipv4 = of('ipv4');
    expect(ipv4.some((i) => i.dontFragment)).toBe(true);
    expect(ipv4.some((i) => i.moreFragments && i.fragOffset === 0)).toBe(true);
    expect(ipv4.some((i) => i.fragOffset > 0)).toBe(true);
    expect(ipv4.some((i) => i.options.length > 0)).toBe(true);
    expect(new Set(of('ipv6Extension').map((e) => e.headerType))).toEqual(new Set([0, 43, 51, 60]));
    expect(of('ipv6Fragment').some((f) => f.fragOffset > 0)).toBe(true);
    expect(all.some((p) => p.stack.filter((l) => l.type === 'ipv6Extension' || l.type === 'ipv6Fragment').length >= 3)).toBe(true);
  });

  it('transports: TCP options, ICMP errors quoting an IPv4 header, ICMPv6, ARP requests and replies', () => {
    expect(of('tcp').some((t) => t.options.length > 0 && t.dataOffset > 5)).toBe(true);
    expect(all.some((p) => p.stack.some((l, i) => l.type === 'icmp' && l.icmpType === 3 && p.stack[i + 1]?.type === 'ipv4'))).toBe(true);
    expect(of('icmpv6').length).toBeGreaterThan(0);
    expect(new Set(of('arp').map((a) => a.operation))).toEqual(new Set([1, 2, 3, 4]));
    expect(of('arp').some((a) => a.senderProtocolAddress === a.targetProtocolAddress)).toBe(true);
  });

  it('is biased toward the values filters test', () => {
    const ipv4 = of('ipv4');
    const pooled = ipv4.filter((i) => IPV4_ADDRESS_POOL.includes(i.source) || i.source.startsWith('10.10.') || i.source.startsWith('10.18.0.'));
    expect(pooled.length / ipv4.length).toBeGreaterThan(0.5);
    expect(ipv4.some((i) => i.source === '10.5.5.5' || i.destination === '10.5.5.5')).toBe(true);
    const ports = [...of('tcp'), ...of('udp')].flatMap((t) => [t.sourcePort, t.destinationPort]);
    expect(ports.filter((p) => PORT_POOL.includes(p) || p <= 512).length / ports.length).toBeGreaterThan(0.5);
    for (const port of [22, 53, 67, 68, 80, 443, 1234]) expect(ports, `port ${port}`).toContain(port);
    const flags = of('tcp').map((t) => t.flags);
    for (const f of TCP_FLAGS_POOL) expect(flags, `flags ${f}`).toContain(f);
    const icmp = of('icmp').map((i) => `${i.icmpType}/${i.code}`);
    for (const tc of ['8/0', '0/0', '3/4']) expect(icmp).toContain(tc);
    const macs = of('ethernet').flatMap((e) => [e.source, e.destination]);
    for (const mac of ['ff:ff:ff:ff:ff:ff', '00:00:5e:00:01:6e']) expect(macs).toContain(mac);
    expect(macs.some((m) => (parseInt(m.slice(0, 2), 16) & 1) === 1 && m !== 'ff:ff:ff:ff:ff:ff')).toBe(true);
  });
});
