import { readUint16 } from './bytes.js';
import { typeLookup } from './ethertype.js';
import type { FieldLayout, FieldSink } from './field-layout.js';
import { LayerKind } from './kinds.js';
import type { UdpFields } from './layers.js';
import type { PacketLayers } from './packet-layers.js';
import { LayerView } from './view.js';

/** UDP header fields (RFC 768). */
export const UDP_LAYOUT: readonly FieldLayout[] = [
  { name: 'sourcePort', offset: 0, size: 2 },
  { name: 'destinationPort', offset: 2, size: 2 },
  { name: 'length', offset: 4, size: 2 },
  { name: 'checksum', offset: 6, size: 2 },
];

/** UDP port -> next layer (IANA): VXLAN (RFC 7348) and Geneve (RFC 8926); others a payload. */
export const UDP_PORT_NEXT_LAYER: ReadonlyMap<number, number> = new Map([
  [4789, LayerKind.vxlan],
  [6081, LayerKind.geneve],
]);

/** UDP port -> next layer, as an array indexed by the 16-bit port. */
export const UDP_PORT_LOOKUP = typeLookup(UDP_PORT_NEXT_LAYER, 16);

/** The layer UDP ports announce: the lower port's protocol, else the higher port's (tshark's order), else a payload. */
export function udpPortsNextLayer(source: number, destination: number): number {
  const low = source < destination ? source : destination;
  const high = source < destination ? destination : source;
  const byLow = UDP_PORT_LOOKUP[low]!;
  return byLow !== LayerKind.payload ? byLow : UDP_PORT_LOOKUP[high]!;
}

/** Zero-copy view of a UDP header (8 bytes). */
export class UdpView extends LayerView {
  override get layerName(): string { return 'udp'; }
  override get minimumLength(): number { return 8; }
  get headerLength(): number { return 8; }
  get sourcePort(): number { return readUint16(this.data, this.offset); }
  get destinationPort(): number { return readUint16(this.data, this.offset + 2); }
  get length(): number { return readUint16(this.data, this.offset + 4); }
  get checksum(): number { return readUint16(this.data, this.offset + 6); }

  /** The lower port's protocol, else the higher port's (tshark's order), else a payload. */
  nextLayer(): number { return udpPortsNextLayer(this.sourcePort, this.destinationPort); }

  toFields(): UdpFields {
    return { sourcePort: this.sourcePort, destinationPort: this.destinationPort, length: this.length, checksum: this.checksum };
  }

  describeFields(sink: FieldSink): void {
    sink.add('sourcePort', 0, 2, this.sourcePort);
    sink.add('destinationPort', 2, 2, this.destinationPort);
    sink.add('length', 4, 2, this.length);
    sink.add('checksum', 6, 2, this.checksum);
  }
}

/** Decodes a UDP header at `offset`; its length field trims the payload, and a length below 8 is a warning. */
export function decodeUdp(layers: PacketLayers, offset: number, end: number): void {
  if (end - offset < 8) return layers.truncated(LayerKind.udp, UDP_LAYOUT, offset, end, 8);
  const data = layers.data;
  const length = (data[offset + 4]! << 8) | data[offset + 5]!;
  let layerEnd = end;
  if (length < 8) layers.warn(LayerKind.udp, 'length', offset + 4, `udp length ${length} is below 8`);
  else layerEnd = Math.min(end, offset + length);
  layers.push(LayerKind.udp, offset, 8, layerEnd);
  layers.next(udpPortsNextLayer((data[offset]! << 8) | data[offset + 1]!, (data[offset + 2]! << 8) | data[offset + 3]!), offset + 8, layerEnd);
}
