/**
 * The classic BPF interpreter with libpcap's bpf_filter semantics (1.10.3 on x86-64): 32-bit unsigned
 * arithmetic, a packet load past the captured length returns 0, `len` is the wire length, division or
 * modulo by X = 0 returns 0, a shift by X >= 32 gives 0 while a shift by constant k uses k mod 32 (the
 * x86 shift, as the C code compiles), 16 scratch words, A and X start at 0. JA offsets are signed, so
 * backward jumps run; they count against a step budget and exhausting it throws BpfStepBudgetError.
 * Programs are checked once when prepared (libpcap's bpf_validate rules, and only opcodes bpf_filter
 * executes), so the run loop needs no per-step checks and allocates nothing.
 */
import type { RawInstruction } from './opcodes.js';
import { BpfError, BpfStepBudgetError } from './errors.js';
import { BPF_KNOWN_OPCODES } from './instructions.js';
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
}
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

/** Prepares `program` for repeated interpretation; throws BpfError if libpcap could not run it safely. */
export function createInterpreter(program: readonly RawInstruction[], options: BpfRunOptions = {}): BpfFilterFunction {
  assertRunnableProgram(program);
  const length = program.length;
  const ops = new Int32Array(length);
  const ks = new Uint32Array(length);
  // Absolute jump targets (conditional: true and false; JA: the target in `whenTrue`).
  const whenTrue = new Int32Array(length);
  const whenFalse = new Int32Array(length);
  let usesScratch = false;
  program.forEach((insn, index) => {
    let op = opByCode.get(insn.code)!;
    if (op === Op.Jump) {
      whenTrue[index] = index + 1 + (insn.k | 0);
      if ((insn.k | 0) < 0) op = Op.JumpBackward;
    } else {
      whenTrue[index] = index + 1 + insn.jt;
      whenFalse[index] = index + 1 + insn.jf;
    }
    if (op === Op.LoadScratch || op === Op.LoadXScratch) usesScratch = true;
    ops[index] = op;
    ks[index] = insn.k >>> 0;
  });
  // The jump's constant goes to `values`, its targets replace the load's (which had none).
  const values = new Uint32Array(length);
  for (let index = 0; index + 1 < length; index++) {
    const fused = fusedOps.get(`${ops[index]},${ops[index + 1]}`);
    if (fused === undefined) continue;
    ops[index] = fused;
    values[index] = ks[index + 1]!;
    whenTrue[index] = whenTrue[index + 1]!;
    whenFalse[index] = whenFalse[index + 1]!;
  }
  // A jump that lands on `ret #k` returns k at once: its target is stored as -1 - target.
  for (let index = 0; index < length; index++) {
    if (!forwardJumps.has(ops[index]!)) continue;
    if (ops[whenTrue[index]!] === Op.ReturnK) whenTrue[index] = -1 - whenTrue[index]!;
    if (ops[index] !== Op.Jump && ops[whenFalse[index]!] === Op.ReturnK) whenFalse[index] = -1 - whenFalse[index]!;
  }
  const memory = new Float64Array(16);
  const budget = options.backwardJumpBudget ?? BPF_DEFAULT_BACKWARD_JUMP_BUDGET;
  // The run loop: one switch over dense operation numbers; nothing is allocated per packet.
  return (p: Uint8Array, capturedLength: number, wireLength: number, o = 0): number => {
    const room = p.length - o;
    const buflen = capturedLength < room ? capturedLength : room;
    let a = 0;
    let x = 0;
    let pc = 0;
    let backward = 0;
    let k = 0;
    if (usesScratch) memory.fill(0);
    for (;;) {
      k = ks[pc]!;
      switch (ops[pc]!) {
        case Op.LoadHalfAbsoluteJumpEqual: if (k + 2 > buflen) return 0; a = (p[o + k]! << 8) | p[o + k + 1]!; pc = a === values[pc]! ? whenTrue[pc]! : whenFalse[pc]!; if (pc < 0) return ks[-1 - pc]!; break;
        case Op.LoadByteAbsoluteJumpEqual: if (k >= buflen) return 0; a = p[o + k]!; pc = a === values[pc]! ? whenTrue[pc]! : whenFalse[pc]!; if (pc < 0) return ks[-1 - pc]!; break;
        case Op.LoadWordAbsoluteJumpEqual: if (k + 4 > buflen) return 0; k += o; a = ((p[k]! << 24) | (p[k + 1]! << 16) | (p[k + 2]! << 8) | p[k + 3]!) >>> 0; pc = a === values[pc]! ? whenTrue[pc]! : whenFalse[pc]!; if (pc < 0) return ks[-1 - pc]!; break;
        case Op.LoadHalfIndirectJumpEqual: k += x; if (k + 2 > buflen) return 0; a = (p[o + k]! << 8) | p[o + k + 1]!; pc = a === values[pc]! ? whenTrue[pc]! : whenFalse[pc]!; if (pc < 0) return ks[-1 - pc]!; break;
        case Op.LoadHalfAbsoluteJumpSet: if (k + 2 > buflen) return 0; a = (p[o + k]! << 8) | p[o + k + 1]!; pc = (a & values[pc]!) !== 0 ? whenTrue[pc]! : whenFalse[pc]!; if (pc < 0) return ks[-1 - pc]!; break;
        case Op.LoadHalfAbsolute: if (k + 2 > buflen) return 0; a = (p[o + k]! << 8) | p[o + k + 1]!; pc++; break;
        case Op.JumpEqualK: pc = a === k ? whenTrue[pc]! : whenFalse[pc]!; if (pc < 0) return ks[-1 - pc]!; break;
        case Op.ReturnK: return k;
        case Op.LoadByteAbsolute: if (k >= buflen) return 0; a = p[o + k]!; pc++; break;
        case Op.JumpSetK: pc = (a & k) !== 0 ? whenTrue[pc]! : whenFalse[pc]!; if (pc < 0) return ks[-1 - pc]!; break;
        case Op.LoadWordAbsolute: if (k + 4 > buflen) return 0; k += o; a = ((p[k]! << 24) | (p[k + 1]! << 16) | (p[k + 2]! << 8) | p[k + 3]!) >>> 0; pc++; break;
        case Op.LoadMemShift: if (k >= buflen) return 0; x = (p[o + k]! & 0xf) << 2; pc++; break;
        case Op.LoadHalfIndirect: k += x; if (k + 2 > buflen) return 0; a = (p[o + k]! << 8) | p[o + k + 1]!; pc++; break;
        case Op.JumpGreaterK: pc = a > k ? whenTrue[pc]! : whenFalse[pc]!; if (pc < 0) return ks[-1 - pc]!; break;
        case Op.JumpGreaterEqualK: pc = a >= k ? whenTrue[pc]! : whenFalse[pc]!; if (pc < 0) return ks[-1 - pc]!; break;
        case Op.ReturnA: return a;
        case Op.LoadByteIndirect: k += x; if (k >= buflen) return 0; a = p[o + k]!; pc++; break;
        case Op.LoadWordIndirect: k += x; if (k + 4 > buflen) return 0; k += o; a = ((p[k]! << 24) | (p[k + 1]! << 16) | (p[k + 2]! << 8) | p[k + 3]!) >>> 0; pc++; break;
        case Op.AndK: a = (a & k) >>> 0; pc++; break;
        case Op.LoadConstant: a = k; pc++; break;
        case Op.LoadXConstant: x = k; pc++; break;
        case Op.LoadLength: a = wireLength >>> 0; pc++; break;
        case Op.LoadXLength: x = wireLength >>> 0; pc++; break;
        case Op.LoadScratch: a = memory[k]!; pc++; break;
        case Op.LoadXScratch: x = memory[k]!; pc++; break;
        case Op.Store: memory[k] = a; pc++; break;
        case Op.StoreX: memory[k] = x; pc++; break;
        case Op.Jump: pc = whenTrue[pc]!; if (pc < 0) return ks[-1 - pc]!; break;
        case Op.JumpBackward: if (++backward > budget) throw new BpfStepBudgetError(budget, pc); pc = whenTrue[pc]!; break;
        case Op.JumpEqualX: pc = a === x ? whenTrue[pc]! : whenFalse[pc]!; if (pc < 0) return ks[-1 - pc]!; break;
        case Op.JumpGreaterX: pc = a > x ? whenTrue[pc]! : whenFalse[pc]!; if (pc < 0) return ks[-1 - pc]!; break;
        case Op.JumpGreaterEqualX: pc = a >= x ? whenTrue[pc]! : whenFalse[pc]!; if (pc < 0) return ks[-1 - pc]!; break;
        case Op.JumpSetX: pc = (a & x) !== 0 ? whenTrue[pc]! : whenFalse[pc]!; if (pc < 0) return ks[-1 - pc]!; break;
        case Op.AddX: a = (a + x) >>> 0; pc++; break;
        case Op.SubX: a = (a - x) >>> 0; pc++; break;
        case Op.MulX: a = Math.imul(a, x) >>> 0; pc++; break;
        case Op.DivX: if (x === 0) return 0; a = Math.floor(a / x); pc++; break;
        case Op.ModX: if (x === 0) return 0; a = a % x; pc++; break;
        case Op.AndX: a = (a & x) >>> 0; pc++; break;
        case Op.OrX: a = (a | x) >>> 0; pc++; break;
        case Op.XorX: a = (a ^ x) >>> 0; pc++; break;
        case Op.LshX: a = x < 32 ? (a << x) >>> 0 : 0; pc++; break;
        case Op.RshX: a = x < 32 ? a >>> x : 0; pc++; break;
        case Op.AddK: a = (a + k) >>> 0; pc++; break;
        case Op.SubK: a = (a - k) >>> 0; pc++; break;
        case Op.MulK: a = Math.imul(a, k) >>> 0; pc++; break;
        case Op.DivK: a = Math.floor(a / k); pc++; break;
        case Op.ModK: a = a % k; pc++; break;
        case Op.OrK: a = (a | k) >>> 0; pc++; break;
        case Op.XorK: a = (a ^ k) >>> 0; pc++; break;
        case Op.LshK: a = (a << k) >>> 0; pc++; break;
        case Op.RshK: a = a >>> k; pc++; break;
        case Op.Negate: a = -a >>> 0; pc++; break;
        case Op.Tax: x = a; pc++; break;
        case Op.Txa: a = x; pc++; break;
      }
    }

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
