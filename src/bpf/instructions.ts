/**
 * Typed classic BPF instructions (after Go's golang.org/x/net/bpf) and their conversion to and from the
 * raw `{ code, jt, jf, k }` form. `disassemble` keeps anything it cannot express exactly as a `raw` value,
 * so `assemble(disassemble(raw))` always gives back `raw`.
 */
import type { RawInstruction } from './opcodes.js';
import {
  BPF_A, BPF_ABS, BPF_ADD, BPF_ALU, BPF_AND, BPF_B, BPF_DIV, BPF_H, BPF_IMM, BPF_IND, BPF_JA, BPF_JEQ,
  BPF_JGE, BPF_JGT, BPF_JMP, BPF_JSET, BPF_K, BPF_LD, BPF_LDX, BPF_LEN, BPF_LSH, BPF_MEM, BPF_MISC,
  BPF_MOD, BPF_MSH, BPF_MUL, BPF_NEG, BPF_OR, BPF_RET, BPF_RSH, BPF_ST, BPF_STX, BPF_SUB, BPF_TAX,
  BPF_TXA, BPF_W, BPF_X, BPF_XOR,
} from './opcodes.js';
import { BpfError } from './errors.js';

/** A BPF register: the accumulator A or the index register X. */
export type BpfRegister = 'A' | 'X';
/** Size in bytes of a packet load. */
export type BpfLoadSize = 1 | 2 | 4;
/** Arithmetic and logic operations of the BPF_ALU class (NEG is its own instruction). */
export type BpfAluOp = 'add' | 'sub' | 'mul' | 'div' | 'mod' | 'and' | 'or' | 'xor' | 'lsh' | 'rsh';
/** Jump conditions; `ne`, `lt`, `le` and `notSet` assemble to the native test with the branches swapped. */
export type BpfJumpCondition = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'set' | 'notSet';

/** One classic BPF instruction as a typed value; `raw` holds anything without an exact typed form. */
export type BpfInstruction =
  | { kind: 'loadConstant'; dst: BpfRegister; val: number }
  | { kind: 'loadAbsolute'; off: number; size: BpfLoadSize }
  | { kind: 'loadIndirect'; off: number; size: BpfLoadSize }
  | { kind: 'loadScratch'; dst: BpfRegister; n: number }
  | { kind: 'loadLength'; dst: BpfRegister }
  | { kind: 'loadMemShift'; off: number }
  | { kind: 'storeScratch'; src: BpfRegister; n: number }
  | { kind: 'aluOpConstant'; op: BpfAluOp; val: number }
  | { kind: 'aluOpX'; op: BpfAluOp }
  | { kind: 'negateA' }
  | { kind: 'jump'; skip: number }
  | { kind: 'jumpIf'; cond: BpfJumpCondition; val: number; skipTrue: number; skipFalse: number }
  | { kind: 'jumpIfX'; cond: BpfJumpCondition; skipTrue: number; skipFalse: number }
  | { kind: 'retA' }
  | { kind: 'retConstant'; val: number }
  | { kind: 'tax' }
  | { kind: 'txa' }
  | { kind: 'raw'; code: number; jt: number; jf: number; k: number };

/** The BPF_ALU operation field of each ALU mnemonic (as tcpdump -d and bpf_asm spell them). */
export const BPF_ALU_OPERATIONS: Readonly<Record<BpfAluOp, number>> = {
  add: BPF_ADD, sub: BPF_SUB, mul: BPF_MUL, div: BPF_DIV, mod: BPF_MOD,
  and: BPF_AND, or: BPF_OR, xor: BPF_XOR, lsh: BPF_LSH, rsh: BPF_RSH,
};
const aluCodes = BPF_ALU_OPERATIONS;
/** The BPF_JMP test field of each native conditional jump mnemonic. */
export const BPF_JUMP_TESTS: Readonly<Record<'jeq' | 'jgt' | 'jge' | 'jset', number>> = { jeq: BPF_JEQ, jgt: BPF_JGT, jge: BPF_JGE, jset: BPF_JSET };
/** The size field of each packet-load mnemonic (`ld` word, `ldh` half word, `ldb` byte). */
export const BPF_LOAD_SIZES: Readonly<Record<'ld' | 'ldh' | 'ldb', number>> = { ld: BPF_W, ldh: BPF_H, ldb: BPF_B };
const aluByCode = new Map<number, BpfAluOp>(Object.entries(aluCodes).map(([name, code]) => [code, name as BpfAluOp]));
const sizeCodes: Record<BpfLoadSize, number> = { 4: BPF_W, 2: BPF_H, 1: BPF_B };
const sizeByCode = new Map<number, BpfLoadSize>([[BPF_W, 4], [BPF_H, 2], [BPF_B, 1]]);
/** Native test and whether the branches are swapped, per condition. */
const conditionCodes: Record<BpfJumpCondition, [number, boolean]> = {
  eq: [BPF_JEQ, false], ne: [BPF_JEQ, true], gt: [BPF_JGT, false], le: [BPF_JGT, true],
  ge: [BPF_JGE, false], lt: [BPF_JGE, true], set: [BPF_JSET, false], notSet: [BPF_JSET, true],
};
const conditionByCode = new Map<number, BpfJumpCondition>([[BPF_JEQ, 'eq'], [BPF_JGT, 'gt'], [BPF_JGE, 'ge'], [BPF_JSET, 'set']]);

