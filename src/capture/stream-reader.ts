/**
 * Streaming reading of a capture file from a path or a Node Readable, chunk by chunk: memory stays at
 * about one chunk plus the largest record, whatever the file size. Bytes are only buffered as they
 * arrive, never allocated from a length field.
 */
import { createReadStream } from 'node:fs';
import { CaptureRecordCursor, cursorOf, type CaptureVisitor } from './cursor.js';
import { MAGIC_LENGTH, createCaptureParser } from './detect.js';
import { CaptureFormatError } from './errors.js';
import type { CaptureInfo, CaptureRecord, CaptureSummary } from './info.js';
import type { CaptureParser } from './parser.js';

/** Options of readCapture. */
export interface ReadCaptureOptions {
  /** Bytes per read when opening a path (default 1 MiB); a Readable's own chunking is kept. */
  chunkSize?: number;
}

/** Options of CaptureReader.walk. */
export interface CaptureWalkOptions {
  /** Awaited before each chunk is read: backpressure for visitors that write (e.g. `() => writer.drained()`). */
  beforeNextChunk?: () => Promise<void> | void;
}

const DEFAULT_CHUNK_SIZE = 1 << 20;

/** Copies the first `length` bytes of `pieces` into one buffer; returns it and the pieces left after it. */
function takeBytes(pieces: readonly Uint8Array[], length: number): [Uint8Array, Uint8Array[]] {
  const taken = new Uint8Array(length);
  let offset = 0;
  let index = 0;
  while (offset < length) {
    const piece = pieces[index]!;
    const count = Math.min(piece.length, length - offset);
    taken.set(count === piece.length ? piece : piece.subarray(0, count), offset);
    offset += count;
    if (count < piece.length) return [taken, [piece.subarray(count), ...pieces.slice(index + 1)]];
    index++;
  }
  return [taken, pieces.slice(index)];
}

/**
 * A capture being read from a stream: iterate it with `for await`, or call `walk` for a faster
 * callback walk. `info` is set once the file header was read (`open()` waits for it; for pcapng it
 * waits until the first record so that the first section's interfaces are known).
 */
export class CaptureReader implements AsyncIterable<CaptureRecord> {
  /** File-level facts; undefined until the header was read. */
  info: CaptureInfo | undefined;
  /** The source's chunks; a path is opened at the first read, not when the reader is made. */
  private chunkSource: AsyncIterator<Uint8Array | string> | undefined;
  private readonly openSource: () => AsyncIterator<Uint8Array | string>;
  private readonly fileName: string | undefined;
  private parser: CaptureParser | undefined;
  /** Unparsed bytes: pieces whose total is `pendingLength`, starting at file offset `base`. */
  private pending: Uint8Array[] = [];
  private pendingLength = 0;
  private base = 0;
  /** No more records will be produced (end of input, damage, or a stopped walk). */
  private ended = false;
  /** The source is exhausted or was cancelled. */
  private sourceDone = false;
  private failure: unknown;
  private started = false;
  private readonly cursor = new CaptureRecordCursor();
  /** Records parsed but not yet delivered: snapshots for the iterator, a cursor clone read ahead by open(). */
  private queue: (CaptureRecord | CaptureRecordCursor)[] = [];
  private queueHead = 0;
  private readonly enqueue: CaptureVisitor = (record) => { this.queue.push(record.snapshot()); };
  /** open() reads at most one record ahead: it keeps a clone and pauses the parser. */
  private pausing = false;
  private readonly readAhead: CaptureVisitor = (record) => { this.queue.push(record.clone()); return false; };

  constructor(source: string | NodeJS.ReadableStream, options: ReadCaptureOptions = {}) {
    const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new RangeError(`readCapture: chunkSize must be a positive integer, got ${chunkSize}`);
    if (typeof source === 'string') {
      this.fileName = source;
      this.openSource = () => createReadStream(source, { highWaterMark: chunkSize })[Symbol.asyncIterator]();
    } else {
      this.openSource = () => source[Symbol.asyncIterator]();
    }
  }

