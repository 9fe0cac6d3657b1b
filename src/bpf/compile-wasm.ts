/**
 * Classic BPF compiled to WebAssembly: one module per program whose exported function runs the program
 * over many records held in a WebAssembly.Memory, with libpcap 1.10.3's bpf_filter semantics exactly as
 * src/bpf/interpreter.ts defines them (32-bit unsigned arithmetic; a load past the record's captured length,
 * clamped to the bytes present, makes the program return 0; `len` is the wire length; division or modulo by
 * X = 0 returns 0; a shift by X >= 32 gives 0 and a shift by constant k shifts by k mod 32; 16 scratch
 * words, A and X zeroed for every record; the verdict is a non-zero return).
 *
 * The program's own code comes from src/bpf/wasm-program.ts (forward-only programs: every program libpcap's
 * pcap_compile emits); this file wraps it in the loop over record arrays.
 *
 * Memory layout (a BpfWasmRecordArea, shareable by several programs): for a capacity of R records,
 * offsets at 0, captured lengths at 4R, wire lengths at 8R, accepted indices at 12R (Uint32 each), then the
 * packet bytes at 16R. Record r's bytes start at offsets[r] of the bytes region and are capturedLengths[r]
 * long, clamped to the region's length (an offset past it holds no bytes), as the batch interpreters clamp.
 * The module exports four loops: with or without writing accepted indices, and clamping every record or
 * trusting an area whose records were clamped once (BpfWasmRecordArea.clampRecords; about 1 ns a record).
 */
import type { RawInstruction } from './opcodes.js';
import { BpfError } from './errors.js';
import { checkBpfBatchArguments } from './batch.js';
import type { BpfBatchFilterFunction } from './batch.js';
import { assertRunnableProgram } from './interpreter.js';
import { Wasm, encodeWasmFunctionModule, wasmApi, wasmCodeWriter, wasmUnsigned } from './wasm-encoder.js';
import { assertForwardOnly, emitWasmProgram, usesWireLength } from './wasm-program.js';
import type { WasmMemory } from './wasm-encoder.js';

const PAGE = 65536;
/** The most pages a 32-bit WebAssembly memory can hold (4 GiB). */
const MAX_PAGES = 65536;

/** Views of a record area's regions (valid until the area is reserved again: growing detaches them). */
export interface BpfWasmRecordViews {
  offsets: Uint32Array;
  capturedLengths: Uint32Array;
  wireLengths: Uint32Array;
  /** Where `run` writes the indices of accepted records (the first `accepted` entries). */
  matches: Uint32Array;
  /** The packet bytes region (exactly the reserved byte count long). */
  bytes: Uint8Array;
}

/** Records in a WebAssembly.Memory, laid out for the compiled programs; several programs may share one. */
export class BpfWasmRecordArea {
  /** The memory the compiled programs read. */
  readonly memory: WasmMemory;
  #records = 0;
  #bytes = 0;
  #clamped = false;

  constructor() {
    this.memory = new (wasmApi().Memory)({ initial: 1 });
  }

