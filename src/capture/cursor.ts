/**
 * The record object the synchronous walker reuses for every record (no allocation per record): its
 * fields are overwritten before each visit, so a visitor that keeps a record must call `snapshot()`.
 * `timestampNs`, `data` and `comment` are computed on access from the raw fields.
 */
import type { CaptureRecord, PcapngPacketBlockType } from './info.js';
import { firstComment } from './pcapng-options.js';
import type { PacketRecord } from './record.js';
import { ZERO_CLOCK, type TimestampClock } from './timestamp.js';

const EMPTY = new Uint8Array(0);

/** A reusable view of the current record of a walk: valid only until the visitor returns. */
export class CaptureRecordCursor implements PacketRecord {
  /** The buffer the record lies in (the whole file for walkCapture, a chunk when streaming). */
  buffer: Uint8Array = EMPTY;
  /** A DataView over `buffer`. */
  view: DataView = new DataView(EMPTY.buffer);
  /** Offset of the captured bytes in `buffer` (lets hot consumers read without a subarray). */
  dataOffset = 0;
  capturedLength = 0;
  wireLength = 0;
  linkType = 0;
  interfaceIndex = 0;
  /** Byte offset in the file of the record header (pcap) or block (pcapng). */
  fileOffset = 0;
  /** Raw timestamp words: pcap seconds and fraction, pcapng high and low unit words. */
  timestampHigh = 0;
  timestampLow = 0;
  /** Converts the raw words to nanoseconds. */
  clock: TimestampClock = ZERO_CLOCK;
  /** pcapng option region of the record's block in `buffer` (empty for pcap). */
  optionsStart = 0;
  optionsEnd = 0;
  /** Byte order of the options. */
  littleEndian = true;
  /** pcapng block that carried the record: 'enhanced', 'simple' or 'packet' (undefined for pcap). */
  blockType: PcapngPacketBlockType | undefined = undefined;
  /** A comment known in advance (set by cursorOf), read before the options. */
  knownComment: string | undefined = undefined;

  /** Capture time in nanoseconds since the epoch. */
  get timestampNs(): bigint {
    return this.clock.toNanoseconds(this.timestampHigh, this.timestampLow);
  }

  /** The last `data` view handed out, reused while the cursor stays on the same record. */
  private lastData: Uint8Array = EMPTY;

  /** The captured bytes: a subarray of `buffer` (no copy; `buffer` and `dataOffset` avoid even the view). */
  get data(): Uint8Array {
    const last = this.lastData;
    if (last.buffer === this.buffer.buffer && last.byteOffset === this.buffer.byteOffset + this.dataOffset && last.length === this.capturedLength) {
      return last;
    }
    return (this.lastData = this.buffer.subarray(this.dataOffset, this.dataOffset + this.capturedLength));
  }

  /** The pcapng opt_comment of the record, if any. */
  get comment(): string | undefined {
    if (this.knownComment !== undefined) return this.knownComment;
    if (this.optionsEnd - this.optionsStart < 4) return undefined;
    return firstComment(this.buffer, this.view, this.optionsStart, this.optionsEnd, this.littleEndian);
  }

  /** A plain object with this record's values that stays valid after the walk moves on (the bytes are not copied). */
  snapshot(): CaptureRecord {
    const record: CaptureRecord = {
      timestampNs: this.timestampNs,
      capturedLength: this.capturedLength,
      wireLength: this.wireLength,
      linkType: this.linkType,
      interfaceIndex: this.interfaceIndex,
      data: this.data,
      fileOffset: this.fileOffset,
    };
    const comment = this.comment;
    if (comment !== undefined) record.comment = comment;
    if (this.blockType !== undefined && this.blockType !== 'enhanced') record.blockType = this.blockType;
    return record;
  }

  /** A separate cursor on the same record (same buffer, raw timestamp words and clock). */
  clone(): CaptureRecordCursor {
    const copy = new CaptureRecordCursor();
    copy.buffer = this.buffer;
    copy.view = this.view;
    copy.dataOffset = this.dataOffset;
    copy.capturedLength = this.capturedLength;
    copy.wireLength = this.wireLength;
    copy.linkType = this.linkType;
    copy.interfaceIndex = this.interfaceIndex;
    copy.fileOffset = this.fileOffset;
    copy.timestampHigh = this.timestampHigh;
    copy.timestampLow = this.timestampLow;
    copy.clock = this.clock;
    copy.optionsStart = this.optionsStart;
    copy.optionsEnd = this.optionsEnd;
    copy.littleEndian = this.littleEndian;
    copy.blockType = this.blockType;
    copy.knownComment = this.knownComment;
    return copy;
  }
}

/** A visitor of records: return `false` to stop the walk. */
export type CaptureVisitor = (record: CaptureRecordCursor, index: number) => void | boolean;

/** A cursor showing one snapshot record (for visitors fed from records parsed earlier). */
export function cursorOf(record: CaptureRecord): CaptureRecordCursor {
  const cursor = new CaptureRecordCursor();
  cursor.buffer = record.data;
  cursor.view = new DataView(record.data.buffer, record.data.byteOffset, record.data.byteLength);
  cursor.dataOffset = 0;
  cursor.capturedLength = record.capturedLength;
  cursor.wireLength = record.wireLength;
  cursor.linkType = record.linkType;
  cursor.interfaceIndex = record.interfaceIndex;
  cursor.fileOffset = record.fileOffset;
  const timestampNs = record.timestampNs;
  cursor.clock = { toNanoseconds: () => timestampNs };
  cursor.knownComment = record.comment;
  cursor.blockType = record.blockType;
  return cursor;
}
