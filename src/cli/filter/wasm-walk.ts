/**
 * `pktfilter filter --count` and `-w` over a pcap file with the WebAssembly walker
 * (src/bpf/compile-wasm-pcap.ts): the file is read chunk by chunk into one WebAssembly memory, each read
 * landing where address and file offset agree modulo FILTER_READ_ALIGNMENT (the kernel's copy is ~4x faster
 * so), and one call per chunk walks its whole records and counts the accepted ones (for -w it also lists them,
 * and their bytes are packed into an output region of the same memory and written with one call). There are no
 * fragments, no batch arrays and no second walk of the record headers; the bytes of a record cut by the chunk's
 * end move in front of the next chunk.
 *
 * The walk stops where it cannot go on: a captured length over MAX_CAPTURED_LENGTH (damage), or a record
 * cut off by the end of the file. It then returns that record's offset and frame number, and the caller's
 * general path (fragments.ts and the capture parser) takes over there: it reports the damage with its file
 * offset, after every record before it was counted or written, as the general path alone would.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { RawInstruction } from '../../bpf/opcodes.js';
import { compileToWasmPcapWalker, type BpfWasmPcapWalk, type BpfWasmPcapWalker } from '../../bpf/compile-wasm-pcap.js';
import { wasmApi, type WasmMemory } from '../../bpf/wasm-encoder.js';
import { MAX_CAPTURED_LENGTH } from '../../capture/limits.js';
import { CaptureFormatError, CaptureRecordCursor } from '../../capture/index.js';
import { createCaptureParser } from '../../capture/detect.js';
import { FILTER_READ_ALIGNMENT, type FilterWalkStop } from './fragments.js';

const PAGE = 65536;
const PCAP_FILE_HEADER_LENGTH = 24;
const PCAP_RECORD_HEADER_LENGTH = 16;
/** The first chunk's address: FILTER_READ_ALIGNMENT bytes below it are left free, so any file offset can be matched. */
const CHUNK_BASE = FILTER_READ_ALIGNMENT;

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
  /** Bytes read at a time. */
  chunkSize: number;
  /** Stop after this many accepted records. */
  limit: number;
  /**
   * Receives the accepted records of each chunk (at most the limit left), headers and data back to back as
   * in the file, as `bytes[start, start + length)`; valid only during the call. Absent: count only.
   */
  write?: (bytes: Uint8Array, start: number, length: number) => void;
}

/** Bytes of the area where a walk of `span` bytes lists its accepted records (a word each; a record is at least a header). */
const listRoom = (span: number): number => 4 * Math.ceil(span / PCAP_RECORD_HEADER_LENGTH);

/**
 * Walks the records in [start, end) and, when writing, packs the accepted ones (at most `left`) into
 * `bytes[outputAt…]` and hands them to `write`; the matches list goes at `matchesAt`. Returns the walk with
 * `accepted` cut to `left`.
 */
function walkChunk(
  walker: BpfWasmPcapWalker, bytes: Uint8Array, start: number, end: number, bigEndian: boolean, left: number,
  write: WasmWalkOptions['write'], matchesAt: number, outputAt: number,
): BpfWasmPcapWalk {
  const options = { bigEndian, largestRecord: MAX_CAPTURED_LENGTH };
  if (write === undefined) {
    const walk = walker.count(start, end, options);
    return walk.accepted > left ? { ...walk, accepted: left } : walk;
  }
  const walk = walker.list(start, end, matchesAt, options);
  const take = Math.min(walk.accepted, left);
  const view = new DataView(bytes.buffer);
  let length = 0;
  for (let i = 0; i < take; i++) {
    const at = view.getUint32(matchesAt + 4 * i, true);
    const recordLength = PCAP_RECORD_HEADER_LENGTH + view.getUint32(at + 8, !bigEndian);
    bytes.copyWithin(outputAt + length, at, at + recordLength);
    length += recordLength;
  }
  if (length > 0) write(bytes, outputAt, length);
  return { ...walk, accepted: take };
}

