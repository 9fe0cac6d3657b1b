/** MPLS label stack entry builder (RFC 3032). */
import type { MplsFields } from '../layers.js';
import type { EncodedLayer, LayerEncodeContext, SpecOf } from './context.js';
import { boolField, uintField } from './fields.js';

/** Encodes one 4-byte label stack entry; bottom-of-stack defaults to true unless another entry follows. */
export function encodeMplsHeader(spec: SpecOf<'mpls'>, context: LayerEncodeContext): EncodedLayer<{ type: 'mpls' } & MplsFields> {
  const { position } = context;
  const label = uintField(position, 'label', spec.label, 20, 16);
  const trafficClass = uintField(position, 'trafficClass', spec.trafficClass, 3, 0);
  const bottomOfStack = boolField(position, 'bottomOfStack', spec.bottomOfStack, context.next?.type !== 'mpls');
  const ttl = uintField(position, 'ttl', spec.ttl, 8, 64);
  const word = (label * 4096) + (trafficClass << 9) + (bottomOfStack ? 0x100 : 0) + ttl;
  return {
    header: Uint8Array.of(word >>> 24, (word >>> 16) & 0xff, (word >>> 8) & 0xff, word & 0xff),
    layer: { type: 'mpls', label, trafficClass, bottomOfStack, ttl },
  };
}
