/**
 * PacketDecoder.decode takes an inline shortcut through well-formed Ethernet, VLAN, IPv4, IPv6, UDP,
 * TCP, GRE, ICMP, ICMPv6, ARP, VXLAN, Geneve, IPv6 extension and fragment and payload headers and falls back to the per-protocol decode functions otherwise. Its
 * result must equal, field for field, that of the general per-protocol loop (decodeLayersStepwise)
 * on every input: well-formed stacks, damaged ones, bit flips and random bytes on every link type.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LinkType } from '../../src/capture/linktype.js';
import { ARBITRARY_LINK_TYPES, arbitraryPacket } from '../../src/packet/arbitrary/index.js';
import { buildPacket } from '../../src/packet/build/index.js';
import type { BuildLayerSpec } from '../../src/packet/build/index.js';
import { decodeLayersStepwise } from '../../src/packet/decoder.js';
import { LayerKind, PacketDecoder, PacketLayers } from '../../src/packet/index.js';

/** Everything a PacketLayers result says, as plain data (fields that their flags mark unused are left out). */
function snapshot(layers: PacketLayers): Record<string, unknown> {
  const n = layers.count;
  const result: Record<string, unknown> = {
    data: layers.data, linkType: layers.linkType, count: n,
    kinds: [...layers.kinds.subarray(0, n)], offsets: [...layers.offsets.subarray(0, n)],
    headerLengths: [...layers.headerLengths.subarray(0, n)], ends: [...layers.ends.subarray(0, n)],
    introducedBy: [...layers.introducedBy.subarray(0, n)], quoted: [...layers.quoted.subarray(0, n)],
    quoting: layers.quoting, errorKind: layers.errorKind, cutKind: layers.cutKind, warningCount: layers.warningCount,
  };
  if (layers.errorKind !== 0) {
    Object.assign(result, {
      errorField: layers.errorField, errorOffset: layers.errorOffset, errorReason: layers.errorReason,
      errorLayerOffset: layers.errorLayerOffset, errorEnd: layers.errorEnd, errorIntroducedBy: layers.errorIntroducedBy,
    });
  }
  if (layers.cutKind !== 0) Object.assign(result, { cutOffset: layers.cutOffset, cutEnd: layers.cutEnd, cutIntroducedBy: layers.cutIntroducedBy });
  if (layers.warningCount > 0) {
    Object.assign(result, { warningKind: layers.warningKind, warningField: layers.warningField, warningOffset: layers.warningOffset, warningReason: layers.warningReason });
  }
  return result;
}

// One decoder reused across every case, as the hot path is used (stale state from the previous packet must not leak).
const decoder = new PacketDecoder();
const reference = new PacketLayers();

/** Decodes with both paths and expects identical results. */
function expectSameAsStepwise(data: Uint8Array, linkType: number): void {
  const fast = snapshot(decoder.decode(data, linkType));
  const general = snapshot(decodeLayersStepwise(reference, data, linkType));
  expect(fast).toEqual(general);
}

