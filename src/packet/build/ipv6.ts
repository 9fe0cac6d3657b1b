/** IPv6 fixed header builder (RFC 8200). */
import type { Ipv6Fields } from '../layers.js';
import { formatIpv6Address } from './bytes.js';
import type { EncodedLayer, LayerEncodeContext, PseudoHeaderAddresses, SpecOf } from './context.js';
import { ipv6Field, uintField } from './fields.js';
import type { LayerPosition } from './fields.js';
import { ipProtocolFor } from './next-layer.js';

/** Default IPv6 addresses (RFC 3849 documentation prefix) when a spec leaves them out. */
export const DEFAULT_IPV6_SOURCE = '2001:db8::1';
export const DEFAULT_IPV6_DESTINATION = '2001:db8::2';

/** The source and destination an IPv6 spec will carry, for the pseudo-header of the transport inside it. */
export function ipv6PseudoHeaderAddresses(spec: SpecOf<'ipv6'>, position: LayerPosition): PseudoHeaderAddresses {
  return {
    version: 6,
    source: ipv6Field(position, 'source', spec.source, DEFAULT_IPV6_SOURCE),
    destination: ipv6Field(position, 'destination', spec.destination, DEFAULT_IPV6_DESTINATION),
  };
}

/** Encodes a 40-byte IPv6 header: payload length from what follows, next header from the next layer (59 when none). */
export function encodeIpv6Header(spec: SpecOf<'ipv6'>, context: LayerEncodeContext): EncodedLayer<{ type: 'ipv6' } & Ipv6Fields> {
  const { position } = context;
  const { source, destination } = ipv6PseudoHeaderAddresses(spec, position);
  const version = uintField(position, 'version', spec.version, 4, 6);
  const trafficClass = uintField(position, 'trafficClass', spec.trafficClass, 8, 0);
  const flowLabel = uintField(position, 'flowLabel', spec.flowLabel, 20, 0);
  const payloadLength = uintField(position, 'payloadLength', spec.payloadLength, 16, Math.min(0xffff, context.inner.length));
  const nextHeader = uintField(position, 'nextHeader', spec.nextHeader, 8, ipProtocolFor(context.next, true));
  const hopLimit = uintField(position, 'hopLimit', spec.hopLimit, 8, 64);
  const header = new Uint8Array(40);
  const view = new DataView(header.buffer);
  view.setUint32(0, ((version << 28) | (trafficClass << 20) | flowLabel) >>> 0);
  view.setUint16(4, payloadLength);
  header[6] = nextHeader;
  header[7] = hopLimit;
  header.set(source, 8);
  header.set(destination, 24);
  return {
    header,
    layer: {
      type: 'ipv6', version, trafficClass, flowLabel, payloadLength, nextHeader, hopLimit,
      source: formatIpv6Address(source), destination: formatIpv6Address(destination),
    },
  };
}
