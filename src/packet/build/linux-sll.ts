/** Linux cooked capture v1 header builder (LINKTYPE_LINUX_SLL, 16 bytes). */
import type { LinuxSllFields } from '../layers.js';
import { formatHexBytes, formatMacAddress, parseHexBytes, parseMacAddress } from './bytes.js';
import type { EncodedLayer, LayerEncodeContext, SpecOf } from './context.js';
import { failField, showValue, uintField } from './fields.js';
import type { LayerPosition } from './fields.js';
import { etherTypeFor } from './next-layer.js';

/** SLL packet types (the direction of the packet as Linux saw it). */
export const SllPacketType = { host: 0, broadcast: 1, multicast: 2, otherHost: 3, outgoing: 4 } as const;
/** The SLL protocol value that announces an 802.2 LLC frame. */
export const SLL_PROTOCOL_802_2 = 0x0004;

/** Parses a cooked-capture link-layer address (MAC text, or hex up to 8 bytes). */
export function parseSllAddress(position: LayerPosition, value: unknown): Uint8Array {
  if (value === undefined) return Uint8Array.of(2, 0, 0, 0, 0, 1);
  const bytes = typeof value === 'string' ? parseMacAddress(value) ?? parseHexBytes(value) : undefined;
  if (!bytes || bytes.length > 8) failField(position, 'address', `${showValue(value)} is not a MAC address or up to 8 hex bytes`);
  return bytes;
}

/** Formats a cooked-capture address: MAC text for 6 bytes, colon hex otherwise. */
export function formatSllAddress(bytes: Uint8Array): string {
  return bytes.length === 6 ? formatMacAddress(bytes) : formatHexBytes(bytes);
}

/** The SLL protocol field for the next layer: its EtherType, or 0x0004 before LLC. */
export function sllProtocolFor(context: LayerEncodeContext): number {
  return etherTypeFor(context.next) ?? SLL_PROTOCOL_802_2;
}

/** Encodes a 16-byte SLL header (default: received for this host, ARPHRD_ETHER, a 6-byte address). */
export function encodeLinuxSllHeader(spec: SpecOf<'linuxSll'>, context: LayerEncodeContext): EncodedLayer<{ type: 'linuxSll' } & LinuxSllFields> {
  const { position } = context;
  const packetType = uintField(position, 'packetType', spec.packetType, 16, SllPacketType.host);
  const arphrdType = uintField(position, 'arphrdType', spec.arphrdType, 16, 1);
  const address = parseSllAddress(position, spec.address);
  const addressLength = uintField(position, 'addressLength', spec.addressLength, 16, address.length);
  const protocol = uintField(position, 'protocol', spec.protocol, 16, sllProtocolFor(context));
  const header = new Uint8Array(16);
  const view = new DataView(header.buffer);
  view.setUint16(0, packetType);
  view.setUint16(2, arphrdType);
  view.setUint16(4, addressLength);
  header.set(address, 6);
  view.setUint16(14, protocol);
  return { header, layer: { type: 'linuxSll', packetType, arphrdType, addressLength, address: formatSllAddress(address), protocol } };
}
