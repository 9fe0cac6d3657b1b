/**
 * The classic BPF interpreter with libpcap's bpf_filter semantics (1.10.3 on x86-64): 32-bit unsigned
 * arithmetic, a packet load past the captured length returns 0, `len` is the wire length, division or
 * modulo by X = 0 returns 0, a shift by X >= 32 gives 0 while a shift by constant k uses k mod 32 (the
 * x86 shift, as the C code compiles), 16 scratch words, A and X start at 0. JA offsets are signed, so
 * backward jumps run; they count against a step budget and exhausting it throws BpfStepBudgetError.
 * Programs are checked once when prepared (libpcap's bpf_validate rules, and only opcodes bpf_filter
 * executes) and decoded into one Int32Array with absolute jump targets, so the run loop needs no per-step
 * checks, stays in int32 arithmetic and allocates nothing. Two entry points share the decoded form: the
 * single-packet function (createInterpreter) and the batch function (createBatchInterpreter), which runs
 * the same loop inlined over many records in one call.
 */
import type { RawInstruction } from './opcodes.js';
import { BpfError, BpfStepBudgetError } from './errors.js';
import { checkBpfBatchArguments } from './batch.js';
import type { BpfBatchFilterFunction } from './batch.js';
import { BPF_KNOWN_OPCODES, bpfLoadBytes, isAbsolutePacketLoad } from './instructions.js';
import { assertValidProgram } from './validate.js';

/** Options of the interpreter and the JavaScript compiler. */
export interface BpfRunOptions {
  /** How many backward jumps one run may take before BpfStepBudgetError (default 1,000,000). */
  backwardJumpBudget?: number;
}

/**
 * A program prepared for running. `bytes` holds the packet from `offset` (default 0) on; `capturedLength`
 * is clamped to the bytes present. Returns the program's return value (0 = reject).
 */
export type BpfFilterFunction = (bytes: Uint8Array, capturedLength: number, wireLength: number, offset?: number) => number;

/** Largest buffer the batch loops address with int32 offsets (larger ones take a slower, general path). */
export const BPF_BATCH_NARROW_LIMIT = 0x7fffffff;

/** Default number of backward jumps a single run may take. */
export const BPF_DEFAULT_BACKWARD_JUMP_BUDGET = 1_000_000;

/** Checks what the interpreter and the code generator rely on: libpcap-valid, and every opcode one bpf_filter executes. */
export function assertRunnableProgram(program: readonly RawInstruction[]): void {
  assertValidProgram(program, 'libpcap');
  program.forEach((insn, index) => {
    if (!BPF_KNOWN_OPCODES.has(insn.code)) {
      throw new BpfError(`instruction ${index}: opcode 0x${insn.code.toString(16)} is not a classic BPF instruction (libpcap aborts on it)`, 'unknown-opcode', index);
    }
  });
}

