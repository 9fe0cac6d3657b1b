/** How a layer describes its fields: name, place and size, for error messages and the offsets table. */

/** A fixed field of a header: byte offset from the layer start, size in bytes, and a mask for sub-byte fields. */
export interface FieldLayout {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  /** Bits of the big-endian `size`-byte load that hold the field (absent: every bit). */
  readonly mask?: number;
}

/** A field's decoded value: numbers for integers and flags' bits, booleans for one-bit flags, text for addresses and raw bytes (hex). */
export type FieldValue = number | string | boolean;

/** Receives the fields of a decoded layer, in header order, with offsets relative to the layer start. */
export interface FieldSink {
  add(name: string, offset: number, size: number, value: FieldValue, mask?: number): void;
}

/** The first field of `layout` that does not fit in `available` bytes, or the last one when all fit. */
export function firstMissingField(layout: readonly FieldLayout[], available: number): FieldLayout {
  for (const field of layout) if (field.offset + field.size > available) return field;
  return layout[layout.length - 1]!;
}
