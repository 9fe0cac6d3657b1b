/**
 * Classic BPF compiled to WebAssembly that walks pcap records where they lie: the records of a pcap file
 * (16-byte record headers, each followed by its captured bytes) sit in a WebAssembly.Memory exactly as read
 * from the file, and one call walks their headers and runs the program over each, with no per-record
 * arrays, copies or calls (`pktfilter filter --count` reads a file into such a memory chunk by chunk).
 *
 * A walk goes from `start` and stops before the first record that:
 * - starts at or after `stopBefore`;
 * - has fewer than 16 bytes of header, or fewer than its captured length of data, before `end`;
 * - claims a captured length over `largestRecord` (damage: the caller hands it to the capture parser).
 * It returns the records accepted, where it stopped and the records it walked; the caller tells the reasons
 * apart from the bytes at that position. Each record runs with its captured length (its bytes all lie before
 * `end`) and its wire length from the header, with src/bpf/interpreter.ts's semantics (the program's code is
 * src/bpf/wasm-program.ts's). Headers are read in the file's byte order (a variant per order).
 */
import type { RawInstruction } from './opcodes.js';
import { BpfError } from './errors.js';
import { assertRunnableProgram } from './interpreter.js';
import { Wasm, encodeWasmFunctionModule, wasmApi, wasmCodeWriter, wasmUnsigned } from './wasm-encoder.js';
import type { WasmMemory } from './wasm-encoder.js';
import { assertForwardOnly, emitWasmProgram, usesWireLength } from './wasm-program.js';

/** Bytes of a pcap record header (seconds, fraction, captured length, wire length: four 32-bit words). */
const PCAP_RECORD_HEADER_LENGTH = 16;

/** Where a walk stopped. */
export interface BpfWasmPcapWalk {
  /** Records the program accepted (returned non-zero). */
  accepted: number;
  /** Byte address of the first record not walked (`end` when every byte was walked). */
  position: number;
  /** Records walked. */
  records: number;
}

/** Options of a walk. */
export interface BpfWasmPcapWalkOptions {
  /** The file's byte order is big-endian (magic a1b2c3d4 or a1b23c4d as read big-endian). */
  bigEndian: boolean;
  /** Stop before the first record starting at or after this address (default: none). */
  stopBefore?: number;
  /** Stop before a record whose captured length exceeds this (default 2^31 - 1). */
  largestRecord?: number;
}

/** A program compiled to walk pcap records in a memory. */
export interface BpfWasmPcapWalker {
  /** The memory the walks read (and `list` writes). */
  readonly memory: WasmMemory;
  /** The module binary. */
  readonly wasm: Uint8Array;
  /** Walks the records from `start`, up to `end` (byte addresses in the memory), counting the accepted ones. */
  count(start: number, end: number, options: BpfWasmPcapWalkOptions): BpfWasmPcapWalk;
  /**
   * Like `count`, and writes the address of each accepted record's header as a 32-bit word (little-endian)
   * from `matchesAt` on: 4 bytes a walked record must fit there, and the area must not overlap [start, end).
   */
  list(start: number, end: number, matchesAt: number, options: BpfWasmPcapWalkOptions): BpfWasmPcapWalk;
}

// Locals of the generated function: the parameters, then the working values, then M[0..15].
const enum Local {
  Position, End, StopBefore, Largest, MatchesAt,
  Records, Accepted, Length, Base, Wire, A, X, Result, Temp, Scratch,
}
const WORKING_LOCALS = Local.Scratch - Local.Records + 16;

