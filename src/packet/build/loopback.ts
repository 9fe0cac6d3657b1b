/** BSD loopback header builders: NULL (family in host byte order, written little-endian) and LOOP (network byte order). */
import type { LoopbackFields } from '../layers.js';
import type { EncodedLayer, LayerEncodeContext, SpecOf } from './context.js';
import { uintField } from './fields.js';
import { loopbackFamilyFor } from './next-layer.js';

/** Encodes a 4-byte NULL header with the address family little-endian, as a little-endian machine (and our pcap writer) writes it. */
export function encodeNullHeader(spec: SpecOf<'null'>, context: LayerEncodeContext): EncodedLayer<{ type: 'null' } & LoopbackFields> {
  const family = uintField(context.position, 'family', spec.family, 32, loopbackFamilyFor(context.next));
  const header = new Uint8Array(4);
  new DataView(header.buffer).setUint32(0, family, true);
  return { header, layer: { type: 'null', family } };
}

/** Encodes a 4-byte LOOP header with the address family big-endian. */
export function encodeLoopHeader(spec: SpecOf<'loop'>, context: LayerEncodeContext): EncodedLayer<{ type: 'loop' } & LoopbackFields> {
  const family = uintField(context.position, 'family', spec.family, 32, loopbackFamilyFor(context.next));
  const header = new Uint8Array(4);
  new DataView(header.buffer).setUint32(0, family, false);
  return { header, layer: { type: 'loop', family } };
}