describe('the hot path shortcut agrees with the per-protocol loop', () => {
  it('on well-formed and damaged generated packets of every link type', () => {
    fc.assert(fc.property(arbitraryPacket({ mutations: ['none', 'snapped', 'truncated', 'corrupted', 'garbled', 'padded'] }), (packet) => {
      expectSameAsStepwise(packet.data, packet.linkType);
    }), { numRuns: 3000, seed: 11 });
  });

  it('on single bit flips and every truncation point of generated packets', () => {
    fc.assert(fc.property(arbitraryPacket({ mutations: ['none'] }), fc.nat(), fc.nat(), (packet, bit, cut) => {
      const flipped = packet.data.slice();
      if (flipped.length > 0) flipped[(bit >> 3) % flipped.length]! ^= 1 << (bit & 7);
      expectSameAsStepwise(flipped, packet.linkType);
      expectSameAsStepwise(packet.data.subarray(0, cut % (packet.data.length + 1)), packet.linkType);
    }), { numRuns: 2000, seed: 12 });
  });

  it('on random bytes on every link type', () => {
    fc.assert(fc.property(fc.constantFrom(...ARBITRARY_LINK_TYPES, 147), fc.uint8Array({ maxLength: 120 }), (linkType, data) => {
      expectSameAsStepwise(data, linkType);
    }), { numRuns: 3000, seed: 13 });
  });

  it('on the paths the shortcut hands back: bad checksums, short UDP lengths, 802.3 lengths, ICMP quotes, deep nesting', () => {
    const stacks: BuildLayerSpec[][] = [
      [{ type: 'ethernet' }, { type: 'ipv4', headerChecksum: 0x1234 }, { type: 'udp' }],
      [{ type: 'ethernet' }, { type: 'ipv4', options: new Uint8Array([1, 1, 1, 0]) }, { type: 'tcp' }],
      [{ type: 'ethernet' }, { type: 'ipv4', options: new Uint8Array([1, 1, 1, 0]), headerChecksum: 0 }, { type: 'tcp' }],
      [{ type: 'ethernet' }, { type: 'ipv4' }, { type: 'udp', length: 4 }, { type: 'payload', data: new Uint8Array(6) }],
      [{ type: 'ethernet' }, { type: 'vlan', vlanId: 7 }, { type: 'ipv4' }, { type: 'icmp', icmpType: 3, code: 4 }, { type: 'ipv4' }, { type: 'tcp' }],
      [{ type: 'ethernet' }, { type: 'ipv6' }, { type: 'icmpv6', icmpv6Type: 1 }, { type: 'ipv6' }, { type: 'udp' }],
      [{ type: 'ethernet' }, { type: 'ipv4' }, { type: 'udp', sourcePort: 50000, destinationPort: 4789 }, { type: 'vxlan', vni: 1 }, { type: 'ethernet' }, { type: 'ipv6' }, { type: 'tcp' }],
      [{ type: 'ethernet' }, { type: 'ipv4', fragOffset: 100 }, { type: 'payload', data: new Uint8Array(9) }],
      [{ type: 'ethernet' }, { type: 'ipv4', totalLength: 0 }, { type: 'tcp' }, { type: 'payload', data: new Uint8Array(3) }],
      [{ type: 'ethernet' }, { type: 'ipv4' }, { type: 'gre', checksumPresent: true, keyPresent: true, key: 9, sequencePresent: true }, { type: 'ethernet' }, { type: 'arp' }],
      [{ type: 'ethernet' }, { type: 'ipv6' }, { type: 'gre', version: 1, protocolType: 0x0800 }, { type: 'payload', data: new Uint8Array(25) }],
      [{ type: 'ethernet' }, { type: 'ipv6' }, { type: 'ipv6Extension', headerType: 51, body: new Uint8Array(14) }, { type: 'ipv6Extension', headerType: 60, body: new Uint8Array(14) }, { type: 'ipv6Fragment', fragOffset: 3 }, { type: 'payload', data: new Uint8Array(8) }],
      [{ type: 'ethernet' }, { type: 'ipv6' }, { type: 'udp', sourcePort: 6081, destinationPort: 6081 }, { type: 'geneve', options: [{ optionClass: 1, type: 2, data: new Uint8Array(8) }] }, { type: 'ethernet' }, { type: 'ipv4' }],
      [{ type: 'ethernet' }, { type: 'arp', hardwareSize: 8, protocolSize: 16 }, { type: 'payload', data: new Uint8Array(4) }],
      [{ type: 'ethernet' }, { type: 'ipv4' }, { type: 'icmp', icmpType: 11 }, { type: 'ipv4' }, { type: 'icmp', icmpType: 3 }, { type: 'ipv4' }, { type: 'udp' }],
    ];
    for (const stack of stacks) {
      const data = buildPacket(stack);
      for (let cut = 0; cut <= data.length; cut++) expectSameAsStepwise(data.subarray(0, cut), LinkType.EN10MB);
    }
    // The checksum case really reaches the warning, and the quote case really quotes.
    expect(decoder.decode(buildPacket(stacks[0]!), LinkType.EN10MB).warningCount).toBe(1);
    const quoted = decoder.decode(buildPacket(stacks[4]!), LinkType.EN10MB);
    expect([...quoted.quoted.subarray(0, quoted.count)]).toEqual([0, 0, 0, 0, 1, 1]);
    // IP in IP nested past the layer limit stops with the same error on both paths.
    const nested: BuildLayerSpec[] = [{ type: 'ethernet' }, ...Array.from({ length: 40 }, (): BuildLayerSpec => ({ type: 'ipv4' }))];
    const deep = buildPacket(nested);
    expectSameAsStepwise(deep, LinkType.EN10MB);
    expect(decoder.decode(deep, LinkType.EN10MB).errorKind).toBe(LayerKind.ipv4);
  });
});
