import { readUint16 } from './bytes.js';
import type { FieldLayout } from './field-layout.js';
import { decodeIcmpHeader, ICMP_HEADER_LAYOUT, IcmpHeaderView } from './icmp-header.js';
import { LayerKind } from './kinds.js';
import type { Layer } from './layers.js';
import type { PacketLayers } from './packet-layers.js';

/** ICMP header fields (RFC 792). */
export const ICMP_LAYOUT: readonly FieldLayout[] = ICMP_HEADER_LAYOUT;

/** ICMP type -> next layer: error messages quote the offending IPv4 header and 8 bytes after it. */
export const ICMP_TYPE_NEXT_LAYER: ReadonlyMap<number, number> = new Map([
  [3, LayerKind.ipv4], // destination unreachable
  [4, LayerKind.ipv4], // source quench
  [5, LayerKind.ipv4], // redirect
  [11, LayerKind.ipv4], // time exceeded
  [12, LayerKind.ipv4], // parameter problem
]);

/** Zero-copy view of an ICMP header (8 bytes); bytes 4..7 are the identifier and sequence for echo, the next-hop MTU for fragmentation needed. */
export class IcmpView extends IcmpHeaderView {
  override get layerName(): string { return 'icmp'; }
  protected override get typeNextLayer(): ReadonlyMap<number, number> { return ICMP_TYPE_NEXT_LAYER; }
  get identifier(): number { return readUint16(this.data, this.offset + 4); }
  get sequenceNumber(): number { return readUint16(this.data, this.offset + 6); }

  toFields(): Omit<Extract<Layer, { type: 'icmp' }>, 'type'> {
    return { icmpType: this.type, code: this.code, checksum: this.checksum, restOfHeader: this.restOfHeader };
  }
}

const scratch = new IcmpView();

/** Decodes an ICMP header at `offset`; an error message's quoted packet is decoded leniently after it. */
export function decodeIcmp(layers: PacketLayers, offset: number, end: number): void {
  decodeIcmpHeader(layers, offset, end, LayerKind.icmp, scratch);
}
