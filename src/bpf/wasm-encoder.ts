/**
 * A tiny WebAssembly binary encoder for the BPF-to-WebAssembly compiler: LEB128 numbers, the opcodes it
 * uses, and a module of exported functions of one type (type, memory import, function, export and code sections), plus the
 * few WebAssembly JS API types Node 20 provides at run time (the project's TypeScript lib has no DOM, so
 * the global `WebAssembly` is reached through the narrow interface below).
 */

/** Unsigned LEB128 bytes of a whole number from 0 to 2^53 - 1. */
export function wasmUnsigned(value: number): number[] {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`wasm encoder: ${value} is not an unsigned integer`);
  const out: number[] = [];
  let rest = value;
  do {
    const byte = rest % 128;
    rest = Math.floor(rest / 128);
    out.push(rest !== 0 ? byte | 0x80 : byte);
  } while (rest !== 0);
  return out;
}

/** Signed LEB128 bytes of a safe integer (i32.const takes the int32 value, i64.const any in range). */
export function wasmSigned(value: number): number[] {
  if (!Number.isSafeInteger(value)) throw new RangeError(`wasm encoder: ${value} is not a safe integer`);
  const out: number[] = [];
  let rest = value;
  for (;;) {
    const byte = ((rest % 128) + 128) % 128;
    rest = Math.floor(rest / 128);
    const signBitSet = (byte & 0x40) !== 0;
    if ((rest === 0 && !signBitSet) || (rest === -1 && signBitSet)) { out.push(byte); return out; }
    out.push(byte | 0x80);
  }
}

/** The WebAssembly opcodes and type codes the compiler emits (names as in the WebAssembly spec). */
export const Wasm = {
  i32: 0x7f, i64: 0x7e, emptyBlock: 0x40, functionType: 0x60,
  block: 0x02, loop: 0x03, if: 0x04, end: 0x0b, br: 0x0c, brIf: 0x0d, return: 0x0f, select: 0x1b,
  localGet: 0x20, localSet: 0x21, localTee: 0x22,
  i32Load: 0x28, i32Load8U: 0x2d, i32Load16U: 0x2f, i32Store: 0x36,
  i32Const: 0x41, i64Const: 0x42,
  i32Eqz: 0x45, i32Eq: 0x46, i32Ne: 0x47, i32LtU: 0x49, i32GtU: 0x4b, i32LeU: 0x4d, i32GeU: 0x4f, i64GtU: 0x56,
  i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c, i32DivU: 0x6e, i32RemU: 0x70, i32And: 0x71, i32Or: 0x72, i32Xor: 0x73,
  i32Shl: 0x74, i32ShrU: 0x76, i32Rotl: 0x77, i32Rotr: 0x78, i64Add: 0x7c, i64ExtendI32U: 0xad,
} as const;

/** A function body being written: its bytes and the writers every code generator uses. */
export interface WasmCodeWriter {
  /** The instructions written so far. */
  readonly out: number[];
  /** Appends raw bytes (opcodes and immediates). */
  emit(...bytes: number[]): void;
  /** Appends a run of bytes of any length (code written by another writer). */
  append(bytes: readonly number[]): void;
  /** local.get of a local's index. */
  get(local: number): void;
  /** local.set of a local's index. */
  set(local: number): void;
  /** i32.const of a value (taken as int32). */
  i32(value: number): void;
}

/** A new, empty function body writer. */
export function wasmCodeWriter(): WasmCodeWriter {
  const out: number[] = [];
  const emit = (...bytes: number[]): void => { for (const b of bytes) out.push(b); };
  return {
    out,
    emit,
    append: (bytes) => { for (let i = 0; i < bytes.length; i++) out.push(bytes[i]!); },
    get: (local) => emit(Wasm.localGet, ...wasmUnsigned(local)),
    set: (local) => emit(Wasm.localSet, ...wasmUnsigned(local)),
    i32: (value) => emit(Wasm.i32Const, ...wasmSigned(value | 0)),
  };
}

/** A section: its id, its byte size and its contents. */
function section(id: number, contents: readonly number[]): number[] {
  return [id, ...wasmUnsigned(contents.length), ...contents];
}

/** A name as WebAssembly encodes it (length, UTF-8 bytes; ASCII here). */
function name(text: string): number[] {
  return [...wasmUnsigned(text.length), ...Array.from(text, (c) => c.charCodeAt(0))];
}

/** One exported function of a module. */
export interface WasmFunction {
  /** Extra locals by type, in order: [count, type] groups. */
  locals: readonly (readonly [number, number])[];
  /** The function body's instructions (without the final `end`). */
  body: readonly number[];
  /** The export name of the function. */
  exportName: string;
}

/** What a module of exported functions of one signature needs (it imports "env"."memory", minimum 0 pages, no maximum, so any memory fits). */
export interface WasmFunctionModule {
  /** Parameter and result value types (Wasm.i32 / Wasm.i64) shared by every function. */
  params: readonly number[];
  results: readonly number[];
  functions: readonly WasmFunction[];
}

/** Encodes a module that imports env.memory and exports its functions (all of one type). */
export function encodeWasmFunctionModule(spec: WasmFunctionModule): Uint8Array {
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const count = wasmUnsigned(spec.functions.length);
  const types = section(1, [1, Wasm.functionType, ...wasmUnsigned(spec.params.length), ...spec.params, ...wasmUnsigned(spec.results.length), ...spec.results]);
  const imports = section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, 0x00]);
  const functions = section(3, [...count, ...spec.functions.map(() => 0)]);
  const exports = section(7, [...count, ...spec.functions.flatMap((f, index) => [...name(f.exportName), 0x00, ...wasmUnsigned(index)])]);
  const bodies: number[] = [...count];
  for (const f of spec.functions) {
    const localGroups = [...wasmUnsigned(f.locals.length), ...f.locals.flatMap(([n, type]) => [...wasmUnsigned(n), type])];
    const body = [...localGroups, ...f.body, Wasm.end];
    bodies.push(...wasmUnsigned(body.length));
    for (const b of body) bodies.push(b);
  }
  const code = section(10, bodies);
  return Uint8Array.from([...header, ...types, ...imports, ...functions, ...exports, ...code]);
}

/** The part of WebAssembly.Memory the engine uses. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** The part of the global WebAssembly object the engine uses (synchronous compile and instantiate). */
export interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
}

/** The global WebAssembly object (part of Node 20), typed narrowly. */
export function wasmApi(): WasmApi {
  const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (api === undefined) throw new Error('WebAssembly is not available in this JavaScript runtime');
  return api;
}
