import { readUint16, readUint32 } from './bytes.js';
import { ETHER_TYPE_NEXT_LAYER, typeLookup } from './ethertype.js';
import type { FieldLayout, FieldSink } from './field-layout.js';
import { LayerKind } from './kinds.js';
import type { GreFields } from './layers.js';
import type { PacketLayers } from './packet-layers.js';
import { LayerView } from './view.js';

/** GRE fixed fields (RFC 2784, with the K and S bits of RFC 2890); the optional words follow. */
export const GRE_LAYOUT: readonly FieldLayout[] = [
  { name: 'checksumPresent', offset: 0, size: 1, mask: 0x80 },
  { name: 'keyPresent', offset: 0, size: 1, mask: 0x20 },
  { name: 'sequencePresent', offset: 0, size: 1, mask: 0x10 },
  { name: 'reserved0', offset: 0, size: 2, mask: 0x0ff8 },
  { name: 'version', offset: 1, size: 1, mask: 0x07 },
  { name: 'protocolType', offset: 2, size: 2 },
];

/** GRE protocol type -> next layer: the EtherType table plus 0x6558, transparent Ethernet bridging. */
export const GRE_PROTOCOL_NEXT_LAYER: ReadonlyMap<number, number> = new Map([
  ...ETHER_TYPE_NEXT_LAYER,
  [0x6558, LayerKind.ethernet],
]);

/** GRE protocol type -> next layer, as an array indexed by the 16-bit protocol type. */
export const GRE_PROTOCOL_LOOKUP = typeLookup(GRE_PROTOCOL_NEXT_LAYER, 16);

/** The layer a GRE (or Geneve) protocol type announces (a payload when unknown). */
export function greProtocolNextLayer(protocolType: number): number {
  return GRE_PROTOCOL_LOOKUP[protocolType]!;
}

/**
 * Zero-copy view of a GRE header: 4 bytes, then checksum + reserved1 (C bit), key (K bit) and
 * sequence number (S bit), 4 bytes each. `reserved0` is the 9-bit Reserved0 of RFC 2890 (bits 4..12,
 * `(word & 0x0ff8) >> 3`); the historical RFC 1701 routing bit is `routingPresent`.
 */
export class GreView extends LayerView {
  override get layerName(): string { return 'gre'; }
  override get minimumLength(): number { return 4; }
  get checksumPresent(): boolean { return (this.data[this.offset]! & 0x80) !== 0; }
  /** The RFC 1701 routing bit; when set a checksum/offset word is present too. */
  get routingPresent(): boolean { return (this.data[this.offset]! & 0x40) !== 0; }
  get keyPresent(): boolean { return (this.data[this.offset]! & 0x20) !== 0; }
  get sequencePresent(): boolean { return (this.data[this.offset]! & 0x10) !== 0; }
  get reserved0(): number { return (readUint16(this.data, this.offset) & 0x0ff8) >> 3; }
  get version(): number { return this.data[this.offset + 1]! & 0x07; }
  get protocolType(): number { return readUint16(this.data, this.offset + 2); }
  get headerLength(): number {
    const flags = this.data[this.offset]!;
    return 4 + ((flags & 0xc0) !== 0 ? 4 : 0) + ((flags & 0x20) !== 0 ? 4 : 0) + ((flags & 0x10) !== 0 ? 4 : 0);
  }
  /** Relative offset of the key word. */
  private get keyOffset(): number { return (this.data[this.offset]! & 0xc0) !== 0 ? 8 : 4; }
  get checksum(): number | undefined { return this.checksumPresent || this.routingPresent ? readUint16(this.data, this.offset + 4) : undefined; }
  get reserved1(): number | undefined { return this.checksumPresent || this.routingPresent ? readUint16(this.data, this.offset + 6) : undefined; }
  get key(): number | undefined { return this.keyPresent ? readUint32(this.data, this.offset + this.keyOffset) : undefined; }
  get sequenceNumber(): number | undefined {
    return this.sequencePresent ? readUint32(this.data, this.offset + this.keyOffset + (this.keyPresent ? 4 : 0)) : undefined;
  }

  /** Version 0 without source routes carries what its protocol type announces; anything else a payload. */
  nextLayer(): number {
    if (this.version !== 0 || this.routingPresent) return LayerKind.payload;
    return GRE_PROTOCOL_LOOKUP[this.protocolType]!;
  }

  toFields(): GreFields {
    const fields: GreFields = {
      checksumPresent: this.checksumPresent, keyPresent: this.keyPresent, sequencePresent: this.sequencePresent,
      reserved0: this.reserved0, version: this.version, protocolType: this.protocolType,
    };
    if (this.checksumPresent || this.routingPresent) { fields.checksum = this.checksum!; fields.reserved1 = this.reserved1!; }
    if (this.keyPresent) fields.key = this.key!;
    if (this.sequencePresent) fields.sequenceNumber = this.sequenceNumber!;
    return fields;
  }

  describeFields(sink: FieldSink): void {
    sink.add('checksumPresent', 0, 1, this.checksumPresent, 0x80);
    sink.add('keyPresent', 0, 1, this.keyPresent, 0x20);
    sink.add('sequencePresent', 0, 1, this.sequencePresent, 0x10);
    sink.add('reserved0', 0, 2, this.reserved0, 0x0ff8);
    sink.add('version', 1, 1, this.version, 0x07);
    sink.add('protocolType', 2, 2, this.protocolType);
    if (this.checksumPresent || this.routingPresent) {
      sink.add('checksum', 4, 2, this.checksum!);
      sink.add('reserved1', 6, 2, this.reserved1!);
    }
    if (this.keyPresent) sink.add('key', this.keyOffset, 4, this.key!);
    if (this.sequencePresent) sink.add('sequenceNumber', this.keyOffset + (this.keyPresent ? 4 : 0), 4, this.sequenceNumber!);
  }
}

const scratch = new GreView();

/** Decodes a GRE header at `offset` and sets the next step. */
export function decodeGre(layers: PacketLayers, offset: number, end: number): void {
  if (end - offset < 4) return layers.truncated(LayerKind.gre, GRE_LAYOUT, offset, end, 4);
  const view = scratch.point(layers.data, offset, end);
  const length = view.headerLength;
  if (end - offset < length) {
    const optional: FieldLayout[] = [];
    let at = 4;
    if (view.checksumPresent || view.routingPresent) { optional.push({ name: 'checksum', offset: 4, size: 2 }, { name: 'reserved1', offset: 6, size: 2 }); at = 8; }
    if (view.keyPresent) { optional.push({ name: 'key', offset: at, size: 4 }); at += 4; }
    if (view.sequencePresent) optional.push({ name: 'sequenceNumber', offset: at, size: 4 });
    return layers.truncated(LayerKind.gre, optional, offset, end, length);
  }
  layers.push(LayerKind.gre, offset, length, end);
  const data = layers.data;
  const protocolType = (data[offset + 2]! << 8) | data[offset + 3]!;
  // Version 0 without RFC 1701 source routes carries what its protocol type announces; anything else a payload.
  const next = (data[offset + 1]! & 0x07) !== 0 || (data[offset]! & 0x40) !== 0 ? LayerKind.payload : GRE_PROTOCOL_LOOKUP[protocolType]!;
  layers.next(next, offset + length, end, protocolType);
}
