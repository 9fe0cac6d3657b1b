/** Raw payload bytes: the last layer of a stack. */
import type { EncodedLayer, LayerEncodeContext, SpecOf } from './context.js';
import { bytesField } from './fields.js';

/** Encodes payload bytes as they are (none by default). */
export function encodePayload(spec: SpecOf<'payload'>, context: LayerEncodeContext): EncodedLayer<{ type: 'payload'; data: Uint8Array }> {
  const data = bytesField(context.position, 'data', spec.data, new Uint8Array(0));
  return { header: data.slice(), layer: { type: 'payload', data: data.slice() } };
}
