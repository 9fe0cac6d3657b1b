/** IPv6 fragment header builder (RFC 8200 section 4.5). */
import type { Ipv6FragmentFields } from '../layers.js';
import type { EncodedLayer, LayerEncodeContext, SpecOf } from './context.js';
import { boolField, uintField } from './fields.js';
import { ipProtocolFor } from './next-layer.js';

/** Encodes an 8-byte fragment header (reserved bits zero); next header from the next layer. */
export function encodeIpv6FragmentHeader(spec: SpecOf<'ipv6Fragment'>, context: LayerEncodeContext): EncodedLayer<{ type: 'ipv6Fragment' } & Ipv6FragmentFields> {
  const { position } = context;
  const nextHeader = uintField(position, 'nextHeader', spec.nextHeader, 8, ipProtocolFor(context.next, true));
  const fragOffset = uintField(position, 'fragOffset', spec.fragOffset, 13, 0);
  const moreFragments = boolField(position, 'moreFragments', spec.moreFragments, false);
  const identification = uintField(position, 'identification', spec.identification, 32, 1);
  const header = new Uint8Array(8);
  const view = new DataView(header.buffer);
  header[0] = nextHeader;
  view.setUint16(2, (fragOffset << 3) | (moreFragments ? 1 : 0));
  view.setUint32(4, identification);
  return { header, layer: { type: 'ipv6Fragment', nextHeader, fragOffset, moreFragments, identification } };
}