/** The walk loop around the program's code (`programCode`, from emitWasmProgram), for one byte order, counting or also listing the accepted records. */
function emitWalk(program: readonly RawInstruction[], programCode: readonly number[], variant: { bigEndian: boolean; list: boolean }): number[] {
  const { out, emit, append, get, set, i32 } = wasmCodeWriter();
  /** Pushes the header word at Position + offset in the file's byte order. */
  const headerWord = (offset: number): void => {
    get(Local.Position); emit(Wasm.i32Load, 0, ...wasmUnsigned(offset));
    if (variant.bigEndian) {
      // Byte swap: (rotl(v, 8) & 0x00ff00ff) | (rotr(v, 8) & 0xff00ff00).
      emit(Wasm.localTee, ...wasmUnsigned(Local.Temp)); i32(8); emit(Wasm.i32Rotl); i32(0x00ff00ff); emit(Wasm.i32And);
      get(Local.Temp); i32(8); emit(Wasm.i32Rotr); i32(0xff00ff00); emit(Wasm.i32And, Wasm.i32Or);
    }
  };

  emit(Wasm.block, Wasm.emptyBlock); // stop
  emit(Wasm.loop, Wasm.emptyBlock); // walk
  // Stop at stopBefore, and where fewer than 16 header bytes remain.
  get(Local.Position); get(Local.StopBefore); emit(Wasm.i32GeU, Wasm.brIf, 1);
  get(Local.End); get(Local.Position); emit(Wasm.i32Sub); i32(PCAP_RECORD_HEADER_LENGTH); emit(Wasm.i32LtU, Wasm.brIf, 1);
  // Length = captured length; stop where it is over the largest, or where its bytes do not all lie before End.
  headerWord(8); emit(Wasm.localTee, ...wasmUnsigned(Local.Length)); get(Local.Largest); emit(Wasm.i32GtU, Wasm.brIf, 1);
  get(Local.End); get(Local.Position); emit(Wasm.i32Sub); i32(PCAP_RECORD_HEADER_LENGTH); emit(Wasm.i32Sub); get(Local.Length); emit(Wasm.i32LtU, Wasm.brIf, 1);
  if (usesWireLength(program)) { headerWord(12); set(Local.Wire); }
  get(Local.Position); i32(PCAP_RECORD_HEADER_LENGTH); emit(Wasm.i32Add); set(Local.Base);
  append(programCode);
  // matches[accepted] = position (a rejected record's entry is overwritten by the next); accepted += result != 0
  if (variant.list) { get(Local.MatchesAt); get(Local.Accepted); i32(2); emit(Wasm.i32Shl, Wasm.i32Add); get(Local.Position); emit(Wasm.i32Store, 2, 0); }
  get(Local.Accepted); get(Local.Result); i32(0); emit(Wasm.i32Ne, Wasm.i32Add); set(Local.Accepted);
  get(Local.Records); i32(1); emit(Wasm.i32Add); set(Local.Records);
  // position = base + length; next record
  get(Local.Base); get(Local.Length); emit(Wasm.i32Add); set(Local.Position);
  emit(Wasm.br, 0);
  emit(Wasm.end); // walk
  emit(Wasm.end); // stop
  get(Local.Accepted); get(Local.Position); get(Local.Records);
  return out;
}

/** The exported walks: per byte order, counting or also listing. */
const WALK_VARIANTS = [
  { name: 'countLittle', bigEndian: false, list: false },
  { name: 'countBig', bigEndian: true, list: false },
  { name: 'listLittle', bigEndian: false, list: true },
  { name: 'listBig', bigEndian: true, list: true },
] as const;

/** One walk of the four: the file's byte order, and counting only or also listing. */
export interface BpfWasmPcapWalkVariant { bigEndian: boolean; list: boolean }

/**
 * Encodes the pcap-walking module of a runnable, forward-only program (checked here; BpfError otherwise), with
 * every walk, or only the one `only` names (a quarter of the code for the engine to compile: the CLI, which
 * knows the file's byte order and whether it writes before it generates, saves ~1.5 ms of each start so).
 */
export function generateWasmPcapWalkModule(program: readonly RawInstruction[], only?: BpfWasmPcapWalkVariant): Uint8Array {
  assertRunnableProgram(program);
  assertForwardOnly(program, 'compileToWasmPcapWalker');
  const locals = [[WORKING_LOCALS, Wasm.i32]] as const;
  // The program's code is the same in every variant: written once.
  const programCode = emitWasmProgram(program, {
    base: Local.Base, length: Local.Length, wire: Local.Wire, result: Local.Result, a: Local.A, x: Local.X, temp: Local.Temp, scratch: Local.Scratch,
  });
  return encodeWasmFunctionModule({
    params: new Array<number>(Local.Records).fill(Wasm.i32),
    results: [Wasm.i32, Wasm.i32, Wasm.i32],
    functions: WALK_VARIANTS.filter((v) => only === undefined || (v.bigEndian === only.bigEndian && v.list === only.list))
      .map(({ name, bigEndian, list }) => ({ exportName: name, locals, body: emitWalk(program, programCode, { bigEndian, list }) })),
  });
}

