/**
 * `pktfilter filter --count` and `-w` over a pcap file with the WebAssembly walker
 * (src/bpf/compile-wasm-pcap.ts): the file is read chunk by chunk into one WebAssembly memory, each read
 * landing where address and file offset agree modulo FILTER_READ_ALIGNMENT (the kernel's copy is ~4x faster
 * so), and one call per chunk walks its whole records and counts the accepted ones (for -w it also lists them,
 * and their bytes are packed into an output region of the same memory and written with one call). There are no
 * fragments, no batch arrays and no second walk of the record headers; the bytes of a record cut by the chunk's
 * end move in front of the next chunk.
 *
 * With `readers` above one (-j N), the file is read by N threads at once: this thread reads one chunk of each
 * round with a synchronous read while libuv's pool reads the next N - 1 into their own regions (readAhead),
 * and this thread walks them in file order. Counting is bound by the kernel's copy from the page cache, which
 * two threads do in about half the time of one. The last rounds' worth of the file, and anything irregular
 * (a short read, a record larger than a region's carry room, damage), go back to the one-thread loop
 * (readInThread) at the first record not yet walked.
 *
 * The walk stops where it cannot go on: a captured length over MAX_CAPTURED_LENGTH (damage), or a record
 * cut off by the end of the file. It then returns that record's offset and frame number, and the caller's
 * general path (fragments.ts and the capture parser) takes over there: it reports the damage with its file
 * offset, after every record before it was counted or written, as the general path alone would.
 */
import { closeSync, fstatSync, openSync, read } from 'node:fs';
import type { RawInstruction } from '../../bpf/opcodes.js';
import { generateWasmPcapWalkModule, instantiateWasmPcapWalker, type BpfWasmPcapWalk, type BpfWasmPcapWalker } from '../../bpf/compile-wasm-pcap.js';
import { wasmApi, type WasmMemory } from '../../bpf/wasm-encoder.js';
import { MAX_CAPTURED_LENGTH } from '../../capture/limits.js';
import { CaptureFormatError, CaptureRecordCursor } from '../../capture/index.js';
import { createCaptureParser } from '../../capture/detect.js';
import { FILTER_READ_ALIGNMENT, readFully, type FilterWalkStop } from './fragments.js';

const PAGE = 65536;
const PCAP_FILE_HEADER_LENGTH = 24;
const PCAP_RECORD_HEADER_LENGTH = 16;
/** The first chunk's address: FILTER_READ_ALIGNMENT bytes below it are left free, so any file offset can be matched. */
const CHUNK_BASE = FILTER_READ_ALIGNMENT;

/**
 * Bytes of each chunk when several threads read at once (-j N): large enough that the hand-over from libuv's
 * pool to this thread (up to ~0.1 ms here) is paid rarely, small enough to stay in the caches (measured with
 * `filter -j 2 --count` on the 466 MB benchmark file: reading and walking took 58-68 ms with 2 MiB chunks, more
 * with 512 KiB or 4 MiB and much more with 8 MiB, against 75 ms for the one-thread loop).
 */
export const FILTER_READ_AHEAD_CHUNK_SIZE = 2 << 20;
/** Most readers at once (libuv's pool has four threads by default; more only cost memory). */
export const FILTER_MAX_READERS = 5;
/**
 * Room in front of each read-ahead region for the bytes of a record cut by the previous region's end: a record
 * longer than this (rare: above the usual 256 KiB snaplen) sends the walk back to the one-thread loop.
 */
const CARRY_ROOM = (256 << 10) + PCAP_RECORD_HEADER_LENGTH + FILTER_READ_ALIGNMENT;

/** What the walker counted, and where the general path must take over (absent: the whole file was walked, or the limit reached). */
export interface WasmWalkResult {
  /** Accepted records counted (at most the limit). */
  matches: number;
  /** The first record not counted: damage or a record cut off by the end of the file. */
  stop?: FilterWalkStop;
  /** The file's 24-byte header (the general path restates it when it resumes at `stop`). */
  header: Uint8Array;
}

/** Gives the program for the file's link type (its checked 24-byte header beside it), or undefined where the expression is refused for it. */
export type WasmWalkProgramFor = (linkType: number, header: Uint8Array) => readonly RawInstruction[] | undefined;

