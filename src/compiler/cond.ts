/**
 * The boolean intermediate form between the AST and the block graph: tests (straight-line statements
 * ending in one conditional jump on A) combined with and/or/not, in libpcap's evaluation order.
 */
import type { RawInstruction } from '../bpf/opcodes.js';
import { BPF_ABS, BPF_ADD, BPF_ALU, BPF_AND, BPF_B, BPF_H, BPF_IMM, BPF_IND, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JSET, BPF_K, BPF_LD, BPF_LDX, BPF_MEM, BPF_W } from '../bpf/opcodes.js';
import { decodeOffset } from './state.js';

/** A conditional jump operator on A against K or X. */
export type JumpOp = typeof BPF_JEQ | typeof BPF_JGT | typeof BPF_JGE | typeof BPF_JSET;

/** One test: run `stmts`, then jump on `A op (k | X)`. */
export interface TestCond {
  kind: 'test'; stmts: RawInstruction[]; op: JumpOp; src: typeof BPF_K | 0x08; k: number;
  /** True for the comparison of an `arith relop arith` (libpcap's optimizer learns nothing from those). */
  relation?: boolean;
  /**
   * Instructions run before `stmts`, kept as written: jumps inside (backward ones too) are relative and
   * stay inside or fall out at its end (`protochain`'s loop). Opaque to the optimizer.
   */
  prelude?: RawInstruction[];
  /** Keep every statement even when its result is never read (libpcap keeps geneve's loads: they may fault). */
  pinned?: boolean;
}

/** A boolean combination of tests, evaluated left to right with short circuits. */
export type Cond =
  | TestCond
  | { kind: 'and' | 'or'; left: Cond; right: Cond }
  | { kind: 'not'; operand: Cond }
  /** Statements run for their effect (registers, scratch words), then always true; `pinned` as in TestCond. */
  | { kind: 'effect'; stmts: RawInstruction[]; pinned?: boolean }
  | { kind: 'const'; value: boolean };

/** A statement (non-jump instruction) with the given code and constant (a 32-bit value). */
export function stmt(code: number, k = 0): RawInstruction {
  if (!Number.isInteger(k) || k > 0xffffffff || k < -0x80000000) throw new Error(`internal: constant ${k} does not fit 32 bits (a register-relative offset used as absolute?)`);
  return { code, jt: 0, jf: 0, k: k >>> 0 };
}

/** Loads `size` bytes at `offset` into A: absolute, or `ldx M[r]; ld [x + k]` for a register-relative offset. */
export function loadStmts(offset: number, size: 1 | 2 | 4): RawInstruction[] {
  const { register, k } = decodeOffset(offset);
  if (register === undefined) return [stmt(BPF_LD | sizeCode(size) | BPF_ABS, k)];
  return [stmt(BPF_LDX | BPF_MEM, register), stmt(BPF_LD | sizeCode(size) | BPF_IND, k)];
}

/** Loads into X the run-time base of `offset` (`ldx M[r]`), or zero for an absolute offset; the constant part is returned with it. */
export function baseIntoX(offset: number): { stmts: RawInstruction[]; k: number } {
  const { register, k } = decodeOffset(offset);
  if (register === undefined) return { stmts: [stmt(BPF_LDX | BPF_IMM, 0)], k };
  return { stmts: [stmt(BPF_LDX | BPF_MEM, register)], k };
}

/** Loads into A the run-time base of `offset` plus `plus` (`ld #plus`, or `ld M[r]; add #plus` for a register-relative offset). */
export function basePlusIntoA(offset: number, plus: number): RawInstruction[] {
  const { register } = decodeOffset(offset);
  if (register === undefined) return [stmt(BPF_LD | BPF_IMM, plus)];
  return plus === 0 ? [stmt(BPF_LD | BPF_MEM, register)] : [stmt(BPF_LD | BPF_MEM, register), stmt(BPF_ALU | BPF_ADD | BPF_K, plus)];
}

