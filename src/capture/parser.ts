/** The incremental parser contract both formats implement, shared by the walker and the stream reader. */
import type { CaptureFormatError } from './errors.js';
import type { CaptureRecordCursor, CaptureVisitor } from './cursor.js';
import type { CaptureInfo } from './info.js';

/**
 * Parses complete units (file header, records, blocks) from a buffer and reports how many bytes the next
 * incomplete unit needs, so a caller can feed it a whole file at once or chunk by chunk.
 */
export interface CaptureParser {
  /** File-level facts, filled as headers and interface blocks are read. */
  readonly info: CaptureInfo;
  /** Records delivered so far. */
  records: number;
  /** After `parse` returned without stopping: bytes the unit at the returned offset needs in total. */
  needed: number;
  /** True once a visitor returned false. */
  stopped: boolean;
  /**
   * Parses units in `bytes[start, end)` (`base` is the file offset of `bytes[0]`), filling `cursor` and
   * calling `visit` for each record; returns the offset of the first unit not parsed (incomplete, or after
   * the record where the visitor stopped). Throws CaptureFormatError at damage, after visiting every
   * record before it.
   */
  parse(bytes: Uint8Array, start: number, end: number, base: number, cursor: CaptureRecordCursor, visit: CaptureVisitor): number;
  /** The error for input that ends `available` bytes into the incomplete unit at file offset `offset`. */
  truncated(offset: number, available: number): CaptureFormatError;
}
