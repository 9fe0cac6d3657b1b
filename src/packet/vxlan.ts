import { readUint24 } from './bytes.js';
import type { FieldLayout, FieldSink } from './field-layout.js';
import { LayerKind } from './kinds.js';
import type { VxlanFields } from './layers.js';
import type { PacketLayers } from './packet-layers.js';
import { LayerView } from './view.js';

/** VXLAN header fields (RFC 7348). */
export const VXLAN_LAYOUT: readonly FieldLayout[] = [
  { name: 'flags', offset: 0, size: 1 },
  { name: 'reserved0', offset: 0, size: 4, mask: 0x00ffffff },
  { name: 'vni', offset: 4, size: 4, mask: 0xffffff00 },
  { name: 'reserved1', offset: 7, size: 1 },
];

/** Zero-copy view of a VXLAN header (8 bytes); an Ethernet frame always follows. */
export class VxlanView extends LayerView {
  override get layerName(): string { return 'vxlan'; }
  override get minimumLength(): number { return 8; }
  get headerLength(): number { return 8; }
  /** Flags byte; 0x08 (I) says the VNI is valid. */
  get flags(): number { return this.data[this.offset]!; }
  get reserved0(): number { return readUint24(this.data, this.offset + 1); }
  /** VXLAN network identifier, 24 bits. */
  get vni(): number { return readUint24(this.data, this.offset + 4); }
  get reserved1(): number { return this.data[this.offset + 7]!; }

  /** Always Ethernet. */
  nextLayer(): number { return LayerKind.ethernet; }

  toFields(): VxlanFields {
    return { flags: this.flags, reserved0: this.reserved0, vni: this.vni, reserved1: this.reserved1 };
  }

  describeFields(sink: FieldSink): void {
    sink.add('flags', 0, 1, this.flags);
    sink.add('reserved0', 0, 4, this.reserved0, 0x00ffffff);
    sink.add('vni', 4, 4, this.vni, 0xffffff00);
    sink.add('reserved1', 7, 1, this.reserved1);
  }
}

const scratch = new VxlanView();

/** Decodes a VXLAN header at `offset` and sets the inner Ethernet frame as the next step. */
export function decodeVxlan(layers: PacketLayers, offset: number, end: number): void {
  if (end - offset < 8) return layers.truncated(LayerKind.vxlan, VXLAN_LAYOUT, offset, end, 8);
  scratch.point(layers.data, offset, end);
  layers.push(LayerKind.vxlan, offset, 8, end);
  layers.next(LayerKind.ethernet, offset + 8, end);
}
