/**
 * Packets for the differential harness: fast-check stacks over each link type (deterministic seed),
 * with every kind of damage (snapped, truncated, corrupted, garbled, padded), plus aimed stacks for
 * the encapsulations the corpus shifts through (VLAN, QinQ, MPLS, PPPoE, LLC) on Ethernet.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { readCaptureSync } from '../../../src/capture/index.js';
import { LinkType } from '../../../src/capture/linktype.js';
import { arbitraryPacket } from '../../../src/packet/arbitrary/index.js';
import { buildPacket } from '../../../src/packet/build/index.js';
import type { BuildLayerSpec as LayerSpec } from '../../../src/packet/build/index.js';
import type { OraclePacket } from '../../support/libpcap.js';
import { repositoryRoot } from './corpus.js';
import { decnetIsisPackets } from './decnet-isis-packets.js';

/** Every record of the corpus captures (corpus/*.pcap, *.pcapng) of `linkType`, labelled by file and frame. */
export function corpusCapturePackets(linkType: number): HarnessPacket[] {
  const directory = join(repositoryRoot, 'corpus');
  const packets: HarnessPacket[] = [];
  for (const file of readdirSync(directory).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort()) {
    const { records } = readCaptureSync(new Uint8Array(readFileSync(join(directory, file))));
    records.forEach((record, i) => {
      if (record.linkType === linkType) packets.push({ data: record.data, wireLength: record.wireLength, label: `${file} frame ${i + 1}` });
    });
  }
  return packets;
}

/** A packet for both libpcap and our engines. */
export interface HarnessPacket extends OraclePacket { wireLength: number; label: string }