/**
 * Every opcode libpcap's bpf_filter and the Linux kernel execute (the classic set); anything else is
 * unknown to both (libpcap aborts on it, the kernel refuses it).
 */
export const BPF_KNOWN_OPCODES: ReadonlySet<number> = new Set<number>([
  BPF_LD | BPF_IMM, BPF_LD | BPF_W | BPF_ABS, BPF_LD | BPF_H | BPF_ABS, BPF_LD | BPF_B | BPF_ABS,
  BPF_LD | BPF_W | BPF_IND, BPF_LD | BPF_H | BPF_IND, BPF_LD | BPF_B | BPF_IND,
  BPF_LD | BPF_MEM, BPF_LD | BPF_W | BPF_LEN,
  BPF_LDX | BPF_IMM, BPF_LDX | BPF_MEM, BPF_LDX | BPF_W | BPF_LEN, BPF_LDX | BPF_B | BPF_MSH,
  BPF_ST, BPF_STX,
  ...[...aluByCode.keys()].flatMap((op) => [BPF_ALU | op | BPF_K, BPF_ALU | op | BPF_X]),
  BPF_ALU | BPF_NEG,
  BPF_JMP | BPF_JA,
  ...[...conditionByCode.keys()].flatMap((op) => [BPF_JMP | op | BPF_K, BPF_JMP | op | BPF_X]),
  BPF_RET | BPF_K, BPF_RET | BPF_A, BPF_MISC | BPF_TAX, BPF_MISC | BPF_TXA,
]);

/** True when `code` is a conditional jump (JEQ, JGT, JGE, JSET with K or X), the only users of jt and jf. */
export function isConditionalJump(code: number): boolean {
  return (code & 0x07) === BPF_JMP && (code & 0xf0) !== BPF_JA;
}

/** Bytes a load reads, by its size field (code & 0x18): 4 for BPF_W, 2 for BPF_H, 1 for BPF_B. */
export function bpfLoadBytes(code: number): number {
  return (code & 0x18) === BPF_W ? 4 : (code & 0x18) === BPF_H ? 2 : 1;
}

/** True for `ld [k]`, `ldh [k]` and `ldb [k]`: a packet load at an absolute offset. */
export function isAbsolutePacketLoad(code: number): boolean {
  return code === (BPF_LD | BPF_W | BPF_ABS) || code === (BPF_LD | BPF_H | BPF_ABS) || code === (BPF_LD | BPF_B | BPF_ABS);
}

/** True for `ld [x + k]`, `ldh [x + k]` and `ldb [x + k]`: a packet load at X plus an offset. */
export function isIndexedPacketLoad(code: number): boolean {
  return code === (BPF_LD | BPF_W | BPF_IND) || code === (BPF_LD | BPF_H | BPF_IND) || code === (BPF_LD | BPF_B | BPF_IND);
}

/** Checks that an instruction's fields are integers in range (code 16-bit, jt/jf 8-bit, k 32-bit unsigned). */
export function checkRawInstruction(insn: RawInstruction, index: number): void {
  const field = (name: string, value: unknown, max: number): void => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
      throw new BpfError(`instruction ${index}: ${name} must be an integer from 0 to ${max}, got ${typeof value === 'number' ? value : typeof value}`, 'field-range', index);
    }
  };
  if (typeof insn !== 'object' || insn === null) throw new BpfError(`instruction ${index}: not an instruction object`, 'field-range', index);
  field('code', insn.code, 0xffff);
  field('jt', insn.jt, 0xff);
  field('jf', insn.jf, 0xff);
  field('k', insn.k, 0xffffffff);
}

/** Checks every instruction of `program` with checkRawInstruction (throws BpfError on the first bad one). */
export function checkRawProgram(program: readonly RawInstruction[]): void {
  if (!Array.isArray(program)) throw new BpfError('a program must be an array of instructions', 'field-range');
  program.forEach((insn, index) => checkRawInstruction(insn, index));
}

const u32 = (value: number): number => value >>> 0;
const raw = (code: number, k = 0, jt = 0, jf = 0): RawInstruction => ({ code, jt, jf, k: u32(k) });