/** The BPF size field for a byte count. */
export function sizeCode(size: 1 | 2 | 4): number {
  return size === 1 ? BPF_B : size === 2 ? BPF_H : BPF_W;
}

/** `left and right` (left evaluated first). */
export const and = (left: Cond, right: Cond): Cond => ({ kind: 'and', left, right });
/** `left or right` (left evaluated first). */
export const or = (left: Cond, right: Cond): Cond => ({ kind: 'or', left, right });
/** `not operand`. */
export const not = (operand: Cond): Cond => ({ kind: 'not', operand });
/** A condition that is always true. */
export const TRUE: Cond = { kind: 'const', value: true };
/** A condition that is always false. */
export const FALSE: Cond = { kind: 'const', value: false };

/** Combines conditions with `and`, left to right. */
export function andAll(...conds: Cond[]): Cond {
  return conds.reduceRight((right, left) => and(left, right));
}
/** Combines conditions with `or`, left to right. */
export function orAll(...conds: Cond[]): Cond {
  return conds.reduceRight((right, left) => or(left, right));
}

/** A test of `stmts` ending in `A op #k`. */
export function test(stmts: RawInstruction[], op: JumpOp, k: number): Cond {
  return { kind: 'test', stmts, op, src: BPF_K, k: k >>> 0 };
}

/** Loads `size` bytes at absolute offset `offset` and compares them for equality with `value`. */
export function cmp(offset: number, size: 1 | 2 | 4, value: number): Cond {
  return test(loadStmts(offset, size), BPF_JEQ, value);
}

/** Loads, masks with `mask` (skipped when all ones for the size), and compares with `value`. */
export function maskedCmp(offset: number, size: 1 | 2 | 4, value: number, mask: number): Cond {
  const full = size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
  const stmts = loadStmts(offset, size);
  if ((mask >>> 0) !== full) stmts.push(stmt(BPF_ALU | BPF_AND | BPF_K, mask));
  return test(stmts, BPF_JEQ, value & mask);
}

/** Loads `size` bytes at `offset` and jumps on `A > value`. */
export function cmpGreater(offset: number, size: 1 | 2 | 4, value: number): Cond {
  return test(loadStmts(offset, size), BPF_JGT, value);
}

/** Loads `size` bytes at `offset` and jumps on `A >= value`. */
export function cmpGreaterOrEqual(offset: number, size: 1 | 2 | 4, value: number): Cond {
  return test(loadStmts(offset, size), BPF_JGE, value);
}

/** Loads `size` bytes at `offset` and jumps on `A & bits != 0`. */
export function bitsSet(offset: number, size: 1 | 2 | 4, bits: number): Cond {
  return test(loadStmts(offset, size), BPF_JSET, bits);
}

/** Compares `bytes` at `offset` as libpcap's gen_bcmp does: last word first, then half-words, then a byte. */
export function bytesEqual(offset: number, bytes: readonly number[]): Cond {
  const parts: Cond[] = [];
  let size = bytes.length;
  const word = (at: number, n: number): number => {
    let value = 0;
    for (let i = 0; i < n; i++) value = (value * 256 + bytes[at + i]!) >>> 0;
    return value;
  };
  while (size >= 4) { parts.push(cmp(offset + size - 4, 4, word(size - 4, 4))); size -= 4; }
  while (size >= 2) { parts.push(cmp(offset + size - 2, 2, word(size - 2, 2))); size -= 2; }
  if (size > 0) parts.push(cmp(offset, 1, bytes[0]!));
  return andAll(...parts);
}

/** A constant load used where libpcap materializes true/false as `ld #0|#1; jeq #0`. */
export function constantTest(value: boolean): TestCond {
  return { kind: 'test', stmts: [stmt(BPF_LD | BPF_IMM, value ? 0 : 1)], op: BPF_JEQ, src: BPF_K, k: 0 };
}


