/**
 * One classic BPF program as WebAssembly instructions that run it over ONE record, shared by the loops that
 * wrap it (src/bpf/compile-wasm.ts over record arrays, src/bpf/compile-wasm-pcap.ts over pcap records in
 * place). Semantics are libpcap 1.10.3's bpf_filter as src/bpf/interpreter.ts defines them (32-bit
 * unsigned arithmetic; a load past the record's captured length makes the program return 0; `len` is the
 * wire length; division or modulo by X = 0 returns 0; a shift by X >= 32 gives 0 and a shift by constant k
 * shifts by k mod 32; 16 scratch words; A, X and the read scratch words zeroed for every record).
 *
 * Only forward-only programs compile (every program libpcap's pcap_compile emits): each jump target opens a
 * WebAssembly block that ends just before it, so a jump is a `br` out to that block's end; a jump to a `ret`
 * is inlined (a jump to `ret #0` is a `br` to the record's end, the result being 0 until a `ret` sets it).
 * An absolute load skips its bounds check when every path to it already checked as many bytes.
 * Byte order: a halfword is two byte loads, a word one load and a byte swap (the faster forms measured).
 */
import type { RawInstruction } from './opcodes.js';
import { BpfError } from './errors.js';
import { bpfLoadBytes } from './instructions.js';
import { Wasm, wasmCodeWriter, wasmSigned, wasmUnsigned } from './wasm-encoder.js';

/** The locals (indices) the program's code uses; the wrapping loop sets Base, Length and Wire before it. */
export interface WasmProgramLocals {
  /** In: byte address of the record's first byte. */
  base: number;
  /** In: the record's captured length (its bytes all lie in the memory). */
  length: number;
  /** In: the record's wire length (read only when the program loads `len`: see usesWireLength). */
  wire: number;
  /** Out: the program's return value (0 rejects). */
  result: number;
  a: number;
  x: number;
  /** A scratch local of the code's own. */
  temp: number;
  /** The first of 16 consecutive locals for M[0..15]. */
  scratch: number;
}

/** Whether the program reads the wire length (`ld len` / `ldx len`). */
export function usesWireLength(program: readonly RawInstruction[]): boolean {
  return program.some((insn) => insn.code === 0x80 || insn.code === 0x81);
}

/** A jump destination already resolved: a `ret #k` / `ret a` to inline, or an instruction index with a block. */
type Target = { kind: 'return-k'; k: number } | { kind: 'return-a' } | { kind: 'block'; index: number };

/** Refuses (BpfError) a backward jump: the block structure takes forward jumps only (`engine` names the caller in the message). */
export function assertForwardOnly(program: readonly RawInstruction[], engine: string): void {
  program.forEach((insn, index) => {
    if (insn.code === 0x05 && (insn.k | 0) < 0) {
      throw new BpfError(
        `instruction ${index}: ja jumps backward (to ${(index + 1 + insn.k) >>> 0}); ${engine} runs forward-only programs, use the interpreter or compileToJsBatch`,
        'backward-jump', index,
      );
    }
  });
}

/**
 * The instructions that run `program` over the record whose address, captured length and wire length the
 * loop put in `locals`; after them `locals.result` holds the verdict. Runnable and forward-only programs only
 * (the callers check: assertRunnableProgram, assertForwardOnly).
 */
