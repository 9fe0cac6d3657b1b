/**
 * decode(build(x)) gives back x: every layer the builders wrote, with every field, at the offset the
 * builders put it, read back by the decoder of src/packet.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LinkType } from '../../../src/capture/linktype.js';
import { decodePacket } from '../../../src/packet/index.js';
import type { DecodedLayer } from '../../../src/packet/index.js';
import { arbitraryPacket } from '../../../src/packet/arbitrary/index.js';

/** A decoded layer without its placement (offset, header length, quoted), comparable with a built layer. */
function withoutPlacement(layer: DecodedLayer): Record<string, unknown> {
  const { offset: _offset, headerLength: _headerLength, quoted: _quoted, ...fields } = layer as DecodedLayer & { quoted?: boolean; headerLength?: number };
  return fields;
}

/** The 16-bit length field of UDP and PPPoE, both at byte 4 of their header. */
function lengthFieldAt(data: Uint8Array, offset: number): number {
  return (data[offset + 4]! << 8) | data[offset + 5]!;
}

describe('decode(build(x)) = x', () => {
  for (const [name, linkType] of Object.entries(LinkType)) {
    it(`round-trips arbitrary ${name} packets`, () => {
      fc.assert(fc.property(arbitraryPacket({ linkType, mutations: ['none'] }), (packet) => {
        const decoded = decodePacket(packet.data, linkType);
        expect(decoded.error).toBeUndefined();
        expect(decoded.layers.map(withoutPlacement)).toEqual(packet.stack);
        expect(decoded.layers.map((l) => l.offset)).toEqual(packet.offsets);
        packet.stack.forEach((layer, i) => {
          if (layer.type === 'udp' || layer.type === 'pppoe') expect(lengthFieldAt(packet.data, packet.offsets[i]!)).toBe(layer.length);
        });
      }), { numRuns: 150 });
    });
  }
});
