/**
 * The 8-byte header ICMP (RFC 792) and ICMPv6 (RFC 4443) share: type, code, checksum, and 4 bytes whose
 * meaning depends on the type. Error types quote the offending packet after it.
 */
import { readUint16, readUint32 } from './bytes.js';
import type { FieldLayout, FieldSink } from './field-layout.js';
import { LayerKind } from './kinds.js';
import type { PacketLayers } from './packet-layers.js';
import { LayerView } from './view.js';

/** Fields of the ICMP and ICMPv6 header. */
export const ICMP_HEADER_LAYOUT: readonly FieldLayout[] = [
  { name: 'type', offset: 0, size: 1 },
  { name: 'code', offset: 1, size: 1 },
  { name: 'checksum', offset: 2, size: 2 },
  { name: 'restOfHeader', offset: 4, size: 4 },
];

/** Zero-copy view of an ICMP-style header; a subclass names the protocol and its type -> next-layer table. */
export abstract class IcmpHeaderView extends LayerView {
  /** Type -> the layer an error message quotes; other types carry a payload. */
  protected abstract get typeNextLayer(): ReadonlyMap<number, number>;
  override get minimumLength(): number { return 8; }
  get headerLength(): number { return 8; }
  get type(): number { return this.data[this.offset]!; }
  get code(): number { return this.data[this.offset + 1]!; }
  get checksum(): number { return readUint16(this.data, this.offset + 2); }
  /** Bytes 4..7 (identifier and sequence for echo, an MTU or a pointer for some errors). */
  get restOfHeader(): number { return readUint32(this.data, this.offset + 4); }

  /** The quoted packet for error types, else a payload. */
  nextLayer(): number { return this.typeNextLayer.get(this.type) ?? LayerKind.payload; }

  describeFields(sink: FieldSink): void {
    sink.add('type', 0, 1, this.type);
    sink.add('code', 1, 1, this.code);
    sink.add('checksum', 2, 2, this.checksum);
    sink.add('restOfHeader', 4, 4, this.restOfHeader);
  }
}

/** Decodes an ICMP-style header of `kind` at `offset` with `view`; an error message's quoted packet follows, decoded leniently. */
export function decodeIcmpHeader(layers: PacketLayers, offset: number, end: number, kind: number, view: IcmpHeaderView): void {
  if (end - offset < 8) return layers.truncated(kind, ICMP_HEADER_LAYOUT, offset, end, 8);
  view.point(layers.data, offset, end);
  layers.push(kind, offset, 8, end);
  const next = view.nextLayer();
  if (next !== LayerKind.payload) layers.quoting = true;
  layers.next(next, offset + 8, end);
}