export function emitWasmProgram(program: readonly RawInstruction[], locals: WasmProgramLocals): number[] {
  const length = program.length;
  const { out, emit, get, set, i32 } = wasmCodeWriter();

  // Successors (forward only) and what each jump resolves to.
  const resolve = (index: number): Target => {
    const insn = program[index]!;
    if (insn.code === 0x06) return { kind: 'return-k', k: insn.k >>> 0 };
    if (insn.code === 0x16) return { kind: 'return-a' };
    return { kind: 'block', index };
  };
  const successors = (index: number): number[] => {
    const insn = program[index]!;
    const cls = insn.code & 0x07;
    if (cls === 0x06) return [];
    if (insn.code === 0x05) return [index + 1 + insn.k];
    if (cls === 0x05) return [index + 1 + insn.jt, index + 1 + insn.jf];
    return [index + 1];
  };

  // Bytes every path to each instruction has checked (absolute loads make theirs known; so do indirect ones, X being >= 0).
  const known = new Array<number>(length).fill(Infinity);
  known[0] = 0;
  const checkedAfter = (index: number): number => {
    const insn = program[index]!;
    const before = Number.isFinite(known[index]!) ? known[index]! : 0;
    const mode = insn.code & 0xe0;
    if ((insn.code & 0x07) <= 0x01 && (mode === 0x20 || mode === 0x40 || mode === 0xa0)) {
      const end = insn.k + (mode === 0xa0 ? 1 : bpfLoadBytes(insn.code));
      if (end <= 0xffffffff) return Math.max(before, end);
    }
    return before;
  };
  // Block targets: instructions some jump reaches other than by falling through, unless it is an inlined ret.
  const blockTargets = new Set<number>();
  for (let index = 0; index < length; index++) {
    const after = checkedAfter(index);
    for (const next of successors(index)) {
      known[next] = Math.min(known[next]!, after);
      if (next !== index + 1 && resolve(next).kind === 'block') blockTargets.add(next);
    }
  }
  const targets = [...blockTargets].sort((x, y) => x - y);
  /** How many targets are below `index` (binary search in the sorted targets). */
  const targetsBelow = (index: number): number => {
    let low = 0;
    let high = targets.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (targets[middle]! < index) low = middle + 1; else high = middle;
    }
    return low;
  };
  // Depth of a target's block, and of the record's `done` block, from instruction `at` (extra = enclosing `if`s):
  // the blocks open at `at` are those of the targets after it; inner ones belong to smaller targets.
  const depthOf = (at: number, target: number, extra: number): number => extra + targetsBelow(target) - targetsBelow(at + 1);
  const doneDepth = (at: number, extra: number): number => extra + targets.length - targetsBelow(at + 1);
  const reject = (at: number, extra = 0): void => emit(Wasm.br, ...wasmUnsigned(doneDepth(at, extra)));
  const rejectIf = (at: number, extra = 0): void => emit(Wasm.brIf, ...wasmUnsigned(doneDepth(at, extra)));
  /** The result of a `ret`, set and leaving the record's block. */
  const returning = (target: Target, at: number, extra: number): void => {
    if (target.kind === 'return-k') {
      if (target.k !== 0) { i32(target.k); set(locals.result); }
    } else {
      get(locals.a); set(locals.result);
    }
    reject(at, extra);
  };
  const jump = (at: number, to: number): void => {
    const target = resolve(to);
    if (target.kind === 'block') emit(Wasm.br, ...wasmUnsigned(depthOf(at, to, 0)));
    else returning(target, at, 0);
  };
  /** Consumes the i32 condition on the stack: jumps to `to` when it is non-zero. */
  const jumpIf = (at: number, to: number): void => {
    const target = resolve(to);
    if (target.kind === 'block') emit(Wasm.brIf, ...wasmUnsigned(depthOf(at, to, 0)));
    else if (target.kind === 'return-k' && target.k === 0) rejectIf(at);
    else { emit(Wasm.if, Wasm.emptyBlock); returning(target, at, 1); emit(Wasm.end); }
  };
  /** Rejects unless the record holds `end` bytes (`end` = k + size, a constant). */
  const checkAbsolute = (at: number, end: number): boolean => {
    if (end > 0xffffffff) { reject(at); return false; }
    const before = Number.isFinite(known[at]!) ? known[at]! : 0;
    if (end > before) { i32(end); get(locals.length); emit(Wasm.i32GtU); rejectIf(at); }
    return true;
  };
  /** Rejects unless the record holds X + `end` bytes (computed in 64 bits: no wrap-around). */
  const checkIndirect = (at: number, end: number): boolean => {
    if (end > 0xffffffff) { reject(at); return false; }
    get(locals.x); emit(Wasm.i64ExtendI32U, Wasm.i64Const, ...wasmSigned(end), Wasm.i64Add);
    get(locals.length); emit(Wasm.i64ExtendI32U, Wasm.i64GtU);
    rejectIf(at);
    return true;
  };
  /** Pushes the big-endian value of `size` bytes at address (on the stack) + k. */
  const loadValue = (size: number, k: number): void => {
    const memarg = (align: number, offset: number): number[] => [align, ...wasmUnsigned(offset)];
    if (size === 1) emit(Wasm.i32Load8U, ...memarg(0, k));
    else if (size === 2) {
      // v = b0 | b1 << 8 (little-endian); wanted b0 << 8 | b1.
      emit(Wasm.localTee, ...wasmUnsigned(locals.temp), Wasm.i32Load8U, ...memarg(0, k)); i32(8); emit(Wasm.i32Shl);
      get(locals.temp); emit(Wasm.i32Load8U, ...memarg(0, k + 1), Wasm.i32Or);
    } else {
      // Byte swap: (rotl(v, 8) & 0x00ff00ff) | (rotr(v, 8) & 0xff00ff00).
      emit(Wasm.i32Load, ...memarg(0, k), Wasm.localTee, ...wasmUnsigned(locals.temp));
      i32(8); emit(Wasm.i32Rotl); i32(0x00ff00ff); emit(Wasm.i32And);
      get(locals.temp); i32(8); emit(Wasm.i32Rotr); i32(0xff00ff00); emit(Wasm.i32And, Wasm.i32Or);
    }
  };
  /** A load into `into` (A or X): absolute, indirect or MSH. */
  const packetLoad = (at: number, insn: RawInstruction): void => {
    const mode = insn.code & 0xe0;
    const size = mode === 0xa0 ? 1 : bpfLoadBytes(insn.code);
    const end = insn.k + size;
    if (mode === 0x40) {
      if (!checkIndirect(at, end)) return;
      get(locals.base); get(locals.x); emit(Wasm.i32Add);
    } else {
      if (!checkAbsolute(at, end)) return;
      get(locals.base);
    }
    loadValue(size, insn.k);
    if (mode === 0xa0) { i32(0xf); emit(Wasm.i32And); i32(2); emit(Wasm.i32Shl); set(locals.x); } else set(locals.a);
  };
  const scratchRead = new Set(program.filter((insn) => insn.code === 0x60 || insn.code === 0x61).map((insn) => insn.k));


  i32(0); set(locals.a); i32(0); set(locals.x); i32(0); set(locals.result);
  for (const slot of scratchRead) { i32(0); set(locals.scratch + slot); }

  // The program: the record's `done` block around one block per jump target (largest outermost).
  emit(Wasm.block, Wasm.emptyBlock);
  for (let t = targets.length - 1; t >= 0; t--) emit(Wasm.block, Wasm.emptyBlock);
  let nextTarget = 0;
  for (let at = 0; at < length; at++) {
    while (nextTarget < targets.length && targets[nextTarget] === at) { emit(Wasm.end); nextTarget++; }
    const insn = program[at]!;
    const { code } = insn;
    const k = insn.k >>> 0;
    const operand = (): void => { if ((code & 0x08) !== 0) get(locals.x); else i32(k); };
    switch (code & 0x07) {
      case 0x00: case 0x01: {
        const into = (code & 0x07) === 0x00 ? locals.a : locals.x;
        switch (code & 0xe0) {
          case 0x00: i32(k); set(into); break;
          case 0x80: get(locals.wire); set(into); break;
          case 0x60: get(locals.scratch + k); set(into); break;
          default: packetLoad(at, insn);
        }
        break;
      }
      case 0x02: get(locals.a); set(locals.scratch + k); break;
      case 0x03: get(locals.x); set(locals.scratch + k); break;
      case 0x04: {
        const op = code & 0xf0;
        if (op === 0x80) { i32(0); get(locals.a); emit(Wasm.i32Sub); set(locals.a); break; }
        const byX = (code & 0x08) !== 0;
        if ((op === 0x30 || op === 0x90) && byX) { get(locals.x); emit(Wasm.i32Eqz); rejectIf(at); }
        get(locals.a);
        operand();
        switch (op) {
          case 0x00: emit(Wasm.i32Add); break;
          case 0x10: emit(Wasm.i32Sub); break;
          case 0x20: emit(Wasm.i32Mul); break;
          case 0x30: emit(Wasm.i32DivU); break;
          case 0x90: emit(Wasm.i32RemU); break;
          case 0x40: emit(Wasm.i32Or); break;
          case 0x50: emit(Wasm.i32And); break;
          case 0xa0: emit(Wasm.i32Xor); break;
          // By constant: WebAssembly shifts by k mod 32, as the interpreter does; by X >= 32: 0.
          case 0x60: emit(Wasm.i32Shl); if (byX) { i32(0); get(locals.x); i32(32); emit(Wasm.i32LtU, Wasm.select); } break;
          case 0x70: emit(Wasm.i32ShrU); if (byX) { i32(0); get(locals.x); i32(32); emit(Wasm.i32LtU, Wasm.select); } break;
          default: throw new BpfError(`instruction ${at}: internal: ALU operation 0x${op.toString(16)}`, 'internal', at);
        }
        set(locals.a);
        break;
      }
      case 0x05: {
        if (code === 0x05) { if (k !== 0) jump(at, at + 1 + k); break; }
        const whenTrue = at + 1 + insn.jt;
        const whenFalse = at + 1 + insn.jf;
        if (whenTrue === whenFalse) { if (whenTrue !== at + 1) jump(at, whenTrue); break; }
        const op = code & 0xf0;
        // Pushes the condition, or its negation.
        const condition = (negated: boolean): void => {
          get(locals.a);
          operand();
          switch (op) {
            case 0x10: emit(negated ? Wasm.i32Ne : Wasm.i32Eq); break;
            case 0x20: emit(negated ? Wasm.i32LeU : Wasm.i32GtU); break;
            case 0x30: emit(negated ? Wasm.i32LtU : Wasm.i32GeU); break;
            case 0x40: emit(Wasm.i32And); if (negated) emit(Wasm.i32Eqz); break;
            default: throw new BpfError(`instruction ${at}: internal: jump test 0x${op.toString(16)}`, 'internal', at);
          }
        };
        if (whenFalse === at + 1) { condition(false); jumpIf(at, whenTrue); } else if (whenTrue === at + 1) { condition(true); jumpIf(at, whenFalse); } else {
          condition(false); jumpIf(at, whenTrue); jump(at, whenFalse);
        }
        break;
      }
      case 0x06: returning(resolve(at), at, 0); break;
      case 0x07:
        if ((code & 0xf8) === 0x00) { get(locals.a); set(locals.x); } else { get(locals.x); set(locals.a); }
        break;
    }
  }
  emit(Wasm.end); // done
  return out;
}
