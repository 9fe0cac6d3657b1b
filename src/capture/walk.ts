/** Synchronous reading of a whole capture file held in memory (the hot path). */
import { CaptureRecordCursor, type CaptureVisitor } from './cursor.js';
import { createCaptureParser } from './detect.js';
import type { CaptureInfo, CaptureRecord, CaptureSummary } from './info.js';

/**
 * Walks every record of a pcap or pcapng file in `bytes`, calling `visit` with one reused record object
 * (copy it with `record.snapshot()` to keep it); return false from `visit` to stop. Throws
 * CaptureFormatError at the first damage, after visiting every complete record before it.
 */
export function walkCapture(bytes: Uint8Array, visit: CaptureVisitor): CaptureSummary {
  const parser = createCaptureParser(bytes);
  const cursor = new CaptureRecordCursor();
  const consumed = parser.parse(bytes, 0, bytes.length, 0, cursor, visit);
  if (!parser.stopped && consumed < bytes.length) throw parser.truncated(consumed, bytes.length - consumed);
  return { format: parser.info.format, records: parser.records, bytes: consumed, stopped: parser.stopped, info: parser.info };
}

/** Reads every record of a file in memory into an array of snapshots whose `data` are views of `bytes`. */
export function readCaptureSync(bytes: Uint8Array): { records: CaptureRecord[]; info: CaptureInfo } {
  const records: CaptureRecord[] = [];
  const summary = walkCapture(bytes, (record) => { records.push(record.snapshot()); });
  return { records, info: summary.info };
}