/** Converts a typed instruction into its raw form (struct bpf_insn). */
export function assemble(insn: BpfInstruction): RawInstruction {
  switch (insn.kind) {
    case 'loadConstant': return raw((insn.dst === 'A' ? BPF_LD : BPF_LDX) | BPF_IMM, insn.val);
    case 'loadAbsolute': return raw(BPF_LD | sizeCodes[insn.size] | BPF_ABS, insn.off);
    case 'loadIndirect': return raw(BPF_LD | sizeCodes[insn.size] | BPF_IND, insn.off);
    case 'loadScratch': return raw((insn.dst === 'A' ? BPF_LD : BPF_LDX) | BPF_MEM, insn.n);
    case 'loadLength': return raw((insn.dst === 'A' ? BPF_LD : BPF_LDX) | BPF_W | BPF_LEN);
    case 'loadMemShift': return raw(BPF_LDX | BPF_B | BPF_MSH, insn.off);
    case 'storeScratch': return raw(insn.src === 'A' ? BPF_ST : BPF_STX, insn.n);
    case 'aluOpConstant': return raw(BPF_ALU | aluCodes[insn.op] | BPF_K, insn.val);
    case 'aluOpX': return raw(BPF_ALU | aluCodes[insn.op] | BPF_X);
    case 'negateA': return raw(BPF_ALU | BPF_NEG);
    case 'jump': return raw(BPF_JMP | BPF_JA, insn.skip);
    case 'jumpIf':
    case 'jumpIfX': {
      const [op, swapped] = conditionCodes[insn.cond];
      const code = BPF_JMP | op | (insn.kind === 'jumpIf' ? BPF_K : BPF_X);
      const k = insn.kind === 'jumpIf' ? insn.val : 0;
      return swapped ? raw(code, k, insn.skipFalse, insn.skipTrue) : raw(code, k, insn.skipTrue, insn.skipFalse);
    }
    case 'retA': return raw(BPF_RET | BPF_A);
    case 'retConstant': return raw(BPF_RET | BPF_K, insn.val);
    case 'tax': return raw(BPF_MISC | BPF_TAX);
    case 'txa': return raw(BPF_MISC | BPF_TXA);
    case 'raw': return { code: insn.code, jt: insn.jt, jf: insn.jf, k: u32(insn.k) };
  }
}

function decode(insn: RawInstruction): BpfInstruction | undefined {
  const { code, k } = insn;
  const size = sizeByCode.get(code & 0x18);
  switch (code & 0x07) {
    case BPF_LD:
      switch (code & 0xe0) {
        case BPF_IMM: return { kind: 'loadConstant', dst: 'A', val: k };
        case BPF_ABS: return size && { kind: 'loadAbsolute', off: k, size };
        case BPF_IND: return size && { kind: 'loadIndirect', off: k, size };
        case BPF_MEM: return { kind: 'loadScratch', dst: 'A', n: k };
        case BPF_LEN: return { kind: 'loadLength', dst: 'A' };
      }
      return undefined;
    case BPF_LDX:
      switch (code & 0xe0) {
        case BPF_IMM: return { kind: 'loadConstant', dst: 'X', val: k };
        case BPF_MEM: return { kind: 'loadScratch', dst: 'X', n: k };
        case BPF_LEN: return { kind: 'loadLength', dst: 'X' };
        case BPF_MSH: return { kind: 'loadMemShift', off: k };
      }
      return undefined;
    case BPF_ST: return { kind: 'storeScratch', src: 'A', n: k };
    case BPF_STX: return { kind: 'storeScratch', src: 'X', n: k };
    case BPF_ALU: {
      if ((code & 0xf0) === BPF_NEG) return { kind: 'negateA' };
      const op = aluByCode.get(code & 0xf0);
      if (!op) return undefined;
      return (code & 0x08) === BPF_X ? { kind: 'aluOpX', op } : { kind: 'aluOpConstant', op, val: k };
    }
    case BPF_JMP: {
      if ((code & 0xf0) === BPF_JA) return { kind: 'jump', skip: k };
      const cond = conditionByCode.get(code & 0xf0);
      if (!cond) return undefined;
      return (code & 0x08) === BPF_X
        ? { kind: 'jumpIfX', cond, skipTrue: insn.jt, skipFalse: insn.jf }
        : { kind: 'jumpIf', cond, val: k, skipTrue: insn.jt, skipFalse: insn.jf };
    }
    case BPF_RET:
      if ((code & 0x18) === BPF_A) return { kind: 'retA' };
      if ((code & 0x18) === BPF_K) return { kind: 'retConstant', val: k };
      return undefined;
    case BPF_MISC:
      if (code === (BPF_MISC | BPF_TAX)) return { kind: 'tax' };
      if (code === (BPF_MISC | BPF_TXA)) return { kind: 'txa' };
      return undefined;
  }
  return undefined;
}

/** Converts a raw instruction into its typed value, or `{ kind: 'raw' }` when no typed value assembles back to it exactly. */
export function disassemble(insn: RawInstruction): BpfInstruction {
  const typed = decode(insn);
  if (typed) {
    const back = assemble(typed);
    if (back.code === insn.code && back.jt === insn.jt && back.jf === insn.jf && back.k === u32(insn.k)) return typed;
  }
  return { kind: 'raw', code: insn.code, jt: insn.jt, jf: insn.jf, k: u32(insn.k) };
}

/** Assembles a whole typed program. */
export function assembleProgram(program: readonly BpfInstruction[]): RawInstruction[] {
  return program.map(assemble);
}

/** Disassembles a whole raw program. */
export function disassembleProgram(program: readonly RawInstruction[]): BpfInstruction[] {
  return program.map(disassemble);
}