/** What a walk does besides counting. */
export interface WasmWalkOptions {
  /** Bytes read at a time by the one-thread loop. */
  chunkSize: number;
  /** Stop after this many accepted records. */
  limit: number;
  /**
   * Receives the accepted records of each chunk (at most the limit left), headers and data back to back as
   * in the file, as `bytes[start, start + length)`; valid only during the call. Absent: count only.
   */
  write?: (bytes: Uint8Array, start: number, length: number) => void;
  /** Threads reading the file at once (default 1: this thread alone). */
  readers?: number;
  /** Bytes each reader reads per round when `readers` is above one (default FILTER_READ_AHEAD_CHUNK_SIZE; rounded up to FILTER_READ_ALIGNMENT). */
  readAheadChunkSize?: number;
}

/** Bytes of the area where a walk of `span` bytes lists its accepted records (a word each; a record is at least a header). */
const listRoom = (span: number): number => 4 * Math.ceil(span / PCAP_RECORD_HEADER_LENGTH);

/** Rounds `value` up to a multiple of FILTER_READ_ALIGNMENT. */
const aligned = (value: number): number => Math.ceil(value / FILTER_READ_ALIGNMENT) * FILTER_READ_ALIGNMENT;

/** One walk over one file: the walker, its memory and file, the options, and how far it has got. */
interface Walk {
  walker: BpfWasmPcapWalker;
  memory: WasmMemory;
  bytes: Uint8Array;
  descriptor: number;
  bigEndian: boolean;
  limit: number;
  write: WasmWalkOptions['write'];
  /** File offset of the first record not yet walked. */
  fileOffset: number;
  /** Records walked. */
  frame: number;
  /** Accepted records counted. */
  matches: number;
}

/** How a stretch of the walk ended: at the file's end or the limit, at a record it cannot walk (its stop), or with the rest left to the one-thread loop. */
interface Ending { done: boolean; stop?: FilterWalkStop }

/**
 * Walks the records in [start, end) and, when writing, packs the accepted ones (at most the limit left) into
 * `bytes[outputAt…]` and hands them to `write`; the matches list goes at `matchesAt`. Updates the walk's
 * count, frame and file offset (`start` lies at its file offset), and returns the walker's stop address.
 */
function walkChunk(walk: Walk, start: number, end: number, matchesAt: number, outputAt: number): number {
  const options = { bigEndian: walk.bigEndian, largestRecord: MAX_CAPTURED_LENGTH };
  const left = walk.limit - walk.matches;
  let result: BpfWasmPcapWalk;
  if (walk.write === undefined) {
    result = walk.walker.count(start, end, options);
  } else {
    result = walk.walker.list(start, end, matchesAt, options);
    const take = Math.min(result.accepted, left);
    const view = new DataView(walk.bytes.buffer);
    let length = 0;
    for (let i = 0; i < take; i++) {
      const at = view.getUint32(matchesAt + 4 * i, true);
      const recordLength = PCAP_RECORD_HEADER_LENGTH + view.getUint32(at + 8, !walk.bigEndian);
      walk.bytes.copyWithin(outputAt + length, at, at + recordLength);
      length += recordLength;
    }
    if (length > 0) walk.write(walk.bytes, outputAt, length);
  }
  walk.matches += Math.min(result.accepted, left);
  walk.frame += result.records;
  walk.fileOffset += result.position - start;
  return result.position;
}

/** The open file's checked pcap header and a walker of its program (its one walk: counting, or listing when `writing`) over a memory of `bytes` bytes (undefined: the general path does it all). */
function prepareWalk(descriptor: number, programFor: WasmWalkProgramFor, bytes: number, writing: boolean): { header: PcapHeader; memory: WasmMemory; walker: BpfWasmPcapWalker } | undefined {
  const header = readCheckedPcapHeader(descriptor);
  if (header === undefined) return undefined;
  const program = programFor(header.linkType, header.bytes);
  if (program === undefined) return undefined;
  try {
    // The module first: its generation is plain JavaScript, which so also runs (and stays compiled) in the
    // warm-up of the start-up snapshot, where WebAssembly is absent.
    const wasm = generateWasmPcapWalkModule(program, { bigEndian: header.bigEndian, list: writing });
    const memory = new (wasmApi().Memory)({ initial: Math.ceil(bytes / PAGE) });
    return { header, memory, walker: instantiateWasmPcapWalker(wasm, memory) };
  } catch {
    // A program the walker refuses (BpfError), no WebAssembly, or no memory for it: the general path counts the same.
    return undefined;
  }
}