/** Stacks aimed at the corpus's fields on Ethernet: tagged, labelled and PPPoE frames with the scenario addresses. */
export function aimedEthernetStacks(): LayerSpec[][] {
  const eth = (etherType?: number): LayerSpec => ({ type: 'ethernet', destination: 'ff:ff:ff:ff:ff:ff', source: '00:00:5e:00:01:6e', ...(etherType === undefined ? {} : { etherType }) });
  const ip: LayerSpec = { type: 'ipv4', source: '10.5.5.5', destination: '10.10.0.5' };
  const ip6: LayerSpec = { type: 'ipv6', source: '2001:db8::1', destination: '::1' };
  const tcp: LayerSpec = { type: 'tcp', sourcePort: 80, destinationPort: 1234, flags: 0x02 };
  const udp: LayerSpec = { type: 'udp', sourcePort: 53, destinationPort: 67 };
  const payload: LayerSpec = { type: 'payload', data: new Uint8Array([1, 2]) };
  return [
    [eth(), { type: 'vlan', vlanId: 10 }, ip, tcp, payload],
    [eth(), { type: 'vlan', vlanId: 10 }, { type: 'vlan', vlanId: 20 }, ip, udp, payload],
    [eth(), { type: 'vlan', tpid: 0x88a8, vlanId: 100 }, { type: 'vlan', vlanId: 200 }, ip, tcp],
    [eth(), { type: 'vlan', vlanId: 4095 }, ip6, udp, payload],
    [eth(), { type: 'mpls', label: 16, bottomOfStack: true }, ip, tcp],
    [eth(), { type: 'mpls', label: 1, bottomOfStack: false }, { type: 'mpls', label: 2, bottomOfStack: true }, ip, udp],
    [eth(), { type: 'mpls', label: 5, bottomOfStack: true }, ip6, tcp],
    [eth(), { type: 'pppoe', sessionId: 3 }, ip, tcp, payload],
    [eth(), { type: 'pppoe', sessionId: 3 }, ip6, udp],
    [eth(), { type: 'vlan', vlanId: 10 }, { type: 'pppoe', sessionId: 3 }, ip, tcp],
    [eth(), { type: 'vlan', vlanId: 10 }, { type: 'mpls', label: 5, bottomOfStack: true }, ip, udp],
    [eth(), ip, { type: 'gre', keyPresent: true, key: 7, protocolType: 0x6558 }, eth(), { ...ip, source: '10.5.5.5' }, { type: 'icmp', icmpType: 8, code: 0 }],
    [eth(), ip, { type: 'udp', sourcePort: 50000, destinationPort: 4789 }, { type: 'vxlan', vni: 7 }, eth(), ip, tcp],
    // Geneve (UDP 6081) carrying Ethernet or IPv4 directly, with options, over IPv4 and IPv6.
    [eth(), ip, { type: 'udp', sourcePort: 50000, destinationPort: 6081 }, { type: 'geneve', vni: 7, protocolType: 0x6558 }, eth(), ip, tcp, payload],
    [eth(), ip, { type: 'udp', sourcePort: 50000, destinationPort: 6081 }, { type: 'geneve', vni: 7, protocolType: 0x0800, options: [{ optionClass: 0x0102, type: 0x80, data: new Uint8Array(4) }] }, ip, udp],
    [eth(), ip6, { type: 'udp', sourcePort: 50000, destinationPort: 6081 }, { type: 'geneve', vni: 9, protocolType: 0x86dd }, ip6, tcp],
    [eth(), { type: 'vlan', vlanId: 10 }, ip, { type: 'udp', sourcePort: 50000, destinationPort: 6081 }, { type: 'geneve', vni: 7, protocolType: 0x6558 }, eth(), ip, { type: 'icmp', icmpType: 8, code: 0 }],
    // Geneve carrying Ethernet with VLAN tags, MPLS labels and PPPoE inside (libpcap moves its run-time offsets for them).
    ...[ip, ip6].flatMap((outer) => [
      [eth(), outer, { type: 'udp', sourcePort: 50000, destinationPort: 6081 }, { type: 'geneve', vni: 7, protocolType: 0x6558 }, eth(), { type: 'vlan', vlanId: 100 }, { type: 'arp', operation: 1 }],
      [eth(), outer, { type: 'udp', sourcePort: 50000, destinationPort: 6081 }, { type: 'geneve', vni: 7, protocolType: 0x6558 }, eth(), { type: 'vlan', vlanId: 100 }, { type: 'vlan', vlanId: 200 }, ip, tcp],
      [eth(), outer, { type: 'udp', sourcePort: 50000, destinationPort: 6081 }, { type: 'geneve', vni: 7, protocolType: 0x6558 }, eth(), { type: 'vlan', vlanId: 100 }, ip6, udp],
      [eth(), outer, { type: 'udp', sourcePort: 50000, destinationPort: 6081 }, { type: 'geneve', vni: 7, protocolType: 0x6558 }, eth(), { type: 'mpls', label: 5, bottomOfStack: true }, ip, tcp],
      [eth(), outer, { type: 'udp', sourcePort: 50000, destinationPort: 6081 }, { type: 'geneve', vni: 7, protocolType: 0x6558 }, eth(), { type: 'vlan', vlanId: 100 }, { type: 'mpls', label: 16, bottomOfStack: true }, ip, tcp],
      [eth(), outer, { type: 'udp', sourcePort: 50000, destinationPort: 6081 }, { type: 'geneve', vni: 7, protocolType: 0x6558 }, eth(), { type: 'mpls', label: 1, bottomOfStack: false }, { type: 'mpls', label: 2, bottomOfStack: true }, ip, udp],
      [eth(), outer, { type: 'udp', sourcePort: 50000, destinationPort: 6081 }, { type: 'geneve', vni: 7, protocolType: 0x6558 }, eth(), { type: 'pppoe', sessionId: 3 }, ip, tcp],
      [eth(), outer, { type: 'udp', sourcePort: 50000, destinationPort: 6081 }, { type: 'geneve', vni: 7, protocolType: 0x6558 }, eth(), { type: 'pppoe', sessionId: 3 }, ip6, udp],
    ] as LayerSpec[][]),
    // Geneve inside geneve (libpcap 1.10 nests them too), with VLAN tags between.
    [eth(), ip, { type: 'udp', sourcePort: 50000, destinationPort: 6081 }, { type: 'geneve', vni: 7, protocolType: 0x6558 }, eth(), ip6, { type: 'udp', sourcePort: 50000, destinationPort: 6081 }, { type: 'geneve', vni: 9, protocolType: 0x6558 }, eth(), { type: 'vlan', vlanId: 100 }, { type: 'arp', operation: 1 }],
    [eth(), ip, { type: 'udp', sourcePort: 50000, destinationPort: 6081 }, { type: 'geneve', vni: 7, protocolType: 0x6558 }, eth(), ip, { type: 'udp', sourcePort: 50000, destinationPort: 6081 }, { type: 'geneve', vni: 8, protocolType: 0x0800, options: [{ optionClass: 0x0102, type: 0x80, data: new Uint8Array(4) }] }, ip, tcp],
    [eth(), { type: 'vlan', vlanId: 10 }, ip, { type: 'udp', sourcePort: 50000, destinationPort: 6081 }, { type: 'geneve', vni: 7, protocolType: 0x6558 }, eth(), { type: 'vlan', vlanId: 20 }, ip, { type: 'udp', sourcePort: 50000, destinationPort: 6081 }, { type: 'geneve', vni: 7, protocolType: 0x6558 }, eth(), ip, udp],
    [eth(), ip6, { type: 'udp', sourcePort: 50000, destinationPort: 6081 }, { type: 'geneve', vni: 7, protocolType: 0x86dd }, ip6, { type: 'udp', sourcePort: 50000, destinationPort: 6081 }, { type: 'geneve', vni: 9, protocolType: 0x86dd }, ip6, tcp],
    [eth(), ip, { type: 'udp', sourcePort: 50000, destinationPort: 6081 }, { type: 'geneve', vni: 7, protocolType: 0x6558 }, eth(), { type: 'mpls', label: 5, bottomOfStack: true }, ip, { type: 'udp', sourcePort: 50000, destinationPort: 6081 }, { type: 'geneve', vni: 7, protocolType: 0x0800 }, ip, udp],
    // IPv6 extension chains and AH for protochain.
    [eth(), ip6, { type: 'ipv6Extension', headerType: 0 }, { type: 'ipv6Extension', headerType: 60 }, tcp],
    [eth(), ip6, { type: 'ipv6Extension', headerType: 43 }, { type: 'ipv6Fragment' }, udp, payload],
    [eth(), ip6, { type: 'ipv6Extension', headerType: 51 }, tcp],
    [eth(), ip6, { type: 'ipv6Extension', headerType: 0 }, { type: 'ipv6Extension', headerType: 51 }, udp],
    [eth(), { ...ip, protocol: 51 }, { type: 'payload', data: new Uint8Array([6, 4, 0, 0, 1, 2, 3, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x50, 0x04, 0xd2]) }],
    [eth(), { ...ip, protocol: 51 }, { type: 'payload', data: new Uint8Array([17, 1, 0, 0, 1, 2, 3, 4, 0, 0, 0, 1, 0, 0, 0, 0]) }],
  ];
}

