import { readUint16, readUint24 } from './bytes.js';
import { etherTypeNextLayer } from './ethertype.js';
import type { FieldLayout, FieldSink } from './field-layout.js';
import { LayerKind } from './kinds.js';
import type { LlcFields } from './layers.js';
import type { PacketLayers } from './packet-layers.js';
import { LayerView } from './view.js';

/** IEEE 802.2 LLC fields, with the SNAP extension (RFC 1042) when DSAP = SSAP = 0xaa and the control field is one byte. */
export const LLC_LAYOUT: readonly FieldLayout[] = [
  { name: 'dsap', offset: 0, size: 1 },
  { name: 'ssap', offset: 1, size: 1 },
  { name: 'control', offset: 2, size: 1 },
  { name: 'snapOui', offset: 3, size: 3 },
  { name: 'snapProtocolId', offset: 6, size: 2 },
];

/** Zero-copy view of an 802.2 LLC header (3 bytes for U frames, 4 for I/S frames, 8 with SNAP). */
export class LlcView extends LayerView {
  override get layerName(): string { return 'llc'; }
  override get minimumLength(): number { return 3; }
  get dsap(): number { return this.data[this.offset]!; }
  get ssap(): number { return this.data[this.offset + 1]!; }
  /** Control field: one byte for U frames (low bits 11), two for I and S frames. */
  get control(): number {
    const first = this.data[this.offset + 2]!;
    return (first & 3) === 3 ? first : readUint16(this.data, this.offset + 2);
  }
  /** Length of the control field. */
  get controlLength(): number { return (this.data[this.offset + 2]! & 3) === 3 ? 1 : 2; }
  /** True for a SNAP header: DSAP and SSAP 0xaa with a one-byte (U frame) control field, normally 0x03 (UI). */
  get isSnap(): boolean { return this.dsap === 0xaa && this.ssap === 0xaa && (this.data[this.offset + 2]! & 3) === 3; }
  get snapOui(): number { return readUint24(this.data, this.offset + 3); }
  get snapProtocolId(): number { return readUint16(this.data, this.offset + 6); }
  get headerLength(): number { return this.isSnap ? 8 : 2 + this.controlLength; }

  /** The layer after SNAP with an EtherType OUI (0x000000 or 0x0000f8) is what the EtherType announces; else a payload. */
  nextLayer(): number {
    if (!this.isSnap) return LayerKind.payload;
    const oui = this.snapOui;
    return oui === 0 || oui === 0xf8 ? etherTypeNextLayer(this.snapProtocolId) : LayerKind.payload;
  }

  toFields(): LlcFields {
    const fields: LlcFields = { dsap: this.dsap, ssap: this.ssap, control: this.control };
    if (this.isSnap) { fields.snapOui = this.snapOui; fields.snapProtocolId = this.snapProtocolId; }
    return fields;
  }

  describeFields(sink: FieldSink): void {
    sink.add('dsap', 0, 1, this.dsap);
    sink.add('ssap', 1, 1, this.ssap);
    sink.add('control', 2, this.controlLength, this.control);
    if (this.isSnap) {
      sink.add('snapOui', 3, 3, this.snapOui);
      sink.add('snapProtocolId', 6, 2, this.snapProtocolId);
    }
  }
}

const scratch = new LlcView();

/** Decodes an LLC header at `offset` and sets the next step. */
export function decodeLlc(layers: PacketLayers, offset: number, end: number): void {
  if (end - offset < 3) return layers.truncated(LayerKind.llc, LLC_LAYOUT, offset, end, 3);
  const view = scratch.point(layers.data, offset, end);
  const length = view.isSnap ? 8 : 3 + (view.controlLength - 1);
  if (end - offset < length) return layers.truncated(LayerKind.llc, LLC_LAYOUT.slice(0, view.isSnap ? 5 : 3).concat(view.isSnap ? [] : [{ name: 'control', offset: 2, size: 2 }]), offset, end, length);
  layers.push(LayerKind.llc, offset, length, end);
  layers.next(view.nextLayer(), offset + length, end, view.isSnap ? view.snapProtocolId : -1);
}