/**
 * Why a walk stopped with `rest` bytes left at `position`: the bytes the record there needs in all (its header,
 * then its captured length), or 'damage' for a captured length over MAX_CAPTURED_LENGTH.
 */
function neededAt(bytes: Uint8Array, position: number, rest: number, bigEndian: boolean): number | 'damage' {
  if (rest < PCAP_RECORD_HEADER_LENGTH) return PCAP_RECORD_HEADER_LENGTH;
  const capturedLength = new DataView(bytes.buffer, position + 8, 4).getUint32(0, !bigEndian);
  return capturedLength > MAX_CAPTURED_LENGTH ? 'damage' : PCAP_RECORD_HEADER_LENGTH + capturedLength;
}

/** Memory layout of the one-thread loop: its chunk region (growing for records larger than a chunk), then the matches list and the output region when writing. */
interface InThreadLayout { chunkEnd: number }
const inThreadMatchesAt = ({ chunkEnd }: InThreadLayout): number => chunkEnd;
const inThreadOutputAt = (layout: InThreadLayout): number => layout.chunkEnd + listRoom(layout.chunkEnd);
const inThreadMemoryEnd = (layout: InThreadLayout, writing: boolean): number => (writing ? inThreadOutputAt(layout) + layout.chunkEnd : layout.chunkEnd);

/** The one-thread loop: reads and walks from the walk's file offset to the file's end, the limit, or a record it cannot walk. */
function readInThread(walk: Walk, chunkSize: number): Ending {
  const layout: InThreadLayout = { chunkEnd: CHUNK_BASE + FILTER_READ_ALIGNMENT + chunkSize };
  const writing = walk.write !== undefined;
  if (inThreadMemoryEnd(layout, writing) > walk.bytes.length) growTo(walk, inThreadMemoryEnd(layout, writing));
  /** The bytes of the first record not yet walked (`carried` of them) lie at `chunk`. */
  let chunk = CHUNK_BASE + (walk.fileOffset % FILTER_READ_ALIGNMENT);
  let carried = 0;
  let ended = false;
  for (;;) {
    // Fill the chunk region after the carried bytes (file offset fileOffset + carried lands at an address agreeing with it).
    let filled = carried;
    if (!ended) {
      const wanted = layout.chunkEnd - chunk - filled;
      const count = readFully(walk.descriptor, walk.bytes, chunk + filled, wanted, walk.fileOffset + filled);
      ended = count < wanted;
      filled += count;
    }
    const position = walkChunk(walk, chunk, chunk + filled, inThreadMatchesAt(layout), inThreadOutputAt(layout));
    if (walk.matches >= walk.limit) return { done: true };
    const rest = chunk + filled - position;
    if (rest === 0 && ended) return { done: true };
    // The walk stopped at a record it could not finish: damage, the file's end, or the chunk's end.
    const needed = neededAt(walk.bytes, position, rest, walk.bigEndian);
    if (needed === 'damage' || ended) return { done: true, stop: { offset: walk.fileOffset, frame: walk.frame } };
    // Carry the record's bytes to the front (at the address its file offset calls for), growing the chunk region for a record larger than it.
    const next = CHUNK_BASE + (walk.fileOffset % FILTER_READ_ALIGNMENT);
    if (next + needed > layout.chunkEnd) {
      layout.chunkEnd = next + needed;
      if (inThreadMemoryEnd(layout, writing) > walk.bytes.length) growTo(walk, inThreadMemoryEnd(layout, writing));
    }
    walk.bytes.copyWithin(next, position, position + rest);
    chunk = next;
    carried = rest;
  }
}

/** Grows the walk's memory to at least `end` bytes (no read may be in flight: growing moves the buffer). */
function growTo(walk: Walk, end: number): void {
  walk.memory.grow(Math.ceil((end - walk.bytes.length) / PAGE));
  walk.bytes = new Uint8Array(walk.memory.buffer);
}

