/**
 * The decoder against the builders (object API output = builder input, for generated stacks), its
 * lax error reporting on cut packets, its bounds on nesting, and fuzzing: no bytes make any API
 * throw or loop, and every error names a layer, a field and an offset inside the packet.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LinkType } from '../../src/capture/linktype.js';
import { ARBITRARY_LINK_TYPES, arbitraryPacket } from '../../src/packet/arbitrary/index.js';
import { buildPacket, buildPacketLayers } from '../../src/packet/build/index.js';
import type { BuildLayerSpec } from '../../src/packet/build/index.js';
import {
  Ipv4View, LayerKind, MAX_DECODED_LAYERS, PacketDecoder, TSHARK_FIELD_NAMES, TcpView, decodePacket, fieldsOfLayers,
  packetSummary, tsharkFieldRow,
} from '../../src/packet/index.js';

/** Plain data for deep comparison: byte arrays as hex, placement fields dropped. */
function comparable(layer: object): unknown {
  const { offset: _offset, headerLength: _headerLength, quoted: _quoted, ...rest } = layer as Record<string, unknown>;
  return JSON.parse(JSON.stringify(rest, (_key, value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString('hex') : value)));
}

describe('object API against the builders', () => {
  it('decodes every generated stack back into the layers it was built from, at the offsets it was built at', () => {
    fc.assert(fc.property(arbitraryPacket({ mutations: ['none'] }), (packet) => {
      const decoded = decodePacket(packet.data, packet.linkType);
      for (let i = 0; i < packet.stack.length; i++) {
        const built = packet.stack[i]!;
        // A builder payload may hold bytes we decode further (a UDP payload to port 4789 is VXLAN to us).
        if (built.type === 'payload') break;
        expect(decoded.layers[i], `layer ${i}`).toBeDefined();
        expect(comparable(decoded.layers[i]!)).toEqual(comparable(built));
        expect(decoded.layers[i]!.offset).toBe(packet.offsets[i]);
      }
      expect(decoded.error).toBeUndefined();
    }), { numRuns: 400, seed: 11 });
  });

  it('reports the header length of every layer, and payload bytes as a zero-copy view', () => {
    const data = buildPacket([{ type: 'ethernet' }, { type: 'ipv4', options: new Uint8Array([1, 1, 1, 0]) }, { type: 'tcp' }, { type: 'payload', data: new Uint8Array([9, 8, 7]) }]);
    const decoded = decodePacket(data);
    expect(decoded.layers.map((l) => [l.type, l.offset, l.headerLength])).toEqual([['ethernet', 0, 14], ['ipv4', 14, 24], ['tcp', 38, 20], ['payload', 58, 3]]);
    const payload = decoded.layers[3]!;
    expect(payload.type === 'payload' && payload.data.buffer).toBe(data.buffer);
  });
});

describe('hot path', () => {
  it('keeps the layer codes the decoder switch is written with', () => {
    expect(LayerKind).toEqual({
      none: 0, ethernet: 1, llc: 2, vlan: 3, mpls: 4, pppoe: 5, arp: 6, ipv4: 7, ipv6: 8, ipv6Extension: 9, ipv6Fragment: 10, gre: 11,
      udp: 12, tcp: 13, icmp: 14, icmpv6: 15, vxlan: 16, geneve: 17, linuxSll: 18, linuxSll2: 19, null: 20, loop: 21, payload: 22,
    });
  });

  it('reuses one result object and matches the object API', () => {
    const decoder = new PacketDecoder();
    const first = buildPacket([{ type: 'ethernet' }, { type: 'vlan' }, { type: 'ipv6' }, { type: 'udp' }]);
    const second = buildPacket([{ type: 'ethernet' }, { type: 'ipv4' }, { type: 'gre' }, { type: 'ipv4' }, { type: 'icmp' }]);
    const a = decoder.decode(first);
    expect([...a.kinds.subarray(0, a.count)]).toEqual([LayerKind.ethernet, LayerKind.vlan, LayerKind.ipv6, LayerKind.udp]);
    const b = decoder.decode(second);
    expect(b).toBe(a);
    expect([...b.kinds.subarray(0, b.count)]).toEqual([LayerKind.ethernet, LayerKind.ipv4, LayerKind.gre, LayerKind.ipv4, LayerKind.icmp]);
    expect([...b.offsets.subarray(0, b.count)]).toEqual(decodePacket(second).layers.map((l) => l.offset));
  });

  it('flags a wrong IPv4 header checksum as a warning and keeps decoding', () => {
    const data = buildPacket([{ type: 'ethernet' }, { type: 'ipv4', headerChecksum: 0x1234 }, { type: 'udp' }]);
    const decoded = decodePacket(data);
    expect(decoded.layers.map((l) => l.type)).toEqual(['ethernet', 'ipv4', 'udp']);
    expect(decoded.warnings).toEqual([{ layer: 'ipv4', field: 'headerChecksum', offset: 24, reason: 'ipv4 header checksum is wrong' }]);
    expect(new Ipv4View(data, 14).checksumValid).toBe(false);
    expect(new Ipv4View(buildPacket([{ type: 'ipv4' }]), 0).checksumValid).toBe(true);
  });

  it('views check their fixed header once and name the layer when it does not fit', () => {
    expect(() => new TcpView(new Uint8Array(30), 12)).toThrow(/tcp header needs 20 bytes at offset 12, only 18 available/);
  });
});

