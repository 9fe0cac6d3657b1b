import { readUint16 } from './bytes.js';
import { etherTypeNextLayer } from './ethertype.js';
import type { FieldLayout, FieldSink } from './field-layout.js';
import { LayerKind } from './kinds.js';
import type { VlanFields } from './layers.js';
import type { PacketLayers } from './packet-layers.js';
import { LayerView } from './view.js';

/** 802.1Q / 802.1ad tag fields after the TPID (which is the EtherType of the layer before). */
export const VLAN_LAYOUT: readonly FieldLayout[] = [
  { name: 'priority', offset: 0, size: 1, mask: 0xe0 },
  { name: 'dropEligible', offset: 0, size: 1, mask: 0x10 },
  { name: 'vlanId', offset: 0, size: 2, mask: 0x0fff },
  { name: 'etherType', offset: 2, size: 2 },
];

/** Zero-copy view of a VLAN tag's TCI and EtherType (4 bytes; the TPID is read from the 2 bytes before). */
export class VlanView extends LayerView {
  override get layerName(): string { return 'vlan'; }
  override get minimumLength(): number { return 4; }
  get headerLength(): number { return 4; }
  /** The TPID (0x8100, 0x88a8, 0x9100): the EtherType field just before this tag. */
  get tpid(): number { return this.offset >= 2 ? readUint16(this.data, this.offset - 2) : 0; }
  /** Priority code point (PCP), 3 bits. */
  get priority(): number { return this.data[this.offset]! >> 5; }
  /** Drop eligible indicator (DEI, formerly CFI). */
  get dropEligible(): boolean { return (this.data[this.offset]! & 0x10) !== 0; }
  /** VLAN identifier, 12 bits. */
  get vlanId(): number { return readUint16(this.data, this.offset) & 0x0fff; }
  get etherType(): number { return readUint16(this.data, this.offset + 2); }

  /** What the inner EtherType announces (802.3 length: LLC). */
  nextLayer(): number {
    const type = this.etherType;
    if (type <= 1500) return LayerKind.llc;
    return type < 0x0600 ? LayerKind.payload : etherTypeNextLayer(type);
  }

  /** The plain-object form; `tpid` is the type that introduced the tag. */
  toFields(tpid = this.tpid): VlanFields {
    return { tpid, priority: this.priority, dropEligible: this.dropEligible, vlanId: this.vlanId, etherType: this.etherType };
  }

  describeFields(sink: FieldSink): void {
    sink.add('priority', 0, 1, this.priority, 0xe0);
    sink.add('dropEligible', 0, 1, this.dropEligible, 0x10);
    sink.add('vlanId', 0, 2, this.vlanId, 0x0fff);
    sink.add('etherType', 2, 2, this.etherType);
  }
}

const scratch = new VlanView();

/** Decodes a VLAN tag at `offset` and sets the next step. */
export function decodeVlan(layers: PacketLayers, offset: number, end: number): void {
  if (end - offset < 4) return layers.truncated(LayerKind.vlan, VLAN_LAYOUT, offset, end, 4);
  const data = layers.data;
  layers.push(LayerKind.vlan, offset, 4, end);
  const type = (data[offset + 2]! << 8) | data[offset + 3]!;
  if (type >= 0x0600) layers.next(etherTypeNextLayer(type), offset + 4, end, type);
  else layers.next(scratch.point(data, offset, end).nextLayer(), offset + 4, type <= 1500 ? Math.min(end, offset + 4 + type) : end, type);
}