type WalkExport = (start: number, end: number, stopBefore: number, largest: number, matchesAt: number) => [number, number, number];

/**
 * Compiles a validated, forward-only program (a backward `ja` is refused with a BpfError: keep the
 * JavaScript engines for those) into a walker of pcap records in `memory` (a new one-page memory by
 * default), with the verdicts of createInterpreter on every record.
 */
export function compileToWasmPcapWalker(program: readonly RawInstruction[], memory?: WasmMemory): BpfWasmPcapWalker {
  return instantiateWasmPcapWalker(generateWasmPcapWalkModule(program), memory);
}

/**
 * The walker of a module generateWasmPcapWalkModule made, over `memory` (a new one-page memory by default).
 * Generating and instantiating apart lets a caller generate where WebAssembly is absent (the CLI's start-up
 * snapshot is built so, and keeps the generator's bytecode) and instantiate later.
 */
export function instantiateWasmPcapWalker(wasm: Uint8Array, memory?: WasmMemory): BpfWasmPcapWalker {
  const api = wasmApi();
  const walkMemory = memory ?? new api.Memory({ initial: 1 });
  let instance: { exports: Record<string, unknown> };
  try {
    instance = new api.Instance(new api.Module(wasm), { env: { memory: walkMemory } });
  } catch (error) {
    throw new BpfError(`wasm pcap walker: the WebAssembly engine refused the program's module (${wasm.length} bytes): ${(error as Error).message}`, 'wasm-limit');
  }
  const walks = instance.exports as Partial<Record<(typeof WALK_VARIANTS)[number]['name'], WalkExport>>;
  const address = (what: string, value: number, size: number): void => {
    if (!Number.isSafeInteger(value) || value < 0 || value > size) throw new BpfError(`wasm pcap walker: ${what} ${String(value)} is not an address from 0 to the memory's ${size} bytes`, 'batch-arguments');
  };
  const walk = (listing: boolean, start: number, end: number, matchesAt: number, options: BpfWasmPcapWalkOptions): BpfWasmPcapWalk => {
    const size = walkMemory.buffer.byteLength;
    address('start', start, size);
    address('end', end, size);
    if (start > end) throw new BpfError(`wasm pcap walker: start ${start} is after end ${end}`, 'batch-arguments');
    const stopBefore = options.stopBefore ?? 0xffffffff;
    if (!Number.isSafeInteger(stopBefore) || stopBefore < 0) throw new BpfError(`wasm pcap walker: stopBefore ${String(stopBefore)} is not an address`, 'batch-arguments');
    const largest = options.largestRecord ?? 0x7fffffff;
    if (!Number.isSafeInteger(largest) || largest < 0 || largest > 0x7fffffff) throw new BpfError(`wasm pcap walker: largestRecord ${String(largest)} is not from 0 to 2^31 - 1`, 'batch-arguments');
    if (listing) {
      // Room for one word per record that could start in [start, end), outside the records.
      const room = 4 * Math.ceil((end - start) / PCAP_RECORD_HEADER_LENGTH);
      address('matchesAt', matchesAt, size);
      if (matchesAt + room > size) throw new BpfError(`wasm pcap walker: ${room} bytes of matches from ${matchesAt} do not fit the memory's ${size} bytes`, 'batch-arguments');
      if (matchesAt < end && matchesAt + room > start) throw new BpfError(`wasm pcap walker: the matches area [${matchesAt}, ${matchesAt + room}) overlaps the records [${start}, ${end})`, 'batch-arguments');
    }
    const name = listing ? (options.bigEndian ? 'listBig' : 'listLittle') : options.bigEndian ? 'countBig' : 'countLittle';
    const run = walks[name];
    if (run === undefined) throw new BpfError(`wasm pcap walker: the module was generated without the ${name} walk`, 'batch-arguments');
    const [accepted, position, records] = run(start, end, Math.min(stopBefore, 0xffffffff) | 0, largest, matchesAt);
    return { accepted: accepted >>> 0, position: position >>> 0, records: records >>> 0 };
  };
  return {
    memory: walkMemory,
    wasm,
    count: (start, end, options) => walk(false, start, end, 0, options),
    list: (start, end, matchesAt, options) => walk(true, start, end, matchesAt, options),
  };
}