// Dense operation numbers for the run loop's switch, most frequent first (and the cases in that order).
// The first five are fused pairs "load; jeq #v" / "ldh; jset #v": the load at i and the jump at i + 1 in
// one dispatch (the jump keeps its own entry at i + 1 for jumps that land on it).
const enum Op {
  LoadHalfAbsoluteJumpEqual, LoadByteAbsoluteJumpEqual, LoadWordAbsoluteJumpEqual, LoadHalfIndirectJumpEqual, LoadHalfAbsoluteJumpSet,
  LoadHalfAbsolute, JumpEqualK, ReturnK, LoadByteAbsolute, JumpSetK, LoadWordAbsolute, LoadMemShift, LoadHalfIndirect,
  JumpGreaterK, JumpGreaterEqualK, ReturnA, LoadByteIndirect, LoadWordIndirect, AndK, LoadConstant, LoadXConstant,
  LoadLength, LoadXLength, LoadScratch, LoadXScratch, Store, StoreX, Jump, JumpBackward,
  JumpEqualX, JumpGreaterX, JumpGreaterEqualX, JumpSetX,
  AddX, SubX, MulX, DivX, ModX, AndX, OrX, XorX, LshX, RshX,
  AddK, SubK, MulK, DivK, ModK, OrK, XorK, LshK, RshK, Negate, Tax, Txa,
  // An absolute load (or ldxb 4*([k]&0xf)) from k >= FAR_OFFSET: its size in the false-target slot (0 for ldxb).
  LoadAbsoluteFar,
}
/** Absolute loads from here on take LoadAbsoluteFar, so the common ones keep k + size in int32. */
const FAR_OFFSET = 0x7ffffff0;
const fusedOps = new Map<string, Op>([
  [`${Op.LoadHalfAbsolute},${Op.JumpEqualK}`, Op.LoadHalfAbsoluteJumpEqual],
  [`${Op.LoadByteAbsolute},${Op.JumpEqualK}`, Op.LoadByteAbsoluteJumpEqual],
  [`${Op.LoadWordAbsolute},${Op.JumpEqualK}`, Op.LoadWordAbsoluteJumpEqual],
  [`${Op.LoadHalfIndirect},${Op.JumpEqualK}`, Op.LoadHalfIndirectJumpEqual],
  [`${Op.LoadHalfAbsolute},${Op.JumpSetK}`, Op.LoadHalfAbsoluteJumpSet],
]);
const opByCode = new Map<number, Op>([
  [0x28, Op.LoadHalfAbsolute], [0x15, Op.JumpEqualK], [0x06, Op.ReturnK], [0x30, Op.LoadByteAbsolute], [0x45, Op.JumpSetK],
  [0x20, Op.LoadWordAbsolute], [0xb1, Op.LoadMemShift], [0x48, Op.LoadHalfIndirect], [0x25, Op.JumpGreaterK],
  [0x35, Op.JumpGreaterEqualK], [0x16, Op.ReturnA], [0x50, Op.LoadByteIndirect], [0x40, Op.LoadWordIndirect], [0x54, Op.AndK],
  [0x00, Op.LoadConstant], [0x01, Op.LoadXConstant], [0x80, Op.LoadLength], [0x81, Op.LoadXLength], [0x60, Op.LoadScratch],
  [0x61, Op.LoadXScratch], [0x02, Op.Store], [0x03, Op.StoreX], [0x05, Op.Jump],
  [0x1d, Op.JumpEqualX], [0x2d, Op.JumpGreaterX], [0x3d, Op.JumpGreaterEqualX], [0x4d, Op.JumpSetX],
  [0x0c, Op.AddX], [0x1c, Op.SubX], [0x2c, Op.MulX], [0x3c, Op.DivX], [0x9c, Op.ModX], [0x5c, Op.AndX], [0x4c, Op.OrX],
  [0xac, Op.XorX], [0x6c, Op.LshX], [0x7c, Op.RshX], [0x04, Op.AddK], [0x14, Op.SubK], [0x24, Op.MulK], [0x34, Op.DivK],
  [0x94, Op.ModK], [0x44, Op.OrK], [0xa4, Op.XorK], [0x64, Op.LshK], [0x74, Op.RshK], [0x84, Op.Negate], [0x07, Op.Tax], [0x87, Op.Txa],
]);

/** Operations that jump forward through whenTrue (and whenFalse): their landing on a `ret #k` can return at once. */
const forwardJumps = new Set<Op>([
  Op.LoadHalfAbsoluteJumpEqual, Op.LoadByteAbsoluteJumpEqual, Op.LoadWordAbsoluteJumpEqual, Op.LoadHalfIndirectJumpEqual,
  Op.LoadHalfAbsoluteJumpSet, Op.JumpEqualK, Op.JumpSetK, Op.JumpGreaterK, Op.JumpGreaterEqualK, Op.Jump,
  Op.JumpEqualX, Op.JumpGreaterX, Op.JumpGreaterEqualX, Op.JumpSetX,
]);

/**
 * A program decoded for the run loop: one Int32Array with four slots per instruction (operation, k as
 * int32, the absolute slot index of the true and false targets). A target landing on `ret #k` is stored
 * as ~slot so the jump returns at once. A fused pair "load; jump" keeps the jump's constant in the jump's
 * own k slot (slot + 5) and its targets in the load's.
 */
export interface BpfDecodedProgram {
  readonly code: Int32Array;
  /** Scratch words M[0..15]; those the program reads are zeroed before each packet. */
  readonly memory: Int32Array;
  readonly usesScratch: boolean;
  /** The scratch words the program reads (ld M[k], ldx M[k]), in increasing order: the ones to zero per packet. */
  readonly readSlots: readonly number[];
  readonly budget: number;
}