  /** Reads until the header (and for pcapng the first record or the end) and resolves to the file info. */
  async open(): Promise<CaptureInfo> {
    while (this.queue.length === this.queueHead && !this.ended && this.failure === undefined
      && (this.info === undefined || this.info.format === 'pcapng')) {
      this.pausing = true;
      try {
        await this.pump(this.readAhead);
      } finally {
        this.pausing = false;
      }
      if (this.info !== undefined && this.info.format === 'pcap' && this.info.interfaces.length > 0) break;
    }
    if (this.info === undefined || this.info.interfaces.length === 0) {
      if (this.failure !== undefined) throw this.failure;
    }
    if (this.info === undefined) throw this.annotate(new CaptureFormatError(0, 'capture stream ended before its header'));
    return this.info;
  }

  /** Yields every record in file order as a snapshot; throws CaptureFormatError after the last good one. */
  [Symbol.asyncIterator](): AsyncIterator<CaptureRecord> {
    this.claim();
    // A hand-written iterator: a record already parsed is handed out without a generator step.
    const next = async (): Promise<IteratorResult<CaptureRecord>> => {
      for (;;) {
        if (this.queueHead < this.queue.length) return { done: false, value: this.dequeue() };
        this.queue = [];
        this.queueHead = 0;
        if (this.failure !== undefined) {
          const failure = this.failure;
          this.failure = undefined;
          this.ended = true;
          throw failure;
        }
        if (this.ended) return { done: true, value: undefined };
        try {
          await this.pump(this.enqueue);
        } catch (error) {
          await this.cancel();
          throw error;
        }
      }
    };
    return {
      next: () => (this.queueHead < this.queue.length ? Promise.resolve({ done: false, value: this.dequeue() }) : next()),
      return: async () => {
        this.queue = [];
        this.queueHead = 0;
        this.ended = true;
        if (!this.sourceDone) await this.cancel();
        return { done: true, value: undefined };
      },
    };
  }

  /** Takes the next queued record as a snapshot. */
  private dequeue(): CaptureRecord {
    const record = this.queue[this.queueHead]!;
    this.queue[this.queueHead++] = undefined as unknown as CaptureRecord;
    return record instanceof CaptureRecordCursor ? record.snapshot() : record;
  }

  /**
   * Calls `visit` for every record with the walker's reused record object (valid only during the call);
   * return false to stop. Resolves to a summary; rejects with CaptureFormatError after the last good record.
   */
  async walk(visit: CaptureVisitor, options: CaptureWalkOptions = {}): Promise<CaptureSummary> {
    this.claim();
    let stopped = false;
    try {
      // Records an earlier open() queued are visited first.
      for (const record of this.queue.slice(this.queueHead)) {
        const cursor = record instanceof CaptureRecordCursor ? record : cursorOf(record);
        if (visit(cursor, this.parser!.records - (this.queue.length - this.queueHead)) === false) { stopped = true; break; }
        this.queueHead++;
      }
      this.queue = [];
      this.queueHead = 0;
      while (!stopped && this.failure === undefined && !this.ended) {
        if (options.beforeNextChunk !== undefined) await options.beforeNextChunk();
        await this.pump(visit);
        stopped = this.parser?.stopped ?? false;
      }
      if (this.failure !== undefined) throw this.failure;
    } finally {
      if (!this.sourceDone) await this.cancel();
    }
    const parser = this.parser!;
    return { format: parser.info.format, records: parser.records, bytes: this.base, stopped, info: parser.info };
  }

  /** One reader, one consumer: a second iteration or walk would miss records. */
  private claim(): void {
    if (this.started) throw new Error('a CaptureReader can be iterated or walked only once');
    this.started = true;
  }

  private annotate(error: unknown): unknown {
    return error instanceof CaptureFormatError && this.fileName !== undefined ? error.withFile(this.fileName) : error;
  }

  private async cancel(): Promise<void> {
    this.ended = true;
    this.sourceDone = true;
    try { await this.chunkSource?.return?.(); } catch { /* the source is being abandoned */ }
  }

