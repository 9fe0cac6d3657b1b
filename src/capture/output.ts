/**
 * Byte output shared by the writers: a growable buffer that encoders append to, and a sink that hands
 * full buffers to a Node Writable (or a file it opens), honouring backpressure.
 */
import { createWriteStream } from 'node:fs';
import { CaptureWriteError } from './errors.js';

/** Checks a length or number field a writer is given: an integer that fits 32 unsigned bits. */
export function checkUint32(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new CaptureWriteError(`${what} ${value} is not an unsigned 32-bit integer`);
  }
  return value;
}

/** A growable byte buffer with a DataView, written at `length`. */
export class OutputBuffer {
  bytes: Uint8Array;
  view: DataView;
  length = 0;

  constructor(capacity = 1 << 16) {
    // Every byte is written before it is handed out, so the buffers need no zero fill.
    this.bytes = Buffer.allocUnsafe(capacity);
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  }

  /** Makes room for `extra` more bytes and returns the offset where they go. */
  reserve(extra: number): number {
    const needed = this.length + extra;
    if (needed > this.bytes.length) {
      let capacity = this.bytes.length * 2;
      while (capacity < needed) capacity *= 2;
      const grown = Buffer.allocUnsafe(capacity);
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
      this.view = new DataView(grown.buffer, grown.byteOffset, grown.byteLength);
    }
    const offset = this.length;
    this.length = needed;
    return offset;
  }

  /** Hands over the written bytes and starts a fresh buffer of the same capacity. */
  take(): Uint8Array {
    const written = this.bytes.subarray(0, this.length);
    this.bytes = Buffer.allocUnsafe(Math.max(1 << 16, Math.min(this.bytes.length, 1 << 20)));
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    this.length = 0;
    return written;
  }
}

/** The promise writers return when the output can take more at once. */
export const RESOLVED: Promise<void> = Promise.resolve();

/** Flush threshold of the stream writers. */
export const FLUSH_THRESHOLD = 1 << 18;

/** Where a writer's bytes go: a Node Writable, or a file path opened for writing. */
export type CaptureWriteTarget = string | NodeJS.WritableStream;

/**
 * Writes buffers to a Writable without blocking, and lets writers wait for 'drain' when the stream
 * asks to (one shared wait, however many writes happen before it); remembers the stream's first error.
 */
export class StreamSink {
  private readonly stream: NodeJS.WritableStream;
  private readonly ownsStream: boolean;
  private failure: Error | undefined;
  private closed = false;
  private waiting: Promise<void> | undefined;

  constructor(target: CaptureWriteTarget) {
    this.ownsStream = typeof target === 'string';
    // A deep buffer for files lets the disk write overlap with encoding instead of waiting at every flush.
    this.stream = typeof target === 'string' ? createWriteStream(target, { highWaterMark: 4 << 20 }) : target;
    this.stream.on('error', (error: Error) => { this.failure ??= error; });
  }

  /** Throws the stream's error, or a CaptureWriteError when the writer was closed. */
  check(what: string): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.closed) throw new CaptureWriteError(`${what}: the writer is closed`);
  }

  /** Hands `bytes` (which the caller no longer touches) to the stream; never waits. */
  flush(bytes: Uint8Array): void {
    if (bytes.length === 0 || this.failure !== undefined) return;
    if (this.stream.write(bytes) || this.waiting !== undefined) return;
    const waiting = new Promise<void>((resolve, reject) => {
      const onDrain = (): void => { this.stream.off('error', onError); this.waiting = undefined; resolve(); };
      const onError = (error: Error): void => { this.stream.off('drain', onDrain); this.waiting = undefined; reject(error); };
      this.stream.once('drain', onDrain);
      this.stream.once('error', onError);
    });
    // The error also surfaces through check() and close(); a wait nobody awaits must not crash the process.
    waiting.catch(() => {});
    this.waiting = waiting;
  }

  /** Resolves when the stream can take more (at once unless it asked to wait); rejects with its error. */
  drained(): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return this.waiting ?? RESOLVED;
  }

  /** Writes the last bytes and ends the stream when the sink opened it (a caller's stream is left open). */
  async close(last: Uint8Array): Promise<void> {
    if (this.closed) return;
    this.flush(last);
    this.closed = true;
    await this.drained();
    if (!this.ownsStream) return;
    await new Promise<void>((resolve, reject) => {
      const stream = this.stream;
      if (this.failure !== undefined) { reject(this.failure); return; }
      stream.once('error', reject);
      stream.once('close', () => (this.failure !== undefined ? reject(this.failure) : resolve()));
      stream.end();
    });
  }
}

/** What the pcap and pcapng writers share: the encoded bytes not yet written, and the stream they drain into. */
export abstract class BufferedCaptureWriter<Record> {
  protected readonly out = new OutputBuffer();
  protected readonly sink: StreamSink;

  protected constructor(target: CaptureWriteTarget) {
    this.sink = new StreamSink(target);
  }

  /** Appends one record without waiting (see the subclass for what it refuses). */
  abstract append(record: Record): void;

  /** Hands the buffered bytes to the stream once there are enough of them. */
  protected flushWhenFull(): void {
    if (this.out.length >= FLUSH_THRESHOLD) this.sink.flush(this.out.take());
  }

  /** Appends one record and resolves once the output can take more (rejects on bad input or a stream error). */
  write(record: Record): Promise<void> {
    try {
      this.append(record);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.sink.drained();
  }

  /** Resolves when the output stream can take more; rejects with the stream's error. */
  drained(): Promise<void> {
    return this.sink.drained();
  }

  /** Flushes everything and, for a path, closes the file. */
  async close(): Promise<void> {
    await this.sink.close(this.out.take());
  }
}