/** Cooked captures of 802.2 frames (protocol 4: ISO, STP, IPX, SNAP), Novell 802.3 (1) and SAP values in the protocol field itself. */
function aimedCookedStacks(type: 'linuxSll' | 'linuxSll2'): LayerSpec[][] {
  const cooked = (protocol: number): LayerSpec => ({ type, protocol } as LayerSpec);
  const bytes = (...b: number[]): LayerSpec => ({ type: 'payload', data: new Uint8Array(b) });
  return [
    [cooked(0x0004), bytes(0xfe, 0xfe, 0x03, 0x82, 1, 2, 3, 4)],
    [cooked(0x0004), bytes(0xfe, 0xfe, 0x03, 0x81, 1, 2, 3, 4)],
    [cooked(0x0004), bytes(0xfe, 0xfe, 0x03, 0x83, 0x1b, 1, 0, 0x12, 0)],
    [cooked(0x0004), bytes(0x42, 0x42, 0x03, 0, 0, 0, 0)],
    [cooked(0x0004), bytes(0xe0, 0xe0, 0x03, 0xff, 0xff)],
    [cooked(0x0004), bytes(0xf0, 0xf0, 0x03, 0, 0)],
    [cooked(0x0004), bytes(0xaa, 0xaa, 0x03, 0x08, 0x00, 0x07, 0x80, 0x9b, 0, 0)],
    [cooked(0x0004), bytes(0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x81, 0x37, 0, 0)],
    [cooked(0x0004), bytes(0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x80, 0xf3, 0, 0)],
    [cooked(0x0004), bytes(0x64, 0x64, 0x03, 0, 0)],
    [cooked(0x0001), bytes(0xff, 0xff, 0, 0x20)],
    [cooked(0x00fe), bytes(0x82, 0, 0, 0)],
    [cooked(0x00e0), bytes(0, 0, 0, 0)],
    [cooked(0x0042), bytes(0, 0, 0, 0)],
    [cooked(0x0064), bytes(0, 0, 0, 0)],
    [cooked(0x809b), bytes(0, 0, 0, 0)],
    [cooked(0x8137), bytes(0, 0, 0, 0)],
  ];
}

/** `count` packets for `linkType` (fixed seed), the corpus captures of that link type, and aimed stacks. */
export function harnessPackets(linkType: number, count: number, seed = 20261121): HarnessPacket[] {
  const sampled = fc.sample(arbitraryPacket({ linkType }), { numRuns: count, seed: seed + linkType });
  const packets: HarnessPacket[] = sampled.map((p, i) => ({ data: p.data, wireLength: p.wireLength, label: `#${i} ${p.mutation} ${p.specs.map((s) => s.type).join('/')}` }));
  packets.push(...corpusCapturePackets(linkType));
  const aimed = linkType === LinkType.EN10MB ? aimedEthernetStacks() : linkType === LinkType.LINUX_SLL ? aimedCookedStacks('linuxSll') : linkType === LinkType.LINUX_SLL2 ? aimedCookedStacks('linuxSll2') : [];
  if (aimed.length > 0) {
    aimed.forEach((stack, i) => {
      const data = buildPacket(stack);
      packets.push({ data, wireLength: data.length, label: `aimed ${i} ${stack.map((s) => s.type).join('/')}` });
      // The same frame cut at every fourth byte, so every guard meets short packets.
      for (let cut = 0; cut < data.length; cut += 4) packets.push({ data: data.slice(0, cut), wireLength: data.length, label: `aimed ${i} snapped at ${cut}` });
    });
  }
  packets.push(...decnetIsisPackets(linkType));
  return packets;
}