  /** Reads one chunk and parses every unit that became complete, visiting records with `visit`. */
  private async pump(visit: CaptureVisitor): Promise<void> {
    let chunk: IteratorResult<Uint8Array | string>;
    try {
      this.chunkSource ??= this.openSource();
      chunk = await this.chunkSource.next();
    } catch (error) {
      this.failure = this.annotate(error);
      this.ended = true;
      this.sourceDone = true;
      return;
    }
    if (chunk.done) {
      this.ended = true;
      this.sourceDone = true;
      this.finish(visit);
      return;
    }
    if (typeof chunk.value === 'string') {
      this.failure = new TypeError('readCapture: the stream yields strings; capture streams must be binary (no setEncoding)');
      await this.cancel();
      return;
    }
    if (chunk.value.length === 0) return;
    this.pending.push(chunk.value);
    this.pendingLength += chunk.value.length;
    const needed = this.parser === undefined ? MAGIC_LENGTH : this.parser.needed;
    if (this.pendingLength >= needed) this.parsePending(visit);
  }

  /**
   * Parses the buffered bytes. A single chunk is parsed in place; when a unit straddles chunks, only that
   * unit is copied into a small bridge buffer, and the rest of the last chunk is again parsed in place.
   * Keeps the incomplete tail for the next chunk.
   */
  private parsePending(visit: CaptureVisitor): void {
    try {
      while (this.pending.length > 0) {
        if (this.pending.length === 1) {
          const bytes = this.pending[0]!;
          this.parser ??= createCaptureParser(bytes);
          this.consume(bytes, this.parser.parse(bytes, 0, bytes.length, this.base, this.cursor, visit), []);
          return;
        }
        const need = this.parser === undefined ? MAGIC_LENGTH : this.parser.needed;
        if (this.pendingLength < need) return;
        const [bridge, rest] = takeBytes(this.pending, need);
        this.parser ??= createCaptureParser(bridge);
        const consumed = this.parser.parse(bridge, 0, bridge.length, this.base, this.cursor, visit);
        this.consume(bridge, consumed, rest);
        // Nothing parsed although `need` bytes were there: the unit turned out longer (its header said so).
        if (this.ended || (consumed === 0 && this.parser.needed <= need)) return;
      }
    } catch (error) {
      if (this.parser?.info.sections.length) this.info = this.parser.info;
      this.failure = this.annotate(error);
      this.ended = true;
      this.pending = [];
      this.pendingLength = 0;
      void this.cancel();
    }
  }

  /** Records that `consumed` bytes of `bytes` were parsed; what is left of it goes before `rest`. */
  private consume(bytes: Uint8Array, consumed: number, rest: Uint8Array[]): void {
    const parser = this.parser!;
    if (parser.info.sections.length > 0) this.info = parser.info;
    this.base += consumed;
    this.pendingLength -= consumed;
    this.pending = consumed < bytes.length ? [bytes.subarray(consumed), ...rest] : rest;
    if (parser.stopped) {
      if (this.pausing) {
        parser.stopped = false;
        parser.needed = 0; // parse what is buffered at the next chance
      } else {
        this.ended = true;
      }
    }
  }

  /** At the end of the input: parse what is left and report a cut-off unit. */
  private finish(visit: CaptureVisitor): void {
    // The parser sees everything left at once, so that it names a cut unit as the walker does.
    if (this.pending.length > 1) this.pending = [takeBytes(this.pending, this.pendingLength)[0]];
    if (this.pendingLength > 0) this.parsePending(visit);
    if (this.failure !== undefined) return;
    if (this.parser === undefined) {
      this.failure = this.annotate(createCaptureParserError(this.pendingLength));
    } else if (this.pendingLength > 0) {
      this.failure = this.annotate(this.parser.truncated(this.base, this.pendingLength));
    } else if (this.parser.info.sections.length === 0) {
      this.failure = this.annotate(this.parser.truncated(0, 0));
    }
  }
}

/** The error for a stream that ended before the four magic bytes. */
function createCaptureParserError(length: number): CaptureFormatError {
  return new CaptureFormatError(0, length === 0 ? 'empty capture file' : `capture file of ${length} bytes is too short for a magic number`);
}

/**
 * Streams the records of a pcap or pcapng file from a path or a Node Readable in file order, with
 * constant memory; the result also exposes `info` (after the header) and a faster callback `walk`.
 */
export function readCapture(source: string | NodeJS.ReadableStream, options?: ReadCaptureOptions): CaptureReader {
  return new CaptureReader(source, options);
}
