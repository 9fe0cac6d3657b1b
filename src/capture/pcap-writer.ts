import { CaptureRecordCursor } from './cursor.js';
import { CaptureWriteError } from './errors.js';
import type { CaptureRecordInput } from './info.js';
import { BufferedCaptureWriter, OutputBuffer, checkUint32, type CaptureWriteTarget } from './output.js';
import type { PacketRecord } from './record.js';
import { PcapClock, pcapTimestampWords } from './timestamp.js';

/** Options of a pcap file header. */
export interface PcapWriteOptions {
  linkType: number;
  /** Snapshot length written in the header; default 262144. */
  snaplen?: number;
  /** Nanosecond magic (a1b23c4d) instead of microsecond (a1b2c3d4); default false. */
  nanosecond?: boolean;
  /** Write big-endian; default little-endian. */
  bigEndian?: boolean;
}

type RecordInput = Pick<PacketRecord, 'data' | 'timestampNs'> & Partial<Pick<PacketRecord, 'wireLength'>>;

/** Encodes whole records as one classic pcap file in memory (tests, corpus, small outputs). */
export function encodePcap(records: Iterable<RecordInput>, options: PcapWriteOptions): Uint8Array {
  const list = [...records];
  const size = 24 + list.reduce((sum, r) => sum + 16 + r.data.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  const little = !options.bigEndian;
  view.setUint32(0, options.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4, little);
  view.setUint16(4, 2, little);
  view.setUint16(6, 4, little);
  view.setUint32(16, options.snaplen ?? 262144, little);
  view.setUint32(20, options.linkType, little);
  let offset = 24;
  const divisor = options.nanosecond ? 1n : 1000n;
  for (const r of list) {
    const seconds = r.timestampNs / 1_000_000_000n;
    const fraction = (r.timestampNs % 1_000_000_000n) / divisor;
    view.setUint32(offset, Number(seconds), little);
    view.setUint32(offset + 4, Number(fraction), little);
    view.setUint32(offset + 8, r.data.length, little);
    view.setUint32(offset + 12, r.wireLength ?? r.data.length, little);
    out.set(r.data, offset + 16);
    offset += 16 + r.data.length;
  }
  return out;
}

// Streaming pcap writer and its record encoder.

/** Appends the 24-byte pcap file header to `out`. */
export function appendPcapFileHeader(out: OutputBuffer, options: PcapWriteOptions): void {
  const little = !options.bigEndian;
  const offset = out.reserve(24);
  const view = out.view;
  view.setUint32(offset, options.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4, little);
  view.setUint16(offset + 4, 2, little);
  view.setUint16(offset + 6, 4, little);
  view.setInt32(offset + 8, 0, little);
  view.setUint32(offset + 12, 0, little);
  view.setUint32(offset + 16, checkUint32(options.snaplen ?? 262144, 'pcap snaplen'), little);
  view.setUint32(offset + 20, checkUint32(options.linkType, 'pcap link type'), little);
}

/** Appends one record (16-byte header and the bytes unchanged) to `out`. */
export function appendPcapRecord(out: OutputBuffer, record: CaptureRecordInput, options: PcapWriteOptions): void {
  const little = !options.bigEndian;
  const data = record.data;
  const wireLength = checkUint32(record.wireLength ?? data.length, 'wire length');
  const nanosecond = options.nanosecond === true;
  let seconds: number;
  let fraction: number;
  if (record instanceof CaptureRecordCursor && record.clock instanceof PcapClock && record.clock.nanosecond === nanosecond) {
    // A record of a pcap file of the same resolution: copy its timestamp words as they are.
    seconds = record.timestampHigh;
    fraction = record.timestampLow;
  } else {
    [seconds, fraction] = pcapTimestampWords(record.timestampNs, nanosecond);
  }
  const offset = out.reserve(16 + data.length);
  const view = out.view;
  view.setUint32(offset, seconds, little);
  view.setUint32(offset + 4, fraction, little);
  view.setUint32(offset + 8, data.length, little);
  view.setUint32(offset + 12, wireLength, little);
  out.bytes.set(data, offset + 16);
}

/**
 * Writes a pcap file record by record to a Node Writable or a path, in the chosen byte order and time
 * resolution; the record bytes are copied unchanged. Await `write` for backpressure and `close` at the end.
 */
export class PcapWriter extends BufferedCaptureWriter<CaptureRecordInput> {
  /** Records written so far. */
  recordsWritten = 0;

  constructor(target: CaptureWriteTarget, private readonly options: PcapWriteOptions) {
    super(target);
    appendPcapFileHeader(this.out, options);
  }

  /**
   * Appends one record (its bytes are copied at once) without waiting; throws CaptureWriteError for a
   * record pcap cannot hold. Await `drained()` now and then (for example once per chunk read).
   */
  append(record: CaptureRecordInput): void {
    this.sink.check('PcapWriter.write');
    try {
      appendPcapRecord(this.out, record, this.options);
    } catch (error) {
      throw error instanceof CaptureWriteError ? new CaptureWriteError(`pcap record ${this.recordsWritten}: ${error.message}`) : error;
    }
    this.recordsWritten++;
    this.flushWhenFull();
  }
}
