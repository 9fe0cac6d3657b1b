/** IPv4 header builder (RFC 791), with options and fragment fields. */
import type { Ipv4Fields } from '../layers.js';
import { formatIpv4Address, internetChecksum } from './bytes.js';
import type { EncodedLayer, LayerEncodeContext, PseudoHeaderAddresses, SpecOf } from './context.js';
import { boolField, bytesField, failField, ipv4Field, uintField } from './fields.js';
import type { LayerPosition } from './fields.js';
import { ipProtocolFor } from './next-layer.js';

/** Default IPv4 addresses (RFC 5737 documentation ranges) when a spec leaves them out. */
export const DEFAULT_IPV4_SOURCE = '192.0.2.1';
export const DEFAULT_IPV4_DESTINATION = '198.51.100.1';

/** The source and destination an IPv4 spec will carry, for the pseudo-header of the transport inside it. */
export function ipv4PseudoHeaderAddresses(spec: SpecOf<'ipv4'>, position: LayerPosition): PseudoHeaderAddresses {
  return {
    version: 4,
    source: ipv4Field(position, 'source', spec.source, DEFAULT_IPV4_SOURCE),
    destination: ipv4Field(position, 'destination', spec.destination, DEFAULT_IPV4_DESTINATION),
  };
}

/** Encodes an IPv4 header: ihl from the options, total length from what follows, protocol from the next layer, header checksum computed. */
export function encodeIpv4Header(spec: SpecOf<'ipv4'>, context: LayerEncodeContext): EncodedLayer<{ type: 'ipv4' } & Ipv4Fields> {
  const { position } = context;
  const options = bytesField(position, 'options', spec.options, new Uint8Array(0));
  if (options.length % 4 !== 0 || options.length > 40) failField(position, 'options', `length ${options.length} is not a multiple of 4 up to 40 (pad with EOL/NOP bytes)`);
  const { source, destination } = ipv4PseudoHeaderAddresses(spec, position);
  const version = uintField(position, 'version', spec.version, 4, 4);
  const ihl = uintField(position, 'ihl', spec.ihl, 4, 5 + options.length / 4);
  const dscp = uintField(position, 'dscp', spec.dscp, 6, 0);
  const ecn = uintField(position, 'ecn', spec.ecn, 2, 0);
  const headerLength = 20 + options.length;
  const totalLength = uintField(position, 'totalLength', spec.totalLength, 16, Math.min(0xffff, headerLength + context.inner.length));
  const identification = uintField(position, 'identification', spec.identification, 16, 1);
  const reservedFlag = boolField(position, 'reservedFlag', spec.reservedFlag, false);
  const dontFragment = boolField(position, 'dontFragment', spec.dontFragment, false);
  const moreFragments = boolField(position, 'moreFragments', spec.moreFragments, false);
  const fragOffset = uintField(position, 'fragOffset', spec.fragOffset, 13, 0);
  const ttl = uintField(position, 'ttl', spec.ttl, 8, 64);
  const protocol = uintField(position, 'protocol', spec.protocol, 8, ipProtocolFor(context.next, false));
  const header = new Uint8Array(headerLength);
  const view = new DataView(header.buffer);
  header[0] = (version << 4) | ihl;
  header[1] = (dscp << 2) | ecn;
  view.setUint16(2, totalLength);
  view.setUint16(4, identification);
  view.setUint16(6, (reservedFlag ? 0x8000 : 0) | (dontFragment ? 0x4000 : 0) | (moreFragments ? 0x2000 : 0) | fragOffset);
  header[8] = ttl;
  header[9] = protocol;
  header.set(source, 12);
  header.set(destination, 16);
  header.set(options, 20);
  const headerChecksum = uintField(position, 'headerChecksum', spec.headerChecksum, 16, internetChecksum([header]));
  view.setUint16(10, headerChecksum);
  return {
    header,
    layer: {
      type: 'ipv4', version, ihl, dscp, ecn, totalLength, identification, reservedFlag, dontFragment, moreFragments, fragOffset,
      ttl, protocol, headerChecksum, source: formatIpv4Address(source), destination: formatIpv4Address(destination), options: options.slice(),
    },
  };
}
