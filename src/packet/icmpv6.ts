import { readUint16, readUint32 } from './bytes.js';
import type { FieldLayout, FieldSink } from './field-layout.js';
import { LayerKind } from './kinds.js';
import type { Layer } from './layers.js';
import type { PacketLayers } from './packet-layers.js';
import { LayerView } from './view.js';

/** ICMPv6 header fields (RFC 4443). */
export const ICMPV6_LAYOUT: readonly FieldLayout[] = [
  { name: 'type', offset: 0, size: 1 },
  { name: 'code', offset: 1, size: 1 },
  { name: 'checksum', offset: 2, size: 2 },
  { name: 'restOfHeader', offset: 4, size: 4 },
];

/** ICMPv6 type -> next layer: error messages (types 1 to 4) quote as much of the offending packet as fits. */
export const ICMPV6_TYPE_NEXT_LAYER: ReadonlyMap<number, number> = new Map([
  [1, LayerKind.ipv6], // destination unreachable
  [2, LayerKind.ipv6], // packet too big
  [3, LayerKind.ipv6], // time exceeded
  [4, LayerKind.ipv6], // parameter problem
]);

/** Zero-copy view of an ICMPv6 header (8 bytes). */
export class Icmpv6View extends LayerView {
  override get layerName(): string { return 'icmpv6'; }
  override get minimumLength(): number { return 8; }
  get headerLength(): number { return 8; }
  get type(): number { return this.data[this.offset]!; }
  get code(): number { return this.data[this.offset + 1]!; }
  get checksum(): number { return readUint16(this.data, this.offset + 2); }
  /** Bytes 4..7: identifier and sequence for echo, MTU for packet too big, pointer for parameter problem. */
  get restOfHeader(): number { return readUint32(this.data, this.offset + 4); }

  /** The quoted IPv6 packet for error types, else a payload. */
  nextLayer(): number { return ICMPV6_TYPE_NEXT_LAYER.get(this.type) ?? LayerKind.payload; }

  toFields(): Omit<Extract<Layer, { type: 'icmpv6' }>, 'type'> {
    return { icmpv6Type: this.type, code: this.code, checksum: this.checksum, restOfHeader: this.restOfHeader };
  }

  describeFields(sink: FieldSink): void {
    sink.add('type', 0, 1, this.type);
    sink.add('code', 1, 1, this.code);
    sink.add('checksum', 2, 2, this.checksum);
    sink.add('restOfHeader', 4, 4, this.restOfHeader);
  }
}

const scratch = new Icmpv6View();

/** Decodes an ICMPv6 header at `offset`; an error message's quoted packet is decoded leniently after it. */
export function decodeIcmpv6(layers: PacketLayers, offset: number, end: number): void {
  if (end - offset < 8) return layers.truncated(LayerKind.icmpv6, ICMPV6_LAYOUT, offset, end, 8);
  const view = scratch.point(layers.data, offset, end);
  layers.push(LayerKind.icmpv6, offset, 8, end);
  const next = view.nextLayer();
  if (next !== LayerKind.payload) layers.quoting = true;
  layers.next(next, offset + 8, end);
}
