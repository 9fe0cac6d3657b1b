/**
 * Program validation in two modes: `libpcap` accepts exactly what libpcap's bpf_validate accepts, `kernel`
 * applies the Linux kernel's stricter classic-BPF checks (known opcodes only, forward jumps only, every
 * scratch read preceded by a store on every path, no constant shift of 32 or more, at most 4096 instructions).
 */
import type { RawInstruction } from './opcodes.js';
import { BPF_MAXINSNS, BPF_MEMWORDS } from './opcodes.js';
import { BpfError } from './errors.js';
import { BPF_KNOWN_OPCODES, checkRawInstruction, isConditionalJump } from './instructions.js';

/** Which validator rules to apply. */
export type BpfValidationMode = 'libpcap' | 'kernel';

/** One broken rule: the instruction index (-1 for the program as a whole), a stable rule name and a message. */
export interface BpfValidationIssue { index: number; rule: string; message: string }

/** The validator's verdict; `ok` is true exactly when `issues` is empty. */
export interface BpfValidationResult { ok: boolean; issues: BpfValidationIssue[] }

const isMemoryLoad = (code: number): boolean => code === 0x60 || code === 0x61;

function issue(index: number, rule: string, message: string): BpfValidationIssue {
  return { index, rule, message: index >= 0 ? `instruction ${index}: ${message}` : message };
}

/** The rules of libpcap's bpf_validate (1.10.3): jumps inside the program (JA offsets wrap at 32 bits, so backward JA passes), valid modes and ops, scratch index < 16, no constant division by 0, last instruction RET. */
function libpcapIssues(program: readonly RawInstruction[]): BpfValidationIssue[] {
  const issues: BpfValidationIssue[] = [];
  const length = program.length;
  if (length < 1) return [issue(-1, 'empty-program', 'the program is empty')];
  program.forEach((insn, index) => {
    const { code, k } = insn;
    const from = index + 1;
    switch (code & 0x07) {
      case 0x00: case 0x01: {
        const mode = code & 0xe0;
        if (mode === 0x60 && k >= BPF_MEMWORDS) issues.push(issue(index, 'scratch-index', `scratch slot M[${k}] does not exist (0 to 15)`));
        else if (mode === 0xc0 || mode === 0xe0) issues.push(issue(index, 'unknown-opcode', `load mode 0x${mode.toString(16)} of opcode 0x${code.toString(16)} is not valid`));
        break;
      }
      case 0x02: case 0x03:
        if (k >= BPF_MEMWORDS) issues.push(issue(index, 'scratch-index', `scratch slot M[${k}] does not exist (0 to 15)`));
        break;
      case 0x04: {
        const op = code & 0xf0;
        if ((op === 0x30 || op === 0x90) && (code & 0x08) === 0 && k === 0) issues.push(issue(index, 'division-by-zero', `${op === 0x30 ? 'division' : 'modulo'} by constant 0`));
        else if (op > 0xa0) issues.push(issue(index, 'unknown-opcode', `ALU operation 0x${op.toString(16)} of opcode 0x${code.toString(16)} is not valid`));
        break;
      }
      case 0x05: {
        const op = code & 0xf0;
        if (op === 0x00) {
          if (((from + k) >>> 0) >= length) issues.push(issue(index, 'jump-out-of-range', `ja lands at ${(from + k) >>> 0}, past the last instruction ${length - 1}`));
        } else if (op <= 0x40) {
          if (from + insn.jt >= length || from + insn.jf >= length) issues.push(issue(index, 'jump-out-of-range', `jump targets ${from + insn.jt} and ${from + insn.jf} must be below ${length}`));
        } else {
          issues.push(issue(index, 'unknown-opcode', `jump operation 0x${op.toString(16)} of opcode 0x${code.toString(16)} is not valid`));
        }
        break;
      }
    }
  });
  if ((program[length - 1]!.code & 0x07) !== 0x06) issues.push(issue(length - 1, 'last-not-return', 'the last instruction is not a ret'));
  return issues;
}