/** Decodes a runnable program (checked here) for the run loops. */
export function decodeBpfProgram(program: readonly RawInstruction[], options: BpfRunOptions = {}): BpfDecodedProgram {
  assertRunnableProgram(program);
  const length = program.length;
  const ops = new Int32Array(length);
  const whenTrue = new Int32Array(length);
  const whenFalse = new Int32Array(length);
  let usesScratch = false;
  const readSlots = new Set<number>();
  program.forEach((insn, index) => {
    let op = opByCode.get(insn.code)!;
    if (op === Op.Jump) {
      whenTrue[index] = index + 1 + (insn.k | 0);
      if ((insn.k | 0) < 0) op = Op.JumpBackward;
    } else {
      whenTrue[index] = index + 1 + insn.jt;
      whenFalse[index] = index + 1 + insn.jf;
    }
    if (op === Op.LoadScratch || op === Op.LoadXScratch) { usesScratch = true; readSlots.add(insn.k); }
    if ((isAbsolutePacketLoad(insn.code) || insn.code === 0xb1) && insn.k >>> 0 >= FAR_OFFSET) op = Op.LoadAbsoluteFar;
    ops[index] = op;
  });
  for (let index = 0; index + 1 < length; index++) {
    const fused = fusedOps.get(`${ops[index]},${ops[index + 1]}`);
    if (fused === undefined) continue;
    ops[index] = fused;
    whenTrue[index] = whenTrue[index + 1]!;
    whenFalse[index] = whenFalse[index + 1]!;
  }
  const code = new Int32Array(length * 4);
  const slotOf = (target: number): number => (ops[target] === Op.ReturnK ? ~(target * 4) : target * 4);
  for (let index = 0; index < length; index++) {
    const op = ops[index]!;
    code[index * 4] = op;
    code[index * 4 + 1] = program[index]!.k | 0;
    if (op === Op.JumpBackward) code[index * 4 + 2] = whenTrue[index]! * 4;
    else if (op === Op.LoadAbsoluteFar) code[index * 4 + 3] = program[index]!.code === 0xb1 ? 0 : bpfLoadBytes(program[index]!.code);
    else if (forwardJumps.has(op)) {
      code[index * 4 + 2] = slotOf(whenTrue[index]!);
      code[index * 4 + 3] = op === Op.Jump ? 0 : slotOf(whenFalse[index]!);
    }
  }
  return {
    code, memory: new Int32Array(16), usesScratch, readSlots: [...readSlots].sort((x, y) => x - y),
    budget: options.backwardJumpBudget ?? BPF_DEFAULT_BACKWARD_JUMP_BUDGET,
  };
}

/**
 * The decoded code as the run loops read it: a plain array of small integers (V8 reads its elements with
 * fewer instructions than a typed array's, about a tenth off the batch loop).
 */
const runCode = (decoded: BpfDecodedProgram): number[] => Array.from(decoded.code);

/**
 * Prepares `program` for repeated interpretation; throws BpfError if libpcap could not run it safely.
 * The run loop holds A and X as int32 bit patterns (the unsigned value is `>>> 0`), so it stays in 32-bit
 * integers, and allocates nothing. When the program starts with a fused absolute load and jump (libpcap's
 * programs all start by testing a link-layer field), the returned function is a small entry that runs that
 * first step itself (and, after a halfword load, the `jeq #k` tests on the same value that follow it),
 * returns when it lands on `ret #k` and otherwise enters the run loop after it, so a packet the first tests
 * settle costs no call into the loop (the engine can inline the entry).
 */
export function createInterpreter(program: readonly RawInstruction[], options: BpfRunOptions = {}): BpfFilterFunction {
  const decoded = decodeBpfProgram(program, options);
  const run = createInterpreterLoop(decoded);
  const { code } = decoded;
  const steps = runCode(decoded);
  const k = code[1]!;
  const value = code[5]!;
  const whenTrue = code[2]!;
  const whenFalse = code[3]!;
  switch (code[0]!) {
    case Op.LoadHalfAbsoluteJumpEqual:
      if (code[whenTrue] === Op.JumpEqualK || code[whenFalse] === Op.JumpEqualK) {
        // A chain of `jeq #k` on the same field (the link type tests of `vlan`, `ip or ip6`) runs here too
        // (only then: the loop costs the other programs' entries ~10%).
        return (p: Uint8Array, capturedLength: number, wireLength: number, o = 0): number => {
          const room = p.length - o;
          const len = capturedLength < room ? capturedLength : room;
          if (k + 2 > len) return 0;
          const a = (p[o + k]! << 8) | p[o + k + 1]!;
          let pc = a === value ? whenTrue : whenFalse;
          while (pc >= 0 && steps[pc] === Op.JumpEqualK) pc = a === steps[pc + 1]! ? steps[pc + 2]! : steps[pc + 3]!;
          return pc < 0 ? code[~pc + 1]! >>> 0 : run(p, len, wireLength, o, pc, a);
        };
      }
      return (p: Uint8Array, capturedLength: number, wireLength: number, o = 0): number => {
        const room = p.length - o;
        const len = capturedLength < room ? capturedLength : room;
        if (k + 2 > len) return 0;
        const a = (p[o + k]! << 8) | p[o + k + 1]!;
        const pc = a === value ? whenTrue : whenFalse;
        return pc < 0 ? code[~pc + 1]! >>> 0 : run(p, len, wireLength, o, pc, a);
      };
    case Op.LoadByteAbsoluteJumpEqual:
      return (p: Uint8Array, capturedLength: number, wireLength: number, o = 0): number => {
        const room = p.length - o;
        const len = capturedLength < room ? capturedLength : room;
        if (k >= len) return 0;
        const a = p[o + k]!;
        const pc = a === value ? whenTrue : whenFalse;
        return pc < 0 ? code[~pc + 1]! >>> 0 : run(p, len, wireLength, o, pc, a);
      };
    case Op.LoadWordAbsoluteJumpEqual:
      return (p: Uint8Array, capturedLength: number, wireLength: number, o = 0): number => {
        const room = p.length - o;
        const len = capturedLength < room ? capturedLength : room;
        if (k + 4 > len) return 0;
        const at = o + k;
        const a = (p[at]! << 24) | (p[at + 1]! << 16) | (p[at + 2]! << 8) | p[at + 3]!;
        const pc = a === value ? whenTrue : whenFalse;
        return pc < 0 ? code[~pc + 1]! >>> 0 : run(p, len, wireLength, o, pc, a);
      };
    case Op.LoadHalfAbsoluteJumpSet:
      return (p: Uint8Array, capturedLength: number, wireLength: number, o = 0): number => {
        const room = p.length - o;
        const len = capturedLength < room ? capturedLength : room;
        if (k + 2 > len) return 0;
        const a = (p[o + k]! << 8) | p[o + k + 1]!;
        const pc = (a & value) !== 0 ? whenTrue : whenFalse;
        return pc < 0 ? code[~pc + 1]! >>> 0 : run(p, len, wireLength, o, pc, a);
      };
    default:
      return (p: Uint8Array, capturedLength: number, wireLength: number, o = 0): number => {
        const room = p.length - o;
        return run(p, capturedLength < room ? capturedLength : room, wireLength, o, 0, 0);
      };
  }
}

