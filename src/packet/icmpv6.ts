import type { FieldLayout } from './field-layout.js';
import { decodeIcmpHeader, ICMP_HEADER_LAYOUT, IcmpHeaderView } from './icmp-header.js';
import { LayerKind } from './kinds.js';
import type { Layer } from './layers.js';
import type { PacketLayers } from './packet-layers.js';

/** ICMPv6 header fields (RFC 4443). */
export const ICMPV6_LAYOUT: readonly FieldLayout[] = ICMP_HEADER_LAYOUT;

/** ICMPv6 type -> next layer: error messages (types 1 to 4) quote as much of the offending packet as fits. */
export const ICMPV6_TYPE_NEXT_LAYER: ReadonlyMap<number, number> = new Map([
  [1, LayerKind.ipv6], // destination unreachable
  [2, LayerKind.ipv6], // packet too big
  [3, LayerKind.ipv6], // time exceeded
  [4, LayerKind.ipv6], // parameter problem
]);

/** Zero-copy view of an ICMPv6 header (8 bytes); bytes 4..7 are the identifier and sequence for echo, the MTU for packet too big, the pointer for parameter problem. */
export class Icmpv6View extends IcmpHeaderView {
  override get layerName(): string { return 'icmpv6'; }
  protected override get typeNextLayer(): ReadonlyMap<number, number> { return ICMPV6_TYPE_NEXT_LAYER; }

  toFields(): Omit<Extract<Layer, { type: 'icmpv6' }>, 'type'> {
    return { icmpv6Type: this.type, code: this.code, checksum: this.checksum, restOfHeader: this.restOfHeader };
  }
}

const scratch = new Icmpv6View();

/** Decodes an ICMPv6 header at `offset`; an error message's quoted packet is decoded leniently after it. */
export function decodeIcmpv6(layers: PacketLayers, offset: number, end: number): void {
  decodeIcmpHeader(layers, offset, end, LayerKind.icmpv6, scratch);
}