/** The Linux kernel's classic BPF checks (bpf_check_classic and check_load_and_stores in net/core/filter.c). */
function kernelIssues(program: readonly RawInstruction[]): BpfValidationIssue[] {
  const issues: BpfValidationIssue[] = [];
  const length = program.length;
  if (length < 1) return [issue(-1, 'empty-program', 'the program is empty')];
  if (length > BPF_MAXINSNS) issues.push(issue(-1, 'too-long', `the program has ${length} instructions; the kernel accepts at most ${BPF_MAXINSNS}`));
  program.forEach((insn, index) => {
    const { code, k } = insn;
    if (!BPF_KNOWN_OPCODES.has(code)) { issues.push(issue(index, 'unknown-opcode', `opcode 0x${code.toString(16)} is not a classic BPF instruction`)); return; }
    const remaining = length - index - 1;
    if (code === 0x02 || code === 0x03 || isMemoryLoad(code)) {
      if (k >= BPF_MEMWORDS) issues.push(issue(index, 'scratch-index', `scratch slot M[${k}] does not exist (0 to 15)`));
    } else if ((code === 0x34 || code === 0x94) && k === 0) {
      issues.push(issue(index, 'division-by-zero', `${code === 0x34 ? 'division' : 'modulo'} by constant 0`));
    } else if ((code === 0x64 || code === 0x74) && k >= 32) {
      issues.push(issue(index, 'shift-too-large', `shift by constant ${k} (must be below 32)`));
    } else if (code === 0x05) {
      if ((k | 0) < 0) issues.push(issue(index, 'backward-jump', `ja jumps backward by ${-(k | 0) - 1}; the kernel accepts forward jumps only`));
      else if (k >= remaining) issues.push(issue(index, 'jump-out-of-range', `ja lands at ${index + 1 + k}, past the last instruction ${length - 1}`));
    } else if (isConditionalJump(code)) {
      if (insn.jt >= remaining || insn.jf >= remaining) issues.push(issue(index, 'jump-out-of-range', `jump targets ${index + 1 + insn.jt} and ${index + 1 + insn.jf} must be below ${length}`));
    }
  });
  if ((program[length - 1]!.code & 0x07) !== 0x06) issues.push(issue(length - 1, 'last-not-return', 'the last instruction is not a ret, so a path can run off the end'));
  if (issues.length === 0) issues.push(...scratchIssues(program));
  return issues;
}

/**
 * Scratch reads before stores, as the kernel checks them: a forward pass over instructions in order,
 * intersecting the set of stored slots at every jump target (the set after a ret carries on, as in the kernel).
 */
function scratchIssues(program: readonly RawInstruction[]): BpfValidationIssue[] {
  const issues: BpfValidationIssue[] = [];
  const atTarget = new Array<number>(program.length).fill(0xffff);
  let valid = 0;
  program.forEach((insn, index) => {
    valid &= atTarget[index]!;
    const { code, k } = insn;
    if (code === 0x02 || code === 0x03) valid |= 1 << k;
    else if (isMemoryLoad(code)) {
      if (!(valid & (1 << k))) issues.push(issue(index, 'scratch-read-before-store', `M[${k}] may be read before any store to it`));
    } else if (code === 0x05) {
      atTarget[index + 1 + k]! &= valid;
      valid = 0xffff;
    } else if (isConditionalJump(code)) {
      atTarget[index + 1 + insn.jt]! &= valid;
      atTarget[index + 1 + insn.jf]! &= valid;
      valid = 0xffff;
    }
  });
  return issues;
}

/** Validates `program` under `mode`'s rules; every issue names its instruction and rule. */
export function validateProgram(program: readonly RawInstruction[], mode: BpfValidationMode = 'libpcap'): BpfValidationResult {
  program.forEach((insn, index) => checkRawInstruction(insn, index));
  const issues = mode === 'kernel' ? kernelIssues(program) : libpcapIssues(program);
  return { ok: issues.length === 0, issues };
}

/** Throws a BpfError for the first issue `validateProgram` finds (its message lists how many more there are). */
export function assertValidProgram(program: readonly RawInstruction[], mode: BpfValidationMode = 'libpcap'): void {
  const { issues } = validateProgram(program, mode);
  const first = issues[0];
  if (!first) return;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  throw new BpfError(`invalid program (${mode} rules): ${first.message} [${first.rule}]${more}`, first.rule, first.index);
}
