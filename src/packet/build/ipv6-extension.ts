/** IPv6 extension header builder: hop-by-hop (0), routing (43), destination options (60) and AH (51). */
import type { Ipv6ExtensionFields } from '../layers.js';
import type { EncodedLayer, LayerEncodeContext, SpecOf } from './context.js';
import { bytesField, failField, uintField } from './fields.js';
import { IpProtocolNumber, ipProtocolFor } from './next-layer.js';

/** The header length an extension header's length field announces, in bytes (AH counts 4-byte units minus 2, the others 8-byte units minus 1). */
export function ipv6ExtensionHeaderLength(headerType: number, headerExtLength: number): number {
  return headerType === IpProtocolNumber.authentication ? (headerExtLength + 2) * 4 : (headerExtLength + 1) * 8;
}

/** The default body of an extension header: one PadN option filling 6 bytes, or an AH with SPI 0x100, sequence 1 and a 12-byte ICV. */
function defaultBody(headerType: number): Uint8Array {
  if (headerType === IpProtocolNumber.authentication) {
    const body = new Uint8Array(22);
    body.set([0, 0, 0, 0, 1, 0, 0, 0, 0, 1], 0);
    return body;
  }
  if (headerType === IpProtocolNumber.routing) return Uint8Array.of(253, 0, 0, 0, 0, 0);
  return Uint8Array.of(1, 4, 0, 0, 0, 0);
}

/** Encodes an extension header: next header from the next layer, length field from the body (default destination options with padding). */
export function encodeIpv6ExtensionHeader(spec: SpecOf<'ipv6Extension'>, context: LayerEncodeContext): EncodedLayer<{ type: 'ipv6Extension' } & Ipv6ExtensionFields> {
  const { position } = context;
  const headerType = uintField(position, 'headerType', spec.headerType, 8, IpProtocolNumber.destinationOptions);
  const body = bytesField(position, 'body', spec.body, defaultBody(headerType));
  const ah = headerType === IpProtocolNumber.authentication;
  const unit = ah ? 4 : 8;
  const bias = ah ? 2 : 1;
  if ((body.length + 2) % unit !== 0) {
    failField(position, 'body', `${body.length} bytes: header type ${headerType} needs 2 + body to be a multiple of ${unit}`);
  }
  const computed = (body.length + 2) / unit - bias;
  if (computed < 0 || computed > 255) failField(position, 'body', `${body.length} bytes do not fit the 8-bit length field`);
  const headerExtLength = uintField(position, 'headerExtLength', spec.headerExtLength, 8, computed);
  const nextHeader = uintField(position, 'nextHeader', spec.nextHeader, 8, ipProtocolFor(context.next, true));
  const header = new Uint8Array(2 + body.length);
  header[0] = nextHeader;
  header[1] = headerExtLength;
  header.set(body, 2);
  return { header, layer: { type: 'ipv6Extension', headerType, nextHeader, headerExtLength, body: body.slice() } };
}

/**
 * The final destination a routing header names while segments are left (RFC 8200 section 8.1: the
 * transport pseudo-header uses it): the last address of a type 0 header, the home address of type 2,
 * segment list [0] of a segment routing header (type 4, RFC 8754); undefined when no segment is left
 * or the type carries no plain address list.
 */
export function routingFinalDestination(body: Uint8Array): Uint8Array | undefined {
  const [routingType, segmentsLeft] = [body[0], body[1]];
  if (segmentsLeft === undefined || segmentsLeft === 0) return undefined;
  const addresses = Math.floor((body.length - 6) / 16);
  if (addresses < 1) return undefined;
  if (routingType === 0) return body.slice(6 + 16 * (addresses - 1), 6 + 16 * addresses);
  if (routingType === 2 || routingType === 4) return body.slice(6, 22);
  return undefined;
}
