import { readUint16, readUint32 } from './bytes.js';
import type { FieldLayout, FieldSink } from './field-layout.js';
import { ipv6NextHeaderLayer } from './ipv6.js';
import { LayerKind } from './kinds.js';
import type { Ipv6FragmentFields } from './layers.js';
import type { PacketLayers } from './packet-layers.js';
import { LayerView } from './view.js';

/** IPv6 fragment header fields (RFC 8200 section 4.5). */
export const IPV6_FRAGMENT_LAYOUT: readonly FieldLayout[] = [
  { name: 'nextHeader', offset: 0, size: 1 },
  { name: 'reserved', offset: 1, size: 1 },
  { name: 'fragOffset', offset: 2, size: 2, mask: 0xfff8 },
  { name: 'moreFragments', offset: 3, size: 1, mask: 0x01 },
  { name: 'identification', offset: 4, size: 4 },
];

/** Zero-copy view of an IPv6 fragment header (8 bytes). */
export class Ipv6FragmentView extends LayerView {
  override get layerName(): string { return 'ipv6Fragment'; }
  override get minimumLength(): number { return 8; }
  get headerLength(): number { return 8; }
  get nextHeader(): number { return this.data[this.offset]!; }
  /** Fragment offset in 8-byte units. */
  get fragOffset(): number { return readUint16(this.data, this.offset + 2) >> 3; }
  get moreFragments(): boolean { return (this.data[this.offset + 3]! & 1) !== 0; }
  get identification(): number { return readUint32(this.data, this.offset + 4); }

  /** Non-first fragments carry a payload; a first fragment what its next header announces. */
  nextLayer(): number { return this.fragOffset !== 0 ? LayerKind.payload : ipv6NextHeaderLayer(this.nextHeader); }

  toFields(): Ipv6FragmentFields {
    return { nextHeader: this.nextHeader, fragOffset: this.fragOffset, moreFragments: this.moreFragments, identification: this.identification };
  }

  describeFields(sink: FieldSink): void {
    sink.add('nextHeader', 0, 1, this.nextHeader);
    sink.add('fragOffset', 2, 2, this.fragOffset, 0xfff8);
    sink.add('moreFragments', 3, 1, this.moreFragments, 0x01);
    sink.add('identification', 4, 4, this.identification);
  }
}

const scratch = new Ipv6FragmentView();

/** Decodes an IPv6 fragment header at `offset` and sets the next step. */
export function decodeIpv6Fragment(layers: PacketLayers, offset: number, end: number): void {
  if (end - offset < 8) return layers.truncated(LayerKind.ipv6Fragment, IPV6_FRAGMENT_LAYOUT, offset, end, 8);
  const view = scratch.point(layers.data, offset, end);
  layers.push(LayerKind.ipv6Fragment, offset, 8, end);
  layers.next(view.nextLayer(), offset + 8, end, view.nextHeader);
}