/**
 * Memory layout of the read-ahead: 2 x `readers` regions, each CARRY_ROOM then a chunk (chunk k goes to region
 * k mod 2 x readers, so a region is read into again only after its chunk was walked), then the matches list and
 * the output region when writing.
 */
interface ReadAheadLayout { readers: number; chunkSize: number; regions: number; regionSize: number; listAt: number; outputAt: number; end: number }

/** The read-ahead layout for `readers` readers of `chunkSize` bytes (a multiple of FILTER_READ_ALIGNMENT), when writing or not. */
function readAheadLayout(readers: number, chunkSize: number, writing: boolean): ReadAheadLayout {
  const regions = 2 * readers;
  const regionSize = CARRY_ROOM + chunkSize + FILTER_READ_ALIGNMENT;
  const listAt = CHUNK_BASE + regions * regionSize;
  const span = CARRY_ROOM + chunkSize;
  const outputAt = listAt + listRoom(span);
  return { readers, chunkSize, regions, regionSize, listAt, outputAt, end: writing ? outputAt + span : listAt };
}

/** Reads `length` bytes at file offset `position` into `bytes[at…]` on libuv's pool; resolves with the bytes read (-1 for an error, kept in `failure`). */
function readOnPool(descriptor: number, bytes: Uint8Array, at: number, length: number, position: number, failure: { error?: unknown }): Promise<number> {
  return new Promise((resolve) => {
    read(descriptor, bytes, at, length, position, (error, count) => {
      if (error) failure.error ??= error;
      resolve(error ? -1 : count);
    });
  });
}

/**
 * The read-ahead: the file from the walk's offset in chunks; chunk k is read by this thread when k is a multiple
 * of `readers`, otherwise on libuv's pool, which has up to `readers - 1` reads queued, in file order, none reaching
 * round the ring of regions to the region of the chunk before the one being walked (measured on the 2-core benchmark machine: giving the
 * pool a larger share, or all the reads, or deeper queues, was slower: each hand-over from the pool costs up to
 * ~90 us here, and this thread's own reads run faster than the pool's). This thread walks the chunks in order, the
 * bytes of a record cut by one chunk's end moved into the carry room in front of the next. Stops at the limit,
 * or leaves the walk (its file offset at the first record not walked, every read finished) for the one-thread
 * loop: at the first chunk the file does not fill, or at anything irregular (a short read, damage, a record
 * longer than the carry room).
 */
async function readAhead(walk: Walk, layout: ReadAheadLayout, fileSize: number): Promise<Ending> {
  const { readers, chunkSize, regions, regionSize } = layout;
  if (layout.end > walk.bytes.length) growTo(walk, layout.end);
  const base = walk.fileOffset;
  const fits = (chunk: number): boolean => base + (chunk + 1) * chunkSize <= fileSize;
  // Every chunk's file offset agrees with base modulo the alignment (chunkSize is a multiple of it).
  const chunkAt = (chunk: number): number => CHUNK_BASE + (chunk % regions) * regionSize + CARRY_ROOM + (base % FILTER_READ_ALIGNMENT);
  const failure: { error?: unknown } = {};
  const pending = new Map<number, Promise<number>>();
  /** The next chunk to consider for the pool. */
  let next = 1;
  /**
   * Queues the pool's next chunks while fewer than readers - 1 are queued, short of the region of the chunk before
   * `current` (which still holds the bytes carried into `current` until they move: chunks from there on wait).
   */
  const fillPool = (current: number): void => {
    while (pending.size < readers - 1) {
      if (next % readers === 0) next++;
      if (next - current >= regions - 1 || !fits(next)) return;
      pending.set(next, readOnPool(walk.descriptor, walk.bytes, chunkAt(next), chunkSize, base + next * chunkSize, failure));
      next++;
    }
  };
  /** The bytes of the first record not yet walked, read but not walked: `carried` of them at `carriedFrom`. */
  let carriedFrom = 0;
  let carried = 0;
  let ending: Ending = { done: false };
  try {
    for (let chunk = 0; fits(chunk); chunk++) {
      fillPool(chunk);
      const at = chunkAt(chunk);
      let count: number;
      if (chunk % readers === 0) {
        // This thread's chunk: the carried bytes move in front of it first (no read writes there).
        walk.bytes.copyWithin(at - carried, carriedFrom, carriedFrom + carried);
        count = readFully(walk.descriptor, walk.bytes, at, chunkSize, base + chunk * chunkSize);
      } else {
        count = await pending.get(chunk)!;
        pending.delete(chunk);
        fillPool(chunk);
        walk.bytes.copyWithin(at - carried, carriedFrom, carriedFrom + carried);
      }
      if (count !== chunkSize) break;
      const position = walkChunk(walk, at - carried, at + chunkSize, layout.listAt, layout.outputAt);
      if (walk.matches >= walk.limit) {
        ending = { done: true };
        break;
      }
      carriedFrom = position;
      carried = at + chunkSize - position;
      // A record the next chunk's carry room cannot take (damage, or too long): the one-thread loop decides.
      const needed = neededAt(walk.bytes, position, carried, walk.bigEndian);
      if (needed === 'damage' || needed > CARRY_ROOM - FILTER_READ_ALIGNMENT) break;
    }
  } finally {
    // No read may still write into the memory when this returns (or throws).
    await Promise.all(pending.values());
  }
  if (failure.error !== undefined) throw failure.error;
  return ending;
}

