/** Linux cooked capture v2 header builder (LINKTYPE_LINUX_SLL2, 20 bytes). */
import type { LinuxSll2Fields } from '../layers.js';
import type { EncodedLayer, LayerEncodeContext, SpecOf } from './context.js';
import { uintField } from './fields.js';
import { formatSllAddress, parseSllAddress, SllPacketType, sllProtocolFor } from './linux-sll.js';

/** Encodes a 20-byte SLL2 header (default: interface 1, received for this host, ARPHRD_ETHER, a 6-byte address). */
export function encodeLinuxSll2Header(spec: SpecOf<'linuxSll2'>, context: LayerEncodeContext): EncodedLayer<{ type: 'linuxSll2' } & LinuxSll2Fields> {
  const { position } = context;
  const protocol = uintField(position, 'protocol', spec.protocol, 16, sllProtocolFor(context));
  const reservedMbz = uintField(position, 'reservedMbz', spec.reservedMbz, 16, 0);
  const interfaceIndex = uintField(position, 'interfaceIndex', spec.interfaceIndex, 32, 1);
  const arphrdType = uintField(position, 'arphrdType', spec.arphrdType, 16, 1);
  const packetType = uintField(position, 'packetType', spec.packetType, 8, SllPacketType.host);
  const address = parseSllAddress(position, spec.address);
  const addressLength = uintField(position, 'addressLength', spec.addressLength, 8, address.length);
  const header = new Uint8Array(20);
  const view = new DataView(header.buffer);
  view.setUint16(0, protocol);
  view.setUint16(2, reservedMbz);
  view.setUint32(4, interfaceIndex);
  view.setUint16(8, arphrdType);
  header[10] = packetType;
  header[11] = addressLength;
  header.set(address, 12);
  return { header, layer: { type: 'linuxSll2', protocol, reservedMbz, interfaceIndex, arphrdType, packetType, addressLength, address: formatSllAddress(address) } };
}
