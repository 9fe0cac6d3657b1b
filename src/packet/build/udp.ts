/** UDP header builder (RFC 768), with the pseudo-header checksum over IPv4 or IPv6. */
import type { UdpFields } from '../layers.js';
import type { EncodedLayer, LayerEncodeContext, SpecOf } from './context.js';
import { uintField } from './fields.js';
import { IpProtocolNumber } from './next-layer.js';
import { pseudoHeaderChecksum } from './pseudo-header.js';

/** Well-known UDP ports of the tunnels the builders know. */
export const UdpTunnelPort = { vxlan: 4789, geneve: 6081 } as const;

/** Default UDP ports when a spec leaves them out and no tunnel follows. */
export const DEFAULT_UDP_SOURCE_PORT = 49152;
export const DEFAULT_UDP_DESTINATION_PORT = 9;

/** Encodes an 8-byte UDP header: destination port 4789/6081 before VXLAN/Geneve, length from what follows, checksum over the pseudo-header (0 without an enclosing IP layer, 0xffff for a computed 0). */
export function encodeUdpHeader(spec: SpecOf<'udp'>, context: LayerEncodeContext): EncodedLayer<{ type: 'udp' } & UdpFields> {
  const { position } = context;
  const tunnelPort = context.next?.type === 'vxlan' ? UdpTunnelPort.vxlan : context.next?.type === 'geneve' ? UdpTunnelPort.geneve : undefined;
  const sourcePort = uintField(position, 'sourcePort', spec.sourcePort, 16, DEFAULT_UDP_SOURCE_PORT);
  const destinationPort = uintField(position, 'destinationPort', spec.destinationPort, 16, tunnelPort ?? DEFAULT_UDP_DESTINATION_PORT);
  const length = uintField(position, 'length', spec.length, 16, Math.min(0xffff, 8 + context.inner.length));
  const header = new Uint8Array(8);
  const view = new DataView(header.buffer);
  view.setUint16(0, sourcePort);
  view.setUint16(2, destinationPort);
  view.setUint16(4, length);
  let computed = 0;
  if (context.network) {
    computed = pseudoHeaderChecksum(context.network, IpProtocolNumber.udp, [header, context.inner]);
    if (computed === 0) computed = 0xffff;
  }
  const checksum = uintField(position, 'checksum', spec.checksum, 16, computed);
  view.setUint16(6, checksum);
  return { header, layer: { type: 'udp', sourcePort, destinationPort, length, checksum } };
}