  /** Records the area holds room for (set by `reserve`). */
  get recordCapacity(): number { return this.#records; }

  /** Length of the packet bytes region (set by `reserve`): records are clamped to it. */
  get byteLength(): number { return this.#bytes; }

  /**
   * True after `clampRecords` (or `load`) until the next `reserve` or `views`: every record then lies inside
   * the bytes region and the programs skip clamping it (about a nanosecond a record). Writing through views
   * taken before `clampRecords` breaks that promise; keep to fresh views, or call `clampRecords` again.
   */
  get clamped(): boolean { return this.#clamped; }

  /** Clamps every record's captured length to the bytes present (0 for an offset at or past the region's end), in place, as a run would. */
  clampRecords(): void {
    const { offsets, capturedLengths } = this.#views();
    const size = this.#bytes;
    for (let r = 0; r < this.#records; r++) {
      const offset = offsets[r]!;
      const room = offset < size ? size - offset : 0;
      if (capturedLengths[r]! > room) capturedLengths[r] = room;
    }
    this.#clamped = true;
  }

  /** A view of the `accepted` indices a run from record `start` wrote (leaves `clamped` as it is). */
  acceptedIndices(accepted: number, start = 0): Uint32Array {
    if (!Number.isSafeInteger(accepted) || !Number.isSafeInteger(start) || accepted < 0 || start < 0 || start + accepted > this.#records) {
      throw new BpfError(`wasm records: ${String(accepted)} indices from ${String(start)} do not fit the ${this.#records} records reserved`, 'batch-arguments');
    }
    return new Uint32Array(this.memory.buffer, 12 * this.#records + 4 * start, accepted);
  }

  /** Byte address of each region for the compiled function. */
  get addresses(): { offsets: number; capturedLengths: number; wireLengths: number; matches: number; bytes: number } {
    const r = this.#records;
    return { offsets: 0, capturedLengths: 4 * r, wireLengths: 8 * r, matches: 12 * r, bytes: 16 * r };
  }

  /** Lays out room for `records` records and `bytes` packet bytes (growing the memory) and returns views of it; previous contents are not kept. */
  reserve(records: number, bytes: number): BpfWasmRecordViews {
    if (!Number.isSafeInteger(records) || records < 0) throw new BpfError(`wasm records: record count ${String(records)} is not a non-negative integer`, 'batch-arguments');
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new BpfError(`wasm records: byte count ${String(bytes)} is not a non-negative integer`, 'batch-arguments');
    const total = 16 * records + bytes;
    if (total > MAX_PAGES * PAGE) {
      throw new BpfError(`wasm records: ${records} records and ${bytes} bytes need ${total} bytes, more than the 4 GiB a WebAssembly memory holds`, 'batch-arguments');
    }
    const pages = Math.ceil(total / PAGE);
    const have = this.memory.buffer.byteLength / PAGE;
    if (pages > have) {
      try {
        this.memory.grow(pages - have);
      } catch (error) {
        throw new BpfError(`wasm records: could not grow the memory to ${pages} pages (${total} bytes): ${(error as Error).message}`, 'batch-arguments');
      }
    }
    this.#records = records;
    this.#bytes = bytes;
    return this.views();
  }

  /** Fresh views of the regions as last reserved (the records count as unclamped again: see `clamped`). */
  views(): BpfWasmRecordViews {
    this.#clamped = false;
    return this.#views();
  }

  #views(): BpfWasmRecordViews {
    const buffer = this.memory.buffer;
    const r = this.#records;
    return {
      offsets: new Uint32Array(buffer, 0, r),
      capturedLengths: new Uint32Array(buffer, 4 * r, r),
      wireLengths: new Uint32Array(buffer, 8 * r, r),
      matches: new Uint32Array(buffer, 12 * r, r),
      bytes: new Uint8Array(buffer, 16 * r, this.#bytes),
    };
  }

  /** Copies a batch (the whole buffer and the first `count` entries of each array) into the area and clamps its records; checks the arguments as the batch engines do. */
  load(buffer: Uint8Array, offsets: Uint32Array, capturedLengths: Uint32Array, wireLengths: Uint32Array, count: number): void {
    checkBpfBatchArguments(buffer, offsets, capturedLengths, wireLengths, count, undefined);
    const views = this.reserve(count, buffer.length);
    views.bytes.set(buffer);
    views.offsets.set(offsets.subarray(0, count));
    views.capturedLengths.set(capturedLengths.subarray(0, count));
    views.wireLengths.set(wireLengths.subarray(0, count));
    this.clampRecords();
  }
}

/** A program compiled to WebAssembly, running over the records of its area. */
export interface BpfWasmBatch {
  /** The records the program reads (its own, or the one given to compileToWasmBatch). */
  readonly area: BpfWasmRecordArea;
  /** The module binary (for inspection or caching). */
  readonly wasm: Uint8Array;
  /**
   * Runs records start … start + count - 1 of the area (default: all of them) and returns how many were
   * accepted; their indices, counted from `start`, are written to the matches region from entry `start` on
   * (read them with `area.acceptedIndices(accepted, start)`).
   */
  run(count?: number, start?: number): number;
  /** Like `run`, without writing the accepted indices. */
  countAccepted(count?: number, start?: number): number;
  /** The batch engines' contract (BpfBatchFilterFunction): copies the batch into the area, runs it and copies the accepted indices out. */
  runBatch: BpfBatchFilterFunction;
}

/** Options of compileToWasmBatch. */
export interface BpfWasmCompileOptions {
  /** Run over this area (shared with other programs) instead of a new one. */
  area?: BpfWasmRecordArea;
}

// Locals of the generated function: the parameters, then the working values, then M[0..15].
const enum Local {
  Count, OffsetsAt, CapturedAt, WireAt, MatchesAt, BytesAt, BytesLength,
  Record, Accepted, Length, Base, Wire, A, X, Result, Slot, Temp, Scratch,
}
const WORKING_LOCALS = Local.Scratch - Local.Record + 16;

/** The body of the generated function: the record loop around the program's code (`programCode`, from emitWasmProgram). */
function emitBody(program: readonly RawInstruction[], programCode: readonly number[], variant: { clamp: boolean; matches: boolean }): number[] {
  const { out, emit, append, get, set, i32 } = wasmCodeWriter();

  // if (count == 0) return 0
  get(Local.Count); emit(Wasm.i32Eqz, Wasm.if, Wasm.emptyBlock); i32(0); emit(Wasm.return, Wasm.end);
  emit(Wasm.loop, Wasm.emptyBlock);
  // slot = r * 4; off = offsets[r]; cap = capturedLengths[r]; wire = wireLengths[r]
  get(Local.Record); i32(2); emit(Wasm.i32Shl); set(Local.Slot);
  const loadArray = (at: Local, into: Local): void => { get(at); get(Local.Slot); emit(Wasm.i32Add, Wasm.i32Load, 2, 0); set(into); };
  loadArray(Local.OffsetsAt, Local.Base);
  loadArray(Local.CapturedAt, Local.Length);
  if (usesWireLength(program)) loadArray(Local.WireAt, Local.Wire);
  if (variant.clamp) {
    // len = off < bytesLength ? min(cap, bytesLength - off) : 0  (Base holds off, Length holds cap here)
    get(Local.Length); get(Local.BytesLength); get(Local.Base); emit(Wasm.i32Sub, Wasm.localTee, ...wasmUnsigned(Local.Temp));
    get(Local.Length); get(Local.Temp); emit(Wasm.i32LtU, Wasm.select);
    i32(0); get(Local.Base); get(Local.BytesLength); emit(Wasm.i32LtU, Wasm.select);
    set(Local.Length);
  }
  // base = bytesAt + off
  get(Local.BytesAt); get(Local.Base); emit(Wasm.i32Add); set(Local.Base);
  append(programCode);
  // matches[accepted] = r (a rejected record's index is overwritten by the next); accepted += result != 0; r++; loop while r < count
  if (variant.matches) { get(Local.MatchesAt); get(Local.Accepted); i32(2); emit(Wasm.i32Shl, Wasm.i32Add); get(Local.Record); emit(Wasm.i32Store, 2, 0); }
  get(Local.Accepted); get(Local.Result); i32(0); emit(Wasm.i32Ne, Wasm.i32Add); set(Local.Accepted);
  get(Local.Record); i32(1); emit(Wasm.i32Add, Wasm.localTee, ...wasmUnsigned(Local.Record));
  get(Local.Count); emit(Wasm.i32LtU, Wasm.brIf, 0);
  emit(Wasm.end); // loop
  get(Local.Accepted);
  return out;
}

/**
 * The exported loops: each counts accepted records; `matches` ones also write their indices; `clamp` ones clamp
 * every record to the bytes region, the others trust that it was clamped (BpfWasmRecordArea.clampRecords).
 */
const WASM_VARIANTS = [
  { name: 'run', clamp: true, matches: true },
  { name: 'count', clamp: true, matches: false },
  { name: 'runClamped', clamp: false, matches: true },
  { name: 'countClamped', clamp: false, matches: false },
] as const;

/** Encodes the WebAssembly module of a runnable, forward-only program (checked here; BpfError otherwise). */
export function generateWasmBatchModule(program: readonly RawInstruction[]): Uint8Array {
  assertRunnableProgram(program);
  assertForwardOnly(program, 'compileToWasmBatch');
  const locals = [[WORKING_LOCALS, Wasm.i32]] as const;
  // The program's code is the same in every variant: written once.
  const programCode = emitWasmProgram(program, {
    base: Local.Base, length: Local.Length, wire: Local.Wire, result: Local.Result, a: Local.A, x: Local.X, temp: Local.Temp, scratch: Local.Scratch,
  });
  return encodeWasmFunctionModule({
    params: new Array<number>(Local.Record).fill(Wasm.i32),
    results: [Wasm.i32],
    functions: WASM_VARIANTS.map(({ name, clamp, matches }) => ({ exportName: name, locals, body: emitBody(program, programCode, { clamp, matches }) })),
  });
}

type RunExport = (count: number, offsetsAt: number, capturedAt: number, wireAt: number, matchesAt: number, bytesAt: number, bytesLength: number) => number;

/**
 * Compiles a validated, forward-only program (libpcap's bpf_validate rules; a backward `ja` is refused with
 * a BpfError, keep the JavaScript engines for those) to WebAssembly, instantiated synchronously over its
 * record area, with the verdicts of createInterpreter on every record.
 */
export function compileToWasmBatch(program: readonly RawInstruction[], options: BpfWasmCompileOptions = {}): BpfWasmBatch {
  const wasm = generateWasmBatchModule(program);
  const area = options.area ?? new BpfWasmRecordArea();
  const api = wasmApi();
  let instance: { exports: Record<string, unknown> };
  try {
    instance = new api.Instance(new api.Module(wasm), { env: { memory: area.memory } });
  } catch (error) {
    // A program too large for the engine's limits (function size, nesting): the caller keeps a JavaScript engine.
    throw new BpfError(`wasm batch: the WebAssembly engine refused the ${program.length}-instruction program's module: ${(error as Error).message}`, 'wasm-limit');
  }
  const loops = instance.exports as Record<(typeof WASM_VARIANTS)[number]['name'], RunExport>;
  const call = (matches: boolean, count: number, start: number): number => {
    if (!Number.isSafeInteger(start) || start < 0 || start > area.recordCapacity) {
      throw new BpfError(`wasm batch: start ${String(start)} is not a whole number from 0 to the ${area.recordCapacity} records reserved`, 'batch-arguments');
    }
    if (!Number.isSafeInteger(count) || count < 0 || start + count > area.recordCapacity) {
      throw new BpfError(`wasm batch: count ${String(count)} from record ${start} is not a whole number within the ${area.recordCapacity} records reserved`, 'batch-arguments');
    }
    const at = area.addresses;
    const skip = 4 * start;
    const loop = area.clamped ? (matches ? loops.runClamped : loops.countClamped) : matches ? loops.run : loops.count;
    try {
      return loop(count, at.offsets + skip, at.capturedLengths + skip, at.wireLengths + skip, at.matches + skip, at.bytes, area.byteLength) >>> 0;
    } catch (error) {
      // Only a record written through stale views after clampRecords can reach past the memory.
      throw new BpfError(`wasm batch: ${(error as Error).message} (a record lies outside the bytes region: call clampRecords after writing records)`, 'batch-arguments');
    }
  };
  const run = (count = area.recordCapacity, start = 0): number => call(true, count, start);
  const countAccepted = (count = area.recordCapacity, start = 0): number => call(false, count, start);
  const runBatch: BpfBatchFilterFunction = (buffer, offsets, capturedLengths, wireLengths, count, matches) => {
    checkBpfBatchArguments(buffer, offsets, capturedLengths, wireLengths, count, matches);
    area.load(buffer, offsets, capturedLengths, wireLengths, count);
    const accepted = run(count);
    if (matches !== undefined) matches.set(area.acceptedIndices(accepted));
    return accepted;
  };
  return { area, wasm, run, countAccepted, runBatch };
}
