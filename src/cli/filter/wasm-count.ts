/**
 * `pktfilter filter --count` over a pcap file in this thread, with the WebAssembly walker
 * (src/bpf/compile-wasm-pcap.ts): the file is read chunk by chunk into one WebAssembly memory, each read
 * landing where address and file offset agree modulo FILTER_READ_ALIGNMENT (the kernel's copy is ~4x faster
 * so), and one call per chunk walks its whole records and counts the accepted ones. There are no fragments,
 * no batch arrays and no second walk of the record headers; the bytes of a record cut by the chunk's end move
 * to the front and the next read completes them.
 *
 * The walk stops where it cannot go on: a captured length over MAX_CAPTURED_LENGTH (damage), or a record
 * cut off by the end of the file. It then returns that record's offset and frame number, and the caller's
 * general path (fragments.ts and the capture parser) takes over there: it reports the damage with its file
 * offset, after every record before it was counted, as the general path alone would.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { RawInstruction } from '../../bpf/opcodes.js';
import { compileToWasmPcapWalker } from '../../bpf/compile-wasm-pcap.js';
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

/** What the walker counted, and where the general path must take over (absent: the whole file was counted, or the limit reached). */
export interface WasmCountResult {
  /** Accepted records counted (at most the limit). */
  matches: number;
  /** The first record not counted: damage or a record cut off by the end of the file. */
  stop?: FilterWalkStop;
  /** The file's 24-byte header (the general path restates it when it resumes at `stop`). */
  header: Uint8Array;
}

/**
 * Counts the records of the pcap file at `path` that the program for its link type accepts (`programFor`
 * gives it, or undefined where the expression is refused), reading `chunkSize` bytes at a time, up to `limit`
 * matches. Returns undefined, having counted nothing, where the general path must do all the work: the file
 * is not pcap or its header is damaged (the parser reports it), the expression is refused for the link type,
 * or the WebAssembly walker cannot run the program (a backward jump, or no WebAssembly in this runtime).
 */
export function countPcapInWasm(path: string, programFor: (linkType: number) => readonly RawInstruction[] | undefined, chunkSize: number, limit: number): WasmCountResult | undefined {
  const header = readCheckedPcapHeader(path);
  if (header === undefined) return undefined;
  const program = programFor(header.linkType);
  if (program === undefined) return undefined;
  let memory: WasmMemory;
  let walker: ReturnType<typeof compileToWasmPcapWalker>;
  try {
    memory = new (wasmApi().Memory)({ initial: Math.ceil((CHUNK_BASE + FILTER_READ_ALIGNMENT + chunkSize) / PAGE) });
    walker = compileToWasmPcapWalker(program, memory);
  } catch {
    // A program the walker refuses (BpfError), no WebAssembly, or no memory for it: the general path counts the same.
    return undefined;
  }
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
      // Fill the memory after the carried bytes (file offset fileOffset + carried lands at an address agreeing with it).
      let filled = carried;
      while (!ended && chunk + filled < bytes.length) {
        const count = readSync(descriptor, bytes, chunk + filled, bytes.length - chunk - filled, fileOffset + filled);
        if (count === 0) ended = true;
        filled += count;
      }
      const walk = walker.count(chunk, chunk + filled, { bigEndian, largestRecord: MAX_CAPTURED_LENGTH });
      matches += walk.accepted;
      frame += walk.records;
      if (matches >= limit) return { matches: limit, header: header.bytes };
      const walked = walk.position - chunk;
      fileOffset += walked;
      const rest = filled - walked;
      if (rest === 0 && ended) return { matches, header: header.bytes };
      // The walk stopped at a record it could not finish: damage, the file's end, or the chunk's end.
      let needed = PCAP_RECORD_HEADER_LENGTH;
      if (rest >= PCAP_RECORD_HEADER_LENGTH) {
        const capturedLength = new DataView(bytes.buffer, walk.position + 8, 4).getUint32(0, !bigEndian);
        if (capturedLength > MAX_CAPTURED_LENGTH) return { matches, stop: { offset: fileOffset, frame }, header: header.bytes };
        needed += capturedLength;
      }
      if (ended) return { matches, stop: { offset: fileOffset, frame }, header: header.bytes };
      // Carry the record's bytes to the front (at the address its file offset calls for), growing the memory for a record larger than a chunk.
      const next = CHUNK_BASE + (fileOffset % FILTER_READ_ALIGNMENT);
      if (next + needed > bytes.length) {
        memory.grow(Math.ceil((next + needed - bytes.length) / PAGE));
        bytes = new Uint8Array(memory.buffer);
      }
      bytes.copyWithin(next, walk.position, walk.position + rest);
      chunk = next;
      carried = rest;
    }
  } finally {
    closeSync(descriptor);
  }
}

/** The pcap file header of `path`, when the capture parser accepts it (magic, version), with its byte order and link type. */
function readCheckedPcapHeader(path: string): { bytes: Uint8Array; bigEndian: boolean; linkType: number } | undefined {
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