/**
 * Counts (and with `write`, writes) the records of the pcap file at `path` that the program for its link type
 * accepts, up to `limit` matches, reading with `readers` threads. Returns undefined, having done nothing, where the
 * general path must do all the work: the file is not pcap or its header is damaged (the parser reports it),
 * the expression is refused for the link type, or the WebAssembly walker cannot run the program (a backward
 * jump, or no WebAssembly in this runtime).
 */
export async function walkPcapInWasm(path: string, programFor: WasmWalkProgramFor, { chunkSize, limit, write, readers = 1, readAheadChunkSize = FILTER_READ_AHEAD_CHUNK_SIZE }: WasmWalkOptions): Promise<WasmWalkResult | undefined> {
  const writing = write !== undefined;
  const readerCount = Math.max(1, Math.min(FILTER_MAX_READERS, Math.floor(readers)));
  const aheadLayout = readerCount > 1 ? readAheadLayout(readerCount, aligned(Math.max(1, readAheadChunkSize)), writing) : undefined;
  const descriptor = openSync(path, 'r');
  try {
    const prepared = prepareWalk(descriptor, programFor, Math.max(inThreadMemoryEnd({ chunkEnd: CHUNK_BASE + FILTER_READ_ALIGNMENT + chunkSize }, writing), aheadLayout?.end ?? 0), writing);
    if (prepared === undefined) return undefined;
    const { header, memory, walker } = prepared;
    const walk: Walk = {
      walker, memory, bytes: new Uint8Array(memory.buffer), descriptor, bigEndian: header.bigEndian, limit, write,
      fileOffset: PCAP_FILE_HEADER_LENGTH, frame: 0, matches: 0,
    };
    let ending: Ending = { done: false };
    if (aheadLayout !== undefined) ending = await readAhead(walk, aheadLayout, fstatSync(descriptor).size);
    if (!ending.done) ending = readInThread(walk, chunkSize);
    return { matches: walk.matches, ...(ending.stop !== undefined ? { stop: ending.stop } : {}), header: header.bytes };
  } finally {
    closeSync(descriptor);
  }
}

/** A pcap file header the capture parser accepts. */
interface PcapHeader { bytes: Uint8Array; bigEndian: boolean; linkType: number }

/** The pcap file header of the open file `descriptor`, when the capture parser accepts it (magic, version), with its byte order and link type. */
function readCheckedPcapHeader(descriptor: number): PcapHeader | undefined {
  const bytes = new Uint8Array(PCAP_FILE_HEADER_LENGTH);
  if (readFully(descriptor, bytes, 0, PCAP_FILE_HEADER_LENGTH, 0) < PCAP_FILE_HEADER_LENGTH) return undefined;
  try {
    const parser = createCaptureParser(bytes);
    if (parser.info.format !== 'pcap') return undefined;
    parser.parse(bytes, 0, bytes.length, 0, new CaptureRecordCursor(), () => true);
    return { bytes, bigEndian: parser.info.bigEndian, linkType: parser.info.linkType };
  } catch (error) {
    if (error instanceof CaptureFormatError) return undefined;
    throw error;
  }
}
