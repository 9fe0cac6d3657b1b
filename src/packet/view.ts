import type { FieldSink } from './field-layout.js';

const empty = new Uint8Array(0);

/**
 * A zero-copy view of one protocol header inside a packet's bytes. Constructed with bytes, it checks
 * once that the fixed header fits and throws a RangeError naming the layer otherwise; the decoder
 * instead re-points one view per protocol with `point` after doing that check itself.
 */
export abstract class LayerView {
  // Declared, then assigned in the constructor: class-field definitions would cost a defineProperty per view.
  /** The whole packet's bytes. */
  declare data: Uint8Array;
  /** Absolute offset of this header in `data`. */
  declare offset: number;
  /** End (exclusive) of the bytes this layer and its payload may use. */
  declare end: number;

  constructor(data?: Uint8Array, offset = 0, end?: number) {
    this.data = empty;
    this.offset = 0;
    this.end = 0;
    if (data === undefined) return;
    const limit = Math.min(end ?? data.length, data.length);
    if (offset < 0 || limit - offset < this.minimumLength) {
      throw new RangeError(`${this.layerName} header needs ${this.minimumLength} bytes at offset ${offset}, only ${Math.max(0, limit - offset)} available`);
    }
    this.point(data, offset, limit);
  }

  /** Re-points this view at another header without checking bounds (the caller has). */
  point(data: Uint8Array, offset: number, end: number): this {
    this.data = data;
    this.offset = offset;
    this.end = end;
    return this;
  }

  /** Name of the layer type (`ipv4`). */
  get layerName(): string { return 'layer'; }
  /** Bytes the fixed part of the header needs. */
  get minimumLength(): number { return 0; }
  /** Length of this header including its options and extensions. */
  abstract get headerLength(): number;
  /** Sends every field of the header, in order, to `sink` (offsets relative to this header). */
  abstract describeFields(sink: FieldSink): void;
}
