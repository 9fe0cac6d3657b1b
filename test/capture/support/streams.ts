/** Node stream helpers for capture tests: an in-memory Writable and a Readable of given chunks. */
import { Readable, Writable } from 'node:stream';
import type { CaptureRecord } from '../../../src/capture/info.js';
import { readCapture } from '../../../src/capture/stream-reader.js';
import { chunksOf } from './arbitraries.js';

/** A Writable that keeps everything written; `bytes()` joins it. */
export function memoryWritable(): { stream: Writable; bytes: () => Uint8Array } {
  const parts: Buffer[] = [];
  const stream = new Writable({ write(chunk: Buffer, _encoding, callback) { parts.push(chunk); callback(); } });
  return { stream, bytes: () => new Uint8Array(Buffer.concat(parts)) };
}

/** Streams `bytes` through readCapture in chunks of `chunkSize` and collects snapshots (and the error, if any). */
export async function streamRecords(bytes: Uint8Array, chunkSize: number): Promise<{ records: CaptureRecord[]; error: unknown }> {
  const records: CaptureRecord[] = [];
  let error: unknown;
  try {
    for await (const record of readCapture(Readable.from(chunksOf(bytes, chunkSize)))) records.push(record);
  } catch (caught) {
    error = caught;
  }
  return { records, error };
}
