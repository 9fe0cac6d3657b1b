import { readUint16, readUint32 } from './bytes.js';
import type { FieldLayout, FieldSink } from './field-layout.js';
import { LayerKind } from './kinds.js';
import type { Layer } from './layers.js';
import type { PacketLayers } from './packet-layers.js';
import { LayerView } from './view.js';

/** ICMP header fields (RFC 792). */
export const ICMP_LAYOUT: readonly FieldLayout[] = [
  { name: 'type', offset: 0, size: 1 },
  { name: 'code', offset: 1, size: 1 },
  { name: 'checksum', offset: 2, size: 2 },
  { name: 'restOfHeader', offset: 4, size: 4 },
];

/** ICMP type -> next layer: error messages quote the offending IPv4 header and 8 bytes after it. */
export const ICMP_TYPE_NEXT_LAYER: ReadonlyMap<number, number> = new Map([
  [3, LayerKind.ipv4], // destination unreachable
  [4, LayerKind.ipv4], // source quench
  [5, LayerKind.ipv4], // redirect
  [11, LayerKind.ipv4], // time exceeded
  [12, LayerKind.ipv4], // parameter problem
]);

/** Zero-copy view of an ICMP header (8 bytes). */
export class IcmpView extends LayerView {
  override get layerName(): string { return 'icmp'; }
  override get minimumLength(): number { return 8; }
  get headerLength(): number { return 8; }
  get type(): number { return this.data[this.offset]!; }
  get code(): number { return this.data[this.offset + 1]!; }
  get checksum(): number { return readUint16(this.data, this.offset + 2); }
  /** Bytes 4..7: identifier and sequence for echo, next-hop MTU for fragmentation needed. */
  get restOfHeader(): number { return readUint32(this.data, this.offset + 4); }
  get identifier(): number { return readUint16(this.data, this.offset + 4); }
  get sequenceNumber(): number { return readUint16(this.data, this.offset + 6); }

  /** The quoted IPv4 packet for error types, else a payload. */
  nextLayer(): number { return ICMP_TYPE_NEXT_LAYER.get(this.type) ?? LayerKind.payload; }

  toFields(): Omit<Extract<Layer, { type: 'icmp' }>, 'type'> {
    return { icmpType: this.type, code: this.code, checksum: this.checksum, restOfHeader: this.restOfHeader };
  }

  describeFields(sink: FieldSink): void {
    sink.add('type', 0, 1, this.type);
    sink.add('code', 1, 1, this.code);
    sink.add('checksum', 2, 2, this.checksum);
    sink.add('restOfHeader', 4, 4, this.restOfHeader);
  }
}

const scratch = new IcmpView();

/** Decodes an ICMP header at `offset`; an error message's quoted packet is decoded leniently after it. */
export function decodeIcmp(layers: PacketLayers, offset: number, end: number): void {
  if (end - offset < 8) return layers.truncated(LayerKind.icmp, ICMP_LAYOUT, offset, end, 8);
  const view = scratch.point(layers.data, offset, end);
  layers.push(LayerKind.icmp, offset, 8, end);
  const next = view.nextLayer();
  if (next !== LayerKind.payload) layers.quoting = true;
  layers.next(next, offset + 8, end);
}
