/** ICMP header builder (RFC 792); an error message quotes the packet given as the layers after it. */
import { internetChecksum } from './bytes.js';
import type { EncodedLayer, IcmpBuiltLayer, LayerEncodeContext, SpecOf } from './context.js';
import { uintField } from './fields.js';

/** ICMP types and codes that filters test (pcap-filter(7) names). */
export const IcmpType = { echoReply: 0, destinationUnreachable: 3, sourceQuench: 4, redirect: 5, echo: 8, timeExceeded: 11, parameterProblem: 12 } as const;
/** The destination-unreachable code for "fragmentation needed and DF set" (RFC 1191: the next-hop MTU is in restOfHeader's low 16 bits). */
export const ICMP_CODE_FRAGMENTATION_NEEDED = 4;

/** Encodes an 8-byte ICMP header (default echo request); the checksum covers it and every byte after it. */
export function encodeIcmpHeader(spec: SpecOf<'icmp'>, context: LayerEncodeContext): EncodedLayer<IcmpBuiltLayer> {
  const { position } = context;
  const icmpType = uintField(position, 'icmpType', spec.icmpType, 8, IcmpType.echo);
  const code = uintField(position, 'code', spec.code, 8, 0);
  const restOfHeader = uintField(position, 'restOfHeader', spec.restOfHeader, 32, 0);
  const header = new Uint8Array(8);
  const view = new DataView(header.buffer);
  header[0] = icmpType;
  header[1] = code;
  view.setUint32(4, restOfHeader);
  const checksum = uintField(position, 'checksum', spec.checksum, 16, internetChecksum([header, context.inner]));
  view.setUint16(2, checksum);
  return { header, layer: { type: 'icmp', icmpType, code, checksum, restOfHeader } };
}