/**
 * The single-packet run loop: runs the decoded program on the packet at `o` of `p` whose length (already
 * clamped to the bytes present) is `len`, from slot `start` with A = `startA` and X = 0.
 */
function createInterpreterLoop(decoded: BpfDecodedProgram): (p: Uint8Array, len: number, wireLength: number, o: number, start: number, startA: number) => number {
  const { memory, usesScratch, budget } = decoded;
  const readSlots = Array.from(decoded.readSlots);
  const code = runCode(decoded);
  return (p, len, wireLength, o, start, startA) => {
    // Only the words the program reads need zeroing (a call to fill costs more than a short program).
    if (usesScratch) for (let s = 0; s < readSlots.length; s++) memory[readSlots[s]!] = 0;
    let a = startA;
    let x = 0;
    let pc = start;
    let backward = 0;
    let k = 0;
    for (;;) {
      switch (code[pc]!) {
        case Op.LoadHalfAbsoluteJumpEqual: k = code[pc + 1]!; if (k + 2 > len) return 0; k += o; a = (p[k]! << 8) | p[k + 1]!; pc = a === code[pc + 5]! ? code[pc + 2]! : code[pc + 3]!; if (pc < 0) return code[~pc + 1]! >>> 0; break;
        case Op.LoadByteAbsoluteJumpEqual: k = code[pc + 1]!; if (k >= len) return 0; a = p[o + k]!; pc = a === code[pc + 5]! ? code[pc + 2]! : code[pc + 3]!; if (pc < 0) return code[~pc + 1]! >>> 0; break;
        case Op.LoadWordAbsoluteJumpEqual: k = code[pc + 1]!; if (k + 4 > len) return 0; k += o; a = (p[k]! << 24) | (p[k + 1]! << 16) | (p[k + 2]! << 8) | p[k + 3]!; pc = a === code[pc + 5]! ? code[pc + 2]! : code[pc + 3]!; if (pc < 0) return code[~pc + 1]! >>> 0; break;
        case Op.LoadHalfIndirectJumpEqual: k = (code[pc + 1]! >>> 0) + (x >>> 0); if (k + 2 > len) return 0; k += o; a = (p[k]! << 8) | p[k + 1]!; pc = a === code[pc + 5]! ? code[pc + 2]! : code[pc + 3]!; if (pc < 0) return code[~pc + 1]! >>> 0; break;
        case Op.LoadHalfAbsoluteJumpSet: k = code[pc + 1]!; if (k + 2 > len) return 0; k += o; a = (p[k]! << 8) | p[k + 1]!; pc = (a & code[pc + 5]!) !== 0 ? code[pc + 2]! : code[pc + 3]!; if (pc < 0) return code[~pc + 1]! >>> 0; break;
        case Op.LoadHalfAbsolute: k = code[pc + 1]!; if (k + 2 > len) return 0; k += o; a = (p[k]! << 8) | p[k + 1]!; pc += 4; break;
        case Op.JumpEqualK: pc = a === code[pc + 1]! ? code[pc + 2]! : code[pc + 3]!; if (pc < 0) return code[~pc + 1]! >>> 0; break;
        case Op.ReturnK: return code[pc + 1]! >>> 0;
        case Op.LoadByteAbsolute: k = code[pc + 1]!; if (k >= len) return 0; a = p[o + k]!; pc += 4; break;
        case Op.JumpSetK: pc = (a & code[pc + 1]!) !== 0 ? code[pc + 2]! : code[pc + 3]!; if (pc < 0) return code[~pc + 1]! >>> 0; break;
        case Op.LoadWordAbsolute: k = code[pc + 1]!; if (k + 4 > len) return 0; k += o; a = (p[k]! << 24) | (p[k + 1]! << 16) | (p[k + 2]! << 8) | p[k + 3]!; pc += 4; break;
        case Op.LoadMemShift: k = code[pc + 1]!; if (k >= len) return 0; x = (p[o + k]! & 0xf) << 2; pc += 4; break;
        case Op.LoadHalfIndirect: k = (code[pc + 1]! >>> 0) + (x >>> 0); if (k + 2 > len) return 0; k += o; a = (p[k]! << 8) | p[k + 1]!; pc += 4; break;
        case Op.JumpGreaterK: pc = (a >>> 0) > (code[pc + 1]! >>> 0) ? code[pc + 2]! : code[pc + 3]!; if (pc < 0) return code[~pc + 1]! >>> 0; break;
        case Op.JumpGreaterEqualK: pc = (a >>> 0) >= (code[pc + 1]! >>> 0) ? code[pc + 2]! : code[pc + 3]!; if (pc < 0) return code[~pc + 1]! >>> 0; break;
        case Op.ReturnA: return a >>> 0;
        case Op.LoadByteIndirect: k = (code[pc + 1]! >>> 0) + (x >>> 0); if (k >= len) return 0; a = p[o + k]!; pc += 4; break;
        case Op.LoadWordIndirect: k = (code[pc + 1]! >>> 0) + (x >>> 0); if (k + 4 > len) return 0; k += o; a = (p[k]! << 24) | (p[k + 1]! << 16) | (p[k + 2]! << 8) | p[k + 3]!; pc += 4; break;
        case Op.AndK: a &= code[pc + 1]!; pc += 4; break;
        case Op.LoadConstant: a = code[pc + 1]!; pc += 4; break;
        case Op.LoadXConstant: x = code[pc + 1]!; pc += 4; break;
        case Op.LoadLength: a = wireLength | 0; pc += 4; break;
        case Op.LoadXLength: x = wireLength | 0; pc += 4; break;
        case Op.LoadScratch: a = memory[code[pc + 1]!]!; pc += 4; break;
        case Op.LoadXScratch: x = memory[code[pc + 1]!]!; pc += 4; break;
        case Op.Store: memory[code[pc + 1]!] = a; pc += 4; break;
        case Op.StoreX: memory[code[pc + 1]!] = x; pc += 4; break;
        case Op.Jump: pc = code[pc + 2]!; if (pc < 0) return code[~pc + 1]! >>> 0; break;
        case Op.JumpBackward: if (++backward > budget) throw new BpfStepBudgetError(budget, pc >> 2); pc = code[pc + 2]!; break;
        case Op.JumpEqualX: pc = a === x ? code[pc + 2]! : code[pc + 3]!; if (pc < 0) return code[~pc + 1]! >>> 0; break;
        case Op.JumpGreaterX: pc = (a >>> 0) > (x >>> 0) ? code[pc + 2]! : code[pc + 3]!; if (pc < 0) return code[~pc + 1]! >>> 0; break;
        case Op.JumpGreaterEqualX: pc = (a >>> 0) >= (x >>> 0) ? code[pc + 2]! : code[pc + 3]!; if (pc < 0) return code[~pc + 1]! >>> 0; break;
        case Op.JumpSetX: pc = (a & x) !== 0 ? code[pc + 2]! : code[pc + 3]!; if (pc < 0) return code[~pc + 1]! >>> 0; break;
        case Op.AddX: a = (a + x) | 0; pc += 4; break;
        case Op.SubX: a = (a - x) | 0; pc += 4; break;
        case Op.MulX: a = Math.imul(a, x); pc += 4; break;
        case Op.DivX: if (x === 0) return 0; a = ((a >>> 0) / (x >>> 0)) | 0; pc += 4; break;
        case Op.ModX: if (x === 0) return 0; a = ((a >>> 0) % (x >>> 0)) | 0; pc += 4; break;
        case Op.AndX: a &= x; pc += 4; break;
        case Op.OrX: a |= x; pc += 4; break;
        case Op.XorX: a ^= x; pc += 4; break;
        case Op.LshX: a = (x >>> 0) < 32 ? a << x : 0; pc += 4; break;
        case Op.RshX: a = (x >>> 0) < 32 ? (a >>> x) | 0 : 0; pc += 4; break;
        case Op.AddK: a = (a + code[pc + 1]!) | 0; pc += 4; break;
        case Op.SubK: a = (a - code[pc + 1]!) | 0; pc += 4; break;
        case Op.MulK: a = Math.imul(a, code[pc + 1]!); pc += 4; break;
        case Op.DivK: a = ((a >>> 0) / (code[pc + 1]! >>> 0)) | 0; pc += 4; break;
        case Op.ModK: a = ((a >>> 0) % (code[pc + 1]! >>> 0)) | 0; pc += 4; break;
        case Op.OrK: a |= code[pc + 1]!; pc += 4; break;
        case Op.XorK: a ^= code[pc + 1]!; pc += 4; break;
        case Op.LshK: a <<= code[pc + 1]!; pc += 4; break;
        case Op.RshK: a = (a >>> code[pc + 1]!) | 0; pc += 4; break;
        case Op.Negate: a = -a | 0; pc += 4; break;
        case Op.Tax: x = a; pc += 4; break;
        case Op.Txa: a = x; pc += 4; break;
        case Op.LoadAbsoluteFar: k = code[pc + 1]! >>> 0; if (k + (code[pc + 3]! || 1) > len) return 0; k += o; switch (code[pc + 3]!) { case 4: a = (p[k]! << 24) | (p[k + 1]! << 16) | (p[k + 2]! << 8) | p[k + 3]!; break; case 2: a = (p[k]! << 8) | p[k + 1]!; break; case 1: a = p[k]!; break; default: x = (p[k]! & 0xf) << 2; } pc += 4; break;
        default: throw new BpfError(`internal: operation ${code[pc]!} at instruction ${pc >> 2}`, 'internal', pc >> 2);
      }
    }
  };
}