/** A checked pcap header and a walker of its program over a memory of `bytes` bytes (undefined: the general path does it all). */
function prepareWalk(path: string, programFor: WasmWalkProgramFor, bytes: number): { header: PcapHeader; memory: WasmMemory; walker: BpfWasmPcapWalker } | undefined {
  const header = readCheckedPcapHeader(path);
  if (header === undefined) return undefined;
  const program = programFor(header.linkType, header.bytes);
  if (program === undefined) return undefined;
  try {
    const memory = new (wasmApi().Memory)({ initial: Math.ceil(bytes / PAGE) });
    return { header, memory, walker: compileToWasmPcapWalker(program, memory) };
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

/**
 * Counts (and with `write`, writes) the records of the pcap file at `path` that the program for its link type
 * accepts, reading in this thread, up to `limit` matches. Returns undefined, having done nothing, where the
 * general path must do all the work: the file is not pcap or its header is damaged (the parser reports it),
 * the expression is refused for the link type, or the WebAssembly walker cannot run the program (a backward
 * jump, or no WebAssembly in this runtime).
 */
export function walkPcapInWasm(path: string, programFor: WasmWalkProgramFor, { chunkSize, limit, write }: WasmWalkOptions): WasmWalkResult | undefined {
  /** Memory layout: the chunk region up to `chunkEnd`, then (when writing) the matches list and the output region. */
  let chunkEnd = CHUNK_BASE + FILTER_READ_ALIGNMENT + chunkSize;
  const matchesAt = (): number => chunkEnd;
  const outputAt = (): number => chunkEnd + listRoom(chunkEnd);
  const memoryEnd = (): number => (write === undefined ? chunkEnd : outputAt() + chunkEnd);
  const prepared = prepareWalk(path, programFor, memoryEnd());
  if (prepared === undefined) return undefined;
  const { header, memory, walker } = prepared;
  const bigEndian = header.bigEndian;
  const descriptor = openSync(path, 'r');
  try {
    let bytes = new Uint8Array(memory.buffer);
    let matches = 0;
    let frame = 0;
    /** File offset of the first record not yet walked; its bytes (`carried` of them) lie at `chunk`. */
    let fileOffset = PCAP_FILE_HEADER_LENGTH;
    let chunk = CHUNK_BASE + (fileOffset % FILTER_READ_ALIGNMENT);
    let carried = 0;
    let ended = false;
    for (;;) {
      // Fill the chunk region after the carried bytes (file offset fileOffset + carried lands at an address agreeing with it).
      let filled = carried;
      while (!ended && chunk + filled < chunkEnd) {
        const count = readSync(descriptor, bytes, chunk + filled, chunkEnd - chunk - filled, fileOffset + filled);
        if (count === 0) ended = true;
        filled += count;
      }
      const walk = walkChunk(walker, bytes, chunk, chunk + filled, bigEndian, limit - matches, write, matchesAt(), outputAt());
      matches += walk.accepted;
      frame += walk.records;
      if (matches >= limit) return { matches, header: header.bytes };
      const walked = walk.position - chunk;
      fileOffset += walked;
      const rest = filled - walked;
      if (rest === 0 && ended) return { matches, header: header.bytes };
      // The walk stopped at a record it could not finish: damage, the file's end, or the chunk's end.
      const needed = neededAt(bytes, walk.position, rest, bigEndian);
      if (needed === 'damage' || ended) return { matches, stop: { offset: fileOffset, frame }, header: header.bytes };
      // Carry the record's bytes to the front (at the address its file offset calls for), growing the chunk region for a record larger than it.
      const next = CHUNK_BASE + (fileOffset % FILTER_READ_ALIGNMENT);
      if (next + needed > chunkEnd) {
        chunkEnd = next + needed;
        if (memoryEnd() > bytes.length) {
          memory.grow(Math.ceil((memoryEnd() - bytes.length) / PAGE));
          bytes = new Uint8Array(memory.buffer);
        }
      }
      bytes.copyWithin(next, walk.position, walk.position + rest);
      chunk = next;
      carried = rest;
    }
  } finally {
    closeSync(descriptor);
  }
}

/** A pcap file header the capture parser accepts. */
interface PcapHeader { bytes: Uint8Array; bigEndian: boolean; linkType: number }

/** The pcap file header of `path`, when the capture parser accepts it (magic, version), with its byte order and link type. */
function readCheckedPcapHeader(path: string): PcapHeader | undefined {
  const bytes = new Uint8Array(PCAP_FILE_HEADER_LENGTH);
  const descriptor = openSync(path, 'r');
  try {
    if (readSync(descriptor, bytes, 0, PCAP_FILE_HEADER_LENGTH, 0) < PCAP_FILE_HEADER_LENGTH) return undefined;
  } finally {
    closeSync(descriptor);
  }
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
