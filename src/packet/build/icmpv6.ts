/** ICMPv6 header builder (RFC 4443), with the IPv6 pseudo-header checksum. */
import type { EncodedLayer, Icmpv6BuiltLayer, LayerEncodeContext, SpecOf } from './context.js';
import { uintField } from './fields.js';
import { IpProtocolNumber } from './next-layer.js';
import { pseudoHeaderChecksum } from './pseudo-header.js';

/** ICMPv6 types that filters test. */
export const Icmpv6Type = { destinationUnreachable: 1, packetTooBig: 2, timeExceeded: 3, parameterProblem: 4, echoRequest: 128, echoReply: 129, neighborSolicitation: 135, neighborAdvertisement: 136 } as const;

/** Encodes an 8-byte ICMPv6 header (default echo request); the checksum covers the pseudo-header (0 without an enclosing IP layer), it and every byte after it. */
export function encodeIcmpv6Header(spec: SpecOf<'icmpv6'>, context: LayerEncodeContext): EncodedLayer<Icmpv6BuiltLayer> {
  const { position } = context;
  const icmpv6Type = uintField(position, 'icmpv6Type', spec.icmpv6Type, 8, Icmpv6Type.echoRequest);
  const code = uintField(position, 'code', spec.code, 8, 0);
  const restOfHeader = uintField(position, 'restOfHeader', spec.restOfHeader, 32, 0);
  const header = new Uint8Array(8);
  const view = new DataView(header.buffer);
  header[0] = icmpv6Type;
  header[1] = code;
  view.setUint32(4, restOfHeader);
  const computed = context.network ? pseudoHeaderChecksum(context.network, IpProtocolNumber.icmpv6, [header, context.inner]) : 0;
  const checksum = uintField(position, 'checksum', spec.checksum, 16, computed);
  view.setUint16(2, checksum);
  return { header, layer: { type: 'icmpv6', icmpv6Type, code, checksum, restOfHeader } };
}
