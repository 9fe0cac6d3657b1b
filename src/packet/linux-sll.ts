import { formatHex, readUint16 } from './bytes.js';
import { etherTypeNextLayer } from './ethertype.js';
import type { FieldLayout, FieldSink } from './field-layout.js';
import { LayerKind } from './kinds.js';
import type { LinuxSllFields } from './layers.js';
import type { PacketLayers } from './packet-layers.js';
import { LayerView } from './view.js';

/** Linux cooked capture v1 header fields (LINKTYPE_LINUX_SLL, 16 bytes). */
export const LINUX_SLL_LAYOUT: readonly FieldLayout[] = [
  { name: 'packetType', offset: 0, size: 2 },
  { name: 'arphrdType', offset: 2, size: 2 },
  { name: 'addressLength', offset: 4, size: 2 },
  { name: 'address', offset: 6, size: 8 },
  { name: 'protocol', offset: 14, size: 2 },
];

/**
 * Cooked-header protocol values below 0x0600 that are not EtherTypes (the LINUX_SLL_P_* values of
 * the tcpdump.org link-type page): 0x0003 is a whole Ethernet frame, 0x0004 (802.2) an LLC header;
 * others (0x0001 Novell 802.3, CAN, ...) stay a payload.
 */
export const LINUX_COOKED_PROTOCOL_NEXT_LAYER: ReadonlyMap<number, number> = new Map([
  [0x0003, LayerKind.ethernet],
  [0x0004, LayerKind.llc],
]);

/** The layer a cooked header's protocol field announces. */
export function linuxCookedNextLayer(protocol: number): number {
  if (protocol < 0x0600) return LINUX_COOKED_PROTOCOL_NEXT_LAYER.get(protocol) ?? LayerKind.payload;
  return etherTypeNextLayer(protocol);
}

/** The link-layer address of a cooked header as colon-separated hex (at most 8 bytes). */
export function formatCookedAddress(data: Uint8Array, offset: number, length: number): string {
  return formatHex(data, offset, Math.min(length, 8), ':');
}

/** Zero-copy view of a LINUX_SLL header. */
export class LinuxSllView extends LayerView {
  override get layerName(): string { return 'linuxSll'; }
  override get minimumLength(): number { return 16; }
  get headerLength(): number { return 16; }
  /** 0 to us, 1 broadcast, 2 multicast, 3 to another host, 4 sent by us. */
  get packetType(): number { return readUint16(this.data, this.offset); }
  get arphrdType(): number { return readUint16(this.data, this.offset + 2); }
  get addressLength(): number { return readUint16(this.data, this.offset + 4); }
  get address(): string { return formatCookedAddress(this.data, this.offset + 6, this.addressLength); }
  get protocol(): number { return readUint16(this.data, this.offset + 14); }

  /** What the protocol field announces. */
  nextLayer(): number { return linuxCookedNextLayer(this.protocol); }

  toFields(): LinuxSllFields {
    return { packetType: this.packetType, arphrdType: this.arphrdType, addressLength: this.addressLength, address: this.address, protocol: this.protocol };
  }

  describeFields(sink: FieldSink): void {
    sink.add('packetType', 0, 2, this.packetType);
    sink.add('arphrdType', 2, 2, this.arphrdType);
    sink.add('addressLength', 4, 2, this.addressLength);
    sink.add('address', 6, 8, this.address);
    sink.add('protocol', 14, 2, this.protocol);
  }
}

const scratch = new LinuxSllView();

/** Decodes a LINUX_SLL header at `offset` and sets the next step. */
export function decodeLinuxSll(layers: PacketLayers, offset: number, end: number): void {
  if (end - offset < 16) return layers.truncated(LayerKind.linuxSll, LINUX_SLL_LAYOUT, offset, end, 16);
  const view = scratch.point(layers.data, offset, end);
  layers.push(LayerKind.linuxSll, offset, 16, end);
  layers.next(view.nextLayer(), offset + 16, end, view.protocol);
}