describe('lax decoding of cut packets', () => {
  const stacks: BuildLayerSpec[][] = [
    [{ type: 'ethernet' }, { type: 'vlan' }, { type: 'ipv4', options: new Uint8Array(8) }, { type: 'gre', keyPresent: true, sequencePresent: true }, { type: 'ethernet' }, { type: 'ipv4' }, { type: 'tcp' }],
    [{ type: 'ethernet' }, { type: 'ipv6' }, { type: 'ipv6Extension', headerType: 0 }, { type: 'ipv6Fragment' }, { type: 'udp', destinationPort: 6081 }, { type: 'geneve', options: [{ optionClass: 1, type: 2, data: new Uint8Array(4) }] }, { type: 'ethernet' }, { type: 'arp' }],
    [{ type: 'ethernet' }, { type: 'mpls' }, { type: 'mpls' }, { type: 'ipv4' }, { type: 'udp', destinationPort: 4789 }, { type: 'vxlan' }, { type: 'ethernet' }, { type: 'ipv6' }, { type: 'icmpv6' }],
    [{ type: 'ethernet' }, { type: 'pppoe' }, { type: 'ipv4' }, { type: 'tcp', options: [{ kind: 2, data: new Uint8Array([5, 180]) }] }],
    [{ type: 'linuxSll2' }, { type: 'ipv4' }, { type: 'udp' }],
  ];
  for (const stack of stacks) {
    it(`names the layer, field and offset where ${stack.map((s) => s.type).join('/')} stops, at every cut`, () => {
      const { data, offsets, layers } = buildPacketLayers(stack);
      const linkType = stack[0]!.type === 'linuxSll2' ? LinkType.LINUX_SLL2 : LinkType.EN10MB;
      for (let cut = 0; cut < data.length; cut++) {
        const decoded = decodePacket(data.subarray(0, cut), linkType);
        // The layer whose header contains byte `cut` is the one that fails; every layer before it decodes.
        let failing = 0;
        while (failing + 1 < offsets.length && offsets[failing + 1]! <= cut) failing++;
        const headerEnd = failing + 1 < offsets.length ? offsets[failing + 1]! : data.length;
        if (cut >= headerEnd) continue;
        // After the bottom MPLS entry the payload's first nibble picks IPv4 or IPv6: with no byte there is nothing to decode.
        if (cut === offsets[failing] && layers[failing - 1]?.type === 'mpls') continue;
        expect(decoded.error, `cut ${cut}`).toBeDefined();
        expect(decoded.error!.layer, `cut ${cut}`).toBe(layers[failing]!.type);
        expect(decoded.error!.offset).toBeGreaterThanOrEqual(offsets[failing]!);
        expect(decoded.error!.offset).toBeLessThanOrEqual(cut);
        expect(decoded.error!.field).toMatch(/^[a-zA-Z0-9]+$/);
        expect(decoded.layers.map((l) => l.type)).toEqual(layers.slice(0, failing).map((l) => l.type));
      }
    });
  }

  it('names the first field that is missing', () => {
    const data = buildPacket([{ type: 'ethernet' }, { type: 'ipv4' }, { type: 'tcp' }]);
    expect(decodePacket(data.subarray(0, 14 + 5)).error).toMatchObject({ layer: 'ipv4', field: 'identification', offset: 18, layerOffset: 14 });
    expect(decodePacket(data.subarray(0, 34 + 12)).error).toMatchObject({ layer: 'tcp', field: 'dataOffset', offset: 46 });
    expect(decodePacket(data.subarray(0, 34 + 13)).error).toMatchObject({ layer: 'tcp', field: 'flags', offset: 46 });
  });

  it('reports malformed lengths where they are', () => {
    const data = buildPacket([{ type: 'ethernet' }, { type: 'ipv4', totalLength: 12 }, { type: 'udp' }]);
    expect(decodePacket(data).error).toMatchObject({ layer: 'ipv4', field: 'totalLength', offset: 16 });
    const badTcp = buildPacket([{ type: 'ethernet' }, { type: 'ipv4' }, { type: 'tcp', dataOffset: 3 }]);
    expect(decodePacket(badTcp).error).toMatchObject({ layer: 'tcp', field: 'dataOffset', offset: 46 });
  });

  it('decodes an ICMP error quote that RFC 792 cuts after 8 bytes of TCP without an error', () => {
    const full = buildPacket([{ type: 'ethernet' }, { type: 'ipv4' }, { type: 'icmp', icmpType: 3, code: 4 }, { type: 'ipv4' }, { type: 'tcp' }]);
    const decoded = decodePacket(full.subarray(0, 14 + 20 + 8 + 20 + 8));
    expect(decoded.error).toBeUndefined();
    expect(decoded.layers.map((l) => [l.type, l.quoted ?? false])).toEqual([['ethernet', false], ['ipv4', false], ['icmp', false], ['ipv4', true], ['payload', true]]);
  });
});

