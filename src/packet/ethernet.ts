import { formatMac, readUint16 } from './bytes.js';
import { etherTypeNextLayer } from './ethertype.js';
import type { FieldLayout, FieldSink } from './field-layout.js';
import { LayerKind } from './kinds.js';
import type { EthernetFields } from './layers.js';
import type { PacketLayers } from './packet-layers.js';
import { LayerView } from './view.js';

/** Ethernet header fields (IEEE 802.3 clause 3). */
export const ETHERNET_LAYOUT: readonly FieldLayout[] = [
  { name: 'destination', offset: 0, size: 6 },
  { name: 'source', offset: 6, size: 6 },
  { name: 'etherType', offset: 12, size: 2 },
];

/** Zero-copy view of an Ethernet II or 802.3 header (14 bytes). */
export class EthernetView extends LayerView {
  override get layerName(): string { return 'ethernet'; }
  override get minimumLength(): number { return 14; }
  get headerLength(): number { return 14; }
  /** Destination MAC address. */
  get destination(): string { return formatMac(this.data, this.offset); }
  /** Source MAC address. */
  get source(): string { return formatMac(this.data, this.offset + 6); }
  /** EtherType (>= 0x0600) or, for 802.3, the length of the LLC payload (<= 1500). */
  get etherType(): number { return readUint16(this.data, this.offset + 12); }
  /** True when the type field is an 802.3 length and an LLC header follows. */
  get isLength(): boolean { return this.etherType <= 1500; }

  /** The layer that follows: LLC for 802.3 (a payload for Novell's raw 802.3, whose IPX header starts 0xffff), else what the EtherType announces. */
  nextLayer(): number {
    const type = this.etherType;
    if (type === 0) return LayerKind.payload;
    if (type <= 1500) {
      const at = this.offset + 14;
      return at + 1 < this.end && this.data[at] === 0xff && this.data[at + 1] === 0xff ? LayerKind.payload : LayerKind.llc;
    }
    if (type < 0x0600) return LayerKind.payload;
    return etherTypeNextLayer(type);
  }

  /** The plain-object form. */
  toFields(): EthernetFields {
    return { destination: this.destination, source: this.source, etherType: this.etherType };
  }

  describeFields(sink: FieldSink): void {
    sink.add('destination', 0, 6, this.destination);
    sink.add('source', 6, 6, this.source);
    sink.add('etherType', 12, 2, this.etherType);
  }
}

const scratch = new EthernetView();

/** Decodes an Ethernet header at `offset` into `layers` and sets the next step. */
export function decodeEthernet(layers: PacketLayers, offset: number, end: number): void {
  if (end - offset < 14) return layers.truncated(LayerKind.ethernet, ETHERNET_LAYOUT, offset, end, 14);
  const data = layers.data;
  layers.push(LayerKind.ethernet, offset, 14, end);
  const type = (data[offset + 12]! << 8) | data[offset + 13]!;
  if (type >= 0x0600) {
    layers.next(etherTypeNextLayer(type), offset + 14, end, type);
    return;
  }
  // 802.3: the type field is the length of what follows; trailing bytes beyond it are padding.
  const view = scratch.point(data, offset, end);
  const payloadEnd = type <= 1500 && type !== 0 ? Math.min(end, offset + 14 + type) : end;
  layers.next(view.nextLayer(), offset + 14, payloadEnd, type);
}
