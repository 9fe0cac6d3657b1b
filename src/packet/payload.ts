import type { FieldSink } from './field-layout.js';
import { formatHex } from './bytes.js';
import { LayerKind } from './kinds.js';
import type { PacketLayers } from './packet-layers.js';
import { LayerView } from './view.js';

/** Zero-copy view of the bytes no decoder claimed. */
export class PayloadView extends LayerView {
  override get layerName(): string { return 'payload'; }
  override get minimumLength(): number { return 0; }
  get headerLength(): number { return this.end - this.offset; }
  /** The bytes (a subarray, no copy). */
  get bytes(): Uint8Array { return this.data.subarray(this.offset, this.end); }
  describeFields(sink: FieldSink): void {
    const length = this.end - this.offset;
    if (length > 0) sink.add('data', 0, length, formatHex(this.data, this.offset, Math.min(length, 64)) + (length > 64 ? '...' : ''));
  }
}

/** Records the rest of the extent as a payload and ends the decode. */
export function decodePayload(layers: PacketLayers, offset: number, end: number): void {
  if (layers.push(LayerKind.payload, offset, end - offset, end)) layers.next(LayerKind.none, end, end);
}