describe('bounded recursion', () => {
  it('stops IP-in-IP nested deeper than the layer limit with an error, not a hang', () => {
    const stack: BuildLayerSpec[] = [{ type: 'ethernet' }, ...Array.from({ length: 40 }, () => ({ type: 'ipv4' as const })), { type: 'udp' }];
    const decoded = decodePacket(buildPacket(stack));
    expect(decoded.layers).toHaveLength(MAX_DECODED_LAYERS);
    expect(decoded.error).toMatchObject({ layer: 'ipv4', field: 'header', offset: 14 + 20 * 31 });
    expect(decoded.error!.reason).toMatch(/more than 32 layers/);
  });
});

describe('fuzzing', () => {
  const fields = TSHARK_FIELD_NAMES;
  /** Every API on one packet: nothing may throw, and the structure must be sound. */
  function checkSound(data: Uint8Array, linkType: number): void {
    const decoder = new PacketDecoder();
    const layers = decoder.decode(data, linkType);
    expect(layers.count).toBeLessThanOrEqual(MAX_DECODED_LAYERS);
    let previous = -1;
    for (let i = 0; i < layers.count; i++) {
      const offset = layers.offsets[i]!;
      expect(offset).toBeGreaterThan(previous);
      expect(offset + layers.headerLengths[i]!).toBeLessThanOrEqual(data.length);
      expect(layers.ends[i]!).toBeLessThanOrEqual(data.length);
      previous = offset;
    }
    const decoded = decodePacket(data, linkType);
    if (decoded.error) {
      expect(decoded.error.layer).not.toBe('none');
      expect(decoded.error.field.length).toBeGreaterThan(0);
      expect(decoded.error.offset).toBeGreaterThanOrEqual(0);
      expect(decoded.error.offset).toBeLessThanOrEqual(data.length);
    }
    for (const field of fieldsOfLayers(layers)) {
      expect(field.offset + field.size).toBeLessThanOrEqual(data.length);
      expect(field.expression.length).toBeGreaterThan(0);
    }
    expect(tsharkFieldRow(layers, fields)).toHaveLength(fields.length);
    expect(packetSummary(layers, { linkLevel: true, verbose: true }).length).toBeGreaterThan(0);
    JSON.stringify(decoded, (_key, value: unknown) => (value instanceof Uint8Array ? value.length : value));
  }

  it('survives random bytes on every link type', () => {
    fc.assert(fc.property(fc.constantFrom(...ARBITRARY_LINK_TYPES, 147), fc.uint8Array({ maxLength: 200 }), (linkType, data) => checkSound(data, linkType)), { numRuns: 3000, seed: 3 });
  });

  it('survives damaged packets: cut, lying length and type fields, overwritten bytes', () => {
    fc.assert(fc.property(arbitraryPacket({ mutations: ['snapped', 'truncated', 'corrupted', 'garbled', 'padded'] }), (packet) => checkSound(packet.data, packet.linkType)), { numRuns: 1500, seed: 4 });
  });

  it('survives single bit flips and truncations of well-formed packets', () => {
    fc.assert(fc.property(arbitraryPacket({ mutations: ['none'] }), fc.nat(), fc.nat(), (packet, bit, cut) => {
      const flipped = packet.data.slice();
      if (flipped.length > 0) flipped[(bit >> 3) % flipped.length]! ^= 1 << (bit & 7);
      checkSound(flipped, packet.linkType);
      checkSound(packet.data.subarray(0, cut % (packet.data.length + 1)), packet.linkType);
    }), { numRuns: 1500, seed: 5 });
  });
});