/*
 * The batch interpreter: createInterpreter's run loop inlined in a loop over the records of a
 * batch (a call per record costs as much as a short program). The two loops must stay in step;
 * test/bpf/differential.test.ts checks both against libpcap.
 */

/** Prepares `program` for interpreting batches of records; throws BpfError if libpcap could not run it safely. */
export function createBatchInterpreter(program: readonly RawInstruction[], options: BpfRunOptions = {}): BpfBatchFilterFunction {
  const decoded = decodeBpfProgram(program, options);
  const { memory, usesScratch, budget } = decoded;
  const readSlots = Array.from(decoded.readSlots);
  const code = runCode(decoded);
  const single = createInterpreter(program, options);
  return (p, offsets, capturedLengths, wireLengths, count, matches) => {
    checkBpfBatchArguments(p, offsets, capturedLengths, wireLengths, count, matches);
    const size = p.length | 0;
    let accepted = 0;
    if (p.length > BPF_BATCH_NARROW_LIMIT) {
      // Offsets past 2^31 - 1 do not fit the int32 loop below: one call per record.
      for (let r = 0; r < count; r++) {
        if (single(p, capturedLengths[r]!, wireLengths[r]!, offsets[r]!) !== 0) {
          if (matches !== undefined) matches[accepted] = r;
          accepted++;
        }
      }
      return accepted;
    }
    for (let r = 0; r < count; r++) {
      // The captured length clamped to the bytes left in the buffer, in int32: an offset of 2^31 or more
      // (negative here) is past the buffer (no bytes), a captured length of 2^31 or more exceeds any room.
      const o = offsets[r]! | 0;
      const c = capturedLengths[r]! | 0;
      const room = (size - o) | 0;
      const len = (o | c) < 0 ? (o < 0 ? -1 : room) : c < room ? c : room;
      const wireLength = wireLengths[r]!;
      if (usesScratch) for (let s = 0; s < readSlots.length; s++) memory[readSlots[s]!] = 0;
      let a = 0;
      let x = 0;
      let pc = 0;
      let backward = 0;
      let k = 0;
      // The program's return value as int32 bits (0 = reject); a failed bounds check leaves it 0.
      let result = 0;
      run: for (;;) {
        switch (code[pc]!) {
          case Op.LoadHalfAbsoluteJumpEqual: k = code[pc + 1]!; if (k + 2 > len) break run; k += o; a = (p[k]! << 8) | p[k + 1]!; pc = a === code[pc + 5]! ? code[pc + 2]! : code[pc + 3]!; if (pc < 0) { result = code[~pc + 1]!; break run; } break;
          case Op.LoadByteAbsoluteJumpEqual: k = code[pc + 1]!; if (k >= len) break run; a = p[o + k]!; pc = a === code[pc + 5]! ? code[pc + 2]! : code[pc + 3]!; if (pc < 0) { result = code[~pc + 1]!; break run; } break;
          case Op.LoadWordAbsoluteJumpEqual: k = code[pc + 1]!; if (k + 4 > len) break run; k += o; a = (p[k]! << 24) | (p[k + 1]! << 16) | (p[k + 2]! << 8) | p[k + 3]!; pc = a === code[pc + 5]! ? code[pc + 2]! : code[pc + 3]!; if (pc < 0) { result = code[~pc + 1]!; break run; } break;
          case Op.LoadHalfIndirectJumpEqual: k = (code[pc + 1]! >>> 0) + (x >>> 0); if (k + 2 > len) break run; k += o; a = (p[k]! << 8) | p[k + 1]!; pc = a === code[pc + 5]! ? code[pc + 2]! : code[pc + 3]!; if (pc < 0) { result = code[~pc + 1]!; break run; } break;
          case Op.LoadHalfAbsoluteJumpSet: k = code[pc + 1]!; if (k + 2 > len) break run; k += o; a = (p[k]! << 8) | p[k + 1]!; pc = (a & code[pc + 5]!) !== 0 ? code[pc + 2]! : code[pc + 3]!; if (pc < 0) { result = code[~pc + 1]!; break run; } break;
          case Op.LoadHalfAbsolute: k = code[pc + 1]!; if (k + 2 > len) break run; k += o; a = (p[k]! << 8) | p[k + 1]!; pc += 4; break;
          case Op.JumpEqualK: pc = a === code[pc + 1]! ? code[pc + 2]! : code[pc + 3]!; if (pc < 0) { result = code[~pc + 1]!; break run; } break;
          case Op.ReturnK: result = code[pc + 1]!; break run;
          case Op.LoadByteAbsolute: k = code[pc + 1]!; if (k >= len) break run; a = p[o + k]!; pc += 4; break;
          case Op.JumpSetK: pc = (a & code[pc + 1]!) !== 0 ? code[pc + 2]! : code[pc + 3]!; if (pc < 0) { result = code[~pc + 1]!; break run; } break;
          case Op.LoadWordAbsolute: k = code[pc + 1]!; if (k + 4 > len) break run; k += o; a = (p[k]! << 24) | (p[k + 1]! << 16) | (p[k + 2]! << 8) | p[k + 3]!; pc += 4; break;
          case Op.LoadMemShift: k = code[pc + 1]!; if (k >= len) break run; x = (p[o + k]! & 0xf) << 2; pc += 4; break;
          case Op.LoadHalfIndirect: k = (code[pc + 1]! >>> 0) + (x >>> 0); if (k + 2 > len) break run; k += o; a = (p[k]! << 8) | p[k + 1]!; pc += 4; break;
          case Op.JumpGreaterK: pc = (a >>> 0) > (code[pc + 1]! >>> 0) ? code[pc + 2]! : code[pc + 3]!; if (pc < 0) { result = code[~pc + 1]!; break run; } break;
          case Op.JumpGreaterEqualK: pc = (a >>> 0) >= (code[pc + 1]! >>> 0) ? code[pc + 2]! : code[pc + 3]!; if (pc < 0) { result = code[~pc + 1]!; break run; } break;
          case Op.ReturnA: result = a; break run;
          case Op.LoadByteIndirect: k = (code[pc + 1]! >>> 0) + (x >>> 0); if (k >= len) break run; a = p[o + k]!; pc += 4; break;
          case Op.LoadWordIndirect: k = (code[pc + 1]! >>> 0) + (x >>> 0); if (k + 4 > len) break run; k += o; a = (p[k]! << 24) | (p[k + 1]! << 16) | (p[k + 2]! << 8) | p[k + 3]!; pc += 4; break;
          case Op.AndK: a &= code[pc + 1]!; pc += 4; break;
          case Op.LoadConstant: a = code[pc + 1]!; pc += 4; break;
          case Op.LoadXConstant: x = code[pc + 1]!; pc += 4; break;
          case Op.LoadLength: a = wireLength | 0; pc += 4; break;
          case Op.LoadXLength: x = wireLength | 0; pc += 4; break;
          case Op.LoadScratch: a = memory[code[pc + 1]!]!; pc += 4; break;
          case Op.LoadXScratch: x = memory[code[pc + 1]!]!; pc += 4; break;
          case Op.Store: memory[code[pc + 1]!] = a; pc += 4; break;
          case Op.StoreX: memory[code[pc + 1]!] = x; pc += 4; break;
          case Op.Jump: pc = code[pc + 2]!; if (pc < 0) { result = code[~pc + 1]!; break run; } break;
          case Op.JumpBackward: if (++backward > budget) throw new BpfStepBudgetError(budget, pc >> 2); pc = code[pc + 2]!; break;
          case Op.JumpEqualX: pc = a === x ? code[pc + 2]! : code[pc + 3]!; if (pc < 0) { result = code[~pc + 1]!; break run; } break;
          case Op.JumpGreaterX: pc = (a >>> 0) > (x >>> 0) ? code[pc + 2]! : code[pc + 3]!; if (pc < 0) { result = code[~pc + 1]!; break run; } break;
          case Op.JumpGreaterEqualX: pc = (a >>> 0) >= (x >>> 0) ? code[pc + 2]! : code[pc + 3]!; if (pc < 0) { result = code[~pc + 1]!; break run; } break;
          case Op.JumpSetX: pc = (a & x) !== 0 ? code[pc + 2]! : code[pc + 3]!; if (pc < 0) { result = code[~pc + 1]!; break run; } break;
          case Op.AddX: a = (a + x) | 0; pc += 4; break;
          case Op.SubX: a = (a - x) | 0; pc += 4; break;
          case Op.MulX: a = Math.imul(a, x); pc += 4; break;
          case Op.DivX: if (x === 0) break run; a = ((a >>> 0) / (x >>> 0)) | 0; pc += 4; break;
          case Op.ModX: if (x === 0) break run; a = ((a >>> 0) % (x >>> 0)) | 0; pc += 4; break;
          case Op.AndX: a &= x; pc += 4; break;
          case Op.OrX: a |= x; pc += 4; break;
          case Op.XorX: a ^= x; pc += 4; break;
          case Op.LshX: a = (x >>> 0) < 32 ? a << x : 0; pc += 4; break;
          case Op.RshX: a = (x >>> 0) < 32 ? (a >>> x) | 0 : 0; pc += 4; break;
          case Op.AddK: a = (a + code[pc + 1]!) | 0; pc += 4; break;
          case Op.SubK: a = (a - code[pc + 1]!) | 0; pc += 4; break;
          case Op.MulK: a = Math.imul(a, code[pc + 1]!); pc += 4; break;
          case Op.DivK: a = ((a >>> 0) / (code[pc + 1]! >>> 0)) | 0; pc += 4; break;
          case Op.ModK: a = ((a >>> 0) % (code[pc + 1]! >>> 0)) | 0; pc += 4; break;
          case Op.OrK: a |= code[pc + 1]!; pc += 4; break;
          case Op.XorK: a ^= code[pc + 1]!; pc += 4; break;
          case Op.LshK: a <<= code[pc + 1]!; pc += 4; break;
          case Op.RshK: a = (a >>> code[pc + 1]!) | 0; pc += 4; break;
          case Op.Negate: a = -a | 0; pc += 4; break;
          case Op.Tax: x = a; pc += 4; break;
          case Op.Txa: a = x; pc += 4; break;
          case Op.LoadAbsoluteFar: k = code[pc + 1]! >>> 0; if (k + (code[pc + 3]! || 1) > len) break run; k += o; switch (code[pc + 3]!) { case 4: a = (p[k]! << 24) | (p[k + 1]! << 16) | (p[k + 2]! << 8) | p[k + 3]!; break; case 2: a = (p[k]! << 8) | p[k + 1]!; break; case 1: a = p[k]!; break; default: x = (p[k]! & 0xf) << 2; } pc += 4; break;
          default: throw new BpfError(`internal: operation ${code[pc]!} at instruction ${pc >> 2}`, 'internal', pc >> 2);
        }
      }
      // Counted without a branch on the verdict (the index lands in scratch when the record is rejected).
      if (matches !== undefined) matches[accepted] = r;
      accepted += ((result !== 0) as unknown as number) | 0;
    }
    return accepted;
  };
}

const cache = new WeakMap<readonly RawInstruction[], BpfFilterFunction>();

/**
 * Runs `program` over one packet with libpcap's bpf_filter semantics and returns its result (0 = reject).
 * The prepared form is cached per program array, so treat programs as immutable once run.
 */
export function interpret(program: readonly RawInstruction[], bytes: Uint8Array, capturedLength: number, wireLength: number, offset = 0): number {
  let run = cache.get(program);
  if (!run) { run = createInterpreter(program); cache.set(program, run); }
  return run(bytes, capturedLength, wireLength, offset);
}
