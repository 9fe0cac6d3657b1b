import { readUint32 } from './bytes.js';
import type { FieldLayout, FieldSink } from './field-layout.js';
import { LayerKind } from './kinds.js';
import type { MplsFields } from './layers.js';
import type { PacketLayers } from './packet-layers.js';
import { LayerView } from './view.js';

/** MPLS label stack entry fields (RFC 3032, traffic class per RFC 5462). */
export const MPLS_LAYOUT: readonly FieldLayout[] = [
  { name: 'label', offset: 0, size: 4, mask: 0xfffff000 },
  { name: 'trafficClass', offset: 0, size: 4, mask: 0x00000e00 },
  { name: 'bottomOfStack', offset: 0, size: 4, mask: 0x00000100 },
  { name: 'ttl', offset: 3, size: 1 },
];

/** After the bottom entry: the first nibble of the payload picks IPv4 or IPv6 (RFC 4928's convention). */
export const MPLS_PAYLOAD_NEXT_LAYER: ReadonlyMap<number, number> = new Map([
  [4, LayerKind.ipv4],
  [6, LayerKind.ipv6],
]);

/** Zero-copy view of one MPLS label stack entry (4 bytes). */
export class MplsView extends LayerView {
  override get layerName(): string { return 'mpls'; }
  override get minimumLength(): number { return 4; }
  get headerLength(): number { return 4; }
  /** Label value, 20 bits. */
  get label(): number { return readUint32(this.data, this.offset) >>> 12; }
  /** Traffic class (formerly EXP), 3 bits. */
  get trafficClass(): number { return (this.data[this.offset + 2]! >> 1) & 7; }
  /** Bottom-of-stack bit. */
  get bottomOfStack(): boolean { return (this.data[this.offset + 2]! & 1) !== 0; }
  get ttl(): number { return this.data[this.offset + 3]!; }

  /** Another entry unless this is the bottom; then IPv4 or IPv6 by the payload's first nibble, else a payload. */
  nextLayer(): number {
    if (!this.bottomOfStack) return LayerKind.mpls;
    const at = this.offset + 4;
    if (at >= this.end) return LayerKind.payload;
    return MPLS_PAYLOAD_NEXT_LAYER.get(this.data[at]! >> 4) ?? LayerKind.payload;
  }

  toFields(): MplsFields {
    return { label: this.label, trafficClass: this.trafficClass, bottomOfStack: this.bottomOfStack, ttl: this.ttl };
  }

  describeFields(sink: FieldSink): void {
    sink.add('label', 0, 4, this.label, 0xfffff000);
    sink.add('trafficClass', 0, 4, this.trafficClass, 0x00000e00);
    sink.add('bottomOfStack', 0, 4, this.bottomOfStack, 0x00000100);
    sink.add('ttl', 3, 1, this.ttl);
  }
}

const scratch = new MplsView();

/** Decodes an MPLS label stack entry at `offset` and sets the next step. */
export function decodeMpls(layers: PacketLayers, offset: number, end: number): void {
  if (end - offset < 4) return layers.truncated(LayerKind.mpls, MPLS_LAYOUT, offset, end, 4);
  const view = scratch.point(layers.data, offset, end);
  layers.push(LayerKind.mpls, offset, 4, end);
  layers.next(view.nextLayer(), offset + 4, end);
}
