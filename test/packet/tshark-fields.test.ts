/**
 * Differential test against real tshark: for thousands of generated packets (well formed, cut by a
 * snapshot length, cut on the wire, padded) over every link type, the library behind
 * `pktfilter decode -T fields` prints exactly what `tshark -T fields` prints for every field we
 * support, one tshark run per link type.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { LinkType } from '../../src/capture/linktype.js';
import { arbitraryPacket } from '../../src/packet/arbitrary/index.js';
import type { PacketMutation } from '../../src/packet/arbitrary/index.js';
import { buildPacket } from '../../src/packet/build/index.js';
import { PacketDecoder, TSHARK_FIELD_NAMES, tsharkFieldRow } from '../../src/packet/index.js';
import { describeWithOracle } from '../support/oracle.js';
import { tsharkAvailable, tsharkComparable, tsharkFieldRows } from './support/tshark.js';
import type { TsharkPacket } from './support/tshark.js';

const fields = TSHARK_FIELD_NAMES.filter((name) => name !== 'frame.number');

interface Mismatch { index: number; field: string; ours: string; tshark: string; hex: string }

/** Compares our rows with tshark's for `packets` of one link type; returns the mismatches and how many packets were compared. */
function compare(packets: readonly TsharkPacket[], linkType: number): { mismatches: Mismatch[]; compared: number } {
  const rows = tsharkFieldRows(packets, linkType, fields);
  const decoder = new PacketDecoder();
  const mismatches: Mismatch[] = [];
  let compared = 0;
  packets.forEach((packet, index) => {
    const layers = decoder.decode(packet.data, linkType);
    if (!tsharkComparable(layers)) return;
    compared++;
    const ours = tsharkFieldRow(layers, fields, { number: index + 1, wireLength: packet.wireLength ?? packet.data.length });
    fields.forEach((field, column) => {
      if (ours[column] !== rows[index]![column]) {
        mismatches.push({ index, field, ours: ours[column]!, tshark: rows[index]![column]!, hex: Buffer.from(packet.data).toString('hex') });
      }
    });
  });
  return { mismatches, compared };
}

const mutations: PacketMutation[] = ['none', 'none', 'snapped', 'truncated', 'padded'];
const linkTypes = [LinkType.EN10MB, LinkType.RAW, LinkType.IPV4, LinkType.IPV6, LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.NULL, LinkType.LOOP];

describeWithOracle('tshark -T fields differential', tsharkAvailable(), 'tshark', () => {
  for (const linkType of linkTypes) {
    it(`matches tshark on generated packets of link type ${linkType}`, () => {
      const packets = fc.sample(arbitraryPacket({ linkType, mutations }), { numRuns: linkType === LinkType.EN10MB ? 1500 : 500, seed: 20261121 + linkType });
      const { mismatches, compared } = compare(packets, linkType);
      // Nearly every packet is comparable (the rest depend on tshark's port and EtherType registries).
      expect(compared).toBeGreaterThan(packets.length * 0.9);
      expect(mismatches.slice(0, 5)).toEqual([]);
    });
  }

  it('matches tshark on the scenario packets: GRE with key carrying Ethernet, ICMP errors, QinQ, MPLS, PPPoE, VXLAN, Geneve', () => {
    const inner = [{ type: 'ethernet' as const }, { type: 'ipv4' as const, source: '10.5.5.5', destination: '10.6.6.6' }];
    const stacks = [
      buildPacket([{ type: 'ethernet' }, { type: 'vlan', vlanId: 7 }, { type: 'ipv4', dontFragment: true }, { type: 'gre', keyPresent: true, key: 1 }, ...inner, { type: 'icmp' }]),
      buildPacket([{ type: 'ethernet' }, { type: 'ipv4' }, { type: 'gre', checksumPresent: true, keyPresent: true, sequencePresent: true, key: 9, sequenceNumber: 3 }, ...inner, { type: 'tcp', flags: 0x12 }]),
      buildPacket([{ type: 'ethernet' }, { type: 'ipv4' }, { type: 'icmp', icmpType: 3, code: 4, restOfHeader: 1400 }, { type: 'ipv4' }, { type: 'udp', sourcePort: 5000, destinationPort: 53 }]),
      buildPacket([{ type: 'ethernet' }, { type: 'ipv4' }, { type: 'icmp', icmpType: 11 }, { type: 'ipv4' }, { type: 'tcp', sourcePort: 5000, destinationPort: 80 }]),
      buildPacket([{ type: 'ethernet', etherType: 0x88a8 }, { type: 'vlan', vlanId: 100, etherType: 0x8100 }, { type: 'vlan', vlanId: 200 }, { type: 'ipv4' }, { type: 'udp' }]),
      buildPacket([{ type: 'ethernet', etherType: 0x88a8 }, { type: 'vlan', vlanId: 100, etherType: 0x88a8 }, { type: 'vlan', vlanId: 200 }, { type: 'ipv6' }, { type: 'udp' }]),
      buildPacket([{ type: 'ethernet' }, { type: 'mpls', label: 16 }, { type: 'mpls', label: 17 }, { type: 'ipv4' }, { type: 'tcp' }]),
      buildPacket([{ type: 'ethernet' }, { type: 'pppoe' }, { type: 'ipv6' }, { type: 'icmpv6', icmpv6Type: 128 }]),
      buildPacket([{ type: 'ethernet' }, { type: 'ipv4' }, { type: 'udp', sourcePort: 50000, destinationPort: 4789 }, { type: 'vxlan', vni: 42 }, ...inner, { type: 'udp' }]),
      buildPacket([{ type: 'ethernet' }, { type: 'ipv6' }, { type: 'udp', sourcePort: 50000, destinationPort: 6081 }, { type: 'geneve', vni: 7, options: [{ optionClass: 0x0102, type: 0x80, data: new Uint8Array(8) }] }, ...inner, { type: 'icmp' }]),
      buildPacket([{ type: 'ethernet' }, { type: 'ipv6' }, { type: 'ipv6Extension', headerType: 0 }, { type: 'ipv6Extension', headerType: 43 }, { type: 'ipv6Extension', headerType: 60 }, { type: 'tcp' }]),
      buildPacket([{ type: 'ethernet' }, { type: 'ipv4', moreFragments: true }, { type: 'udp' }, { type: 'payload', data: new Uint8Array(16) }]),
    ];
    const packets: TsharkPacket[] = stacks.flatMap((data) => [{ data }, { data: data.subarray(0, Math.max(1, data.length - 13)), wireLength: data.length }]);
    const { mismatches, compared } = compare(packets, LinkType.EN10MB);
    expect(compared).toBe(packets.length);
    expect(mismatches).toEqual([]);
  });
});
