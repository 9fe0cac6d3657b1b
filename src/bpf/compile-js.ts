/**
 * BPF to JavaScript: a validated program becomes a JavaScript function with the interpreter's semantics.
 * Forward-only programs become nested ifs in the program's own control flow (shared tails are duplicated),
 * with constant jumps folded and a bounds check emitted only where no dominating check already covers the
 * load. Programs with backward jumps, or whose expansion would pass `treeLimit` instructions, become a
 * switch inside a loop (backward jumps count against the step budget). The source is built only from
 * numbers and fixed templates; no text of any input reaches it. Where `new Function` is refused (a CSP),
 * the interpreter is returned instead.
 */
import type { RawInstruction } from './opcodes.js';
import { BpfError, BpfStepBudgetError } from './errors.js';
import { isConditionalJump } from './instructions.js';
import { BPF_DEFAULT_BACKWARD_JUMP_BUDGET, assertRunnableProgram, createInterpreter } from './interpreter.js';
import type { BpfFilterFunction, BpfRunOptions } from './interpreter.js';

/** Options of compileToJs. */
export interface BpfCompileOptions extends BpfRunOptions {
  /** `tree` (nested ifs), `loop` (switch in a loop) or `auto` (tree unless it is too big or jumps go backward). */
  form?: 'auto' | 'tree' | 'loop';
  /** Largest number of instructions the tree form may emit after duplicating shared tails (default 2000). */
  treeLimit?: number;
}

/** Generated JavaScript for a program: the body of `function (p, capturedLength, wireLength, offset)` and its form. */
export interface BpfJsSource { form: 'tree' | 'loop'; body: string }

/** Formats a number for the generated source, refusing anything but a finite integer in range. */
function lit(value: number): string {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < -0x100000000 || value > 0x400000000) {
    throw new BpfError(`internal: ${String(value)} is not a number the code generator can emit`, 'codegen');
  }
  return String(value);
}

// Packet bytes are read as p[o + k]: the packet starts at offset o of p.
const word = (at: string): string => `((p[${at}] << 24 | p[${at} + 1] << 16 | p[${at} + 2] << 8 | p[${at} + 3]) >>> 0)`;
const half = (at: string): string => `(p[${at}] << 8 | p[${at} + 1])`;
const byte = (at: string): string => `p[${at}]`;
const byteAt = (k: number): string => `p[o + ${lit(k)}]`;
const wordAt = (k: number): string => `((p[o + ${lit(k)}] << 24 | p[o + ${lit(k + 1)}] << 16 | p[o + ${lit(k + 2)}] << 8 | p[o + ${lit(k + 3)}]) >>> 0)`;
const halfAt = (k: number): string => `(p[o + ${lit(k)}] << 8 | p[o + ${lit(k + 1)}])`;
const loadSize = (code: number): number => ((code & 0x18) === 0x00 ? 4 : (code & 0x18) === 0x08 ? 2 : 1);

/** 32-bit ALU operation on known values, as the interpreter computes it (undefined when it returns 0 early). */
function foldAlu(code: number, a: number, operand: number): number | undefined {
  const byX = (code & 0x08) !== 0;
  switch (code & 0xf0) {
    case 0x00: return (a + operand) >>> 0;
    case 0x10: return (a - operand) >>> 0;
    case 0x20: return Math.imul(a, operand) >>> 0;
    case 0x30: return operand === 0 ? undefined : Math.floor(a / operand);
    case 0x90: return operand === 0 ? undefined : a % operand;
    case 0x50: return (a & operand) >>> 0;
    case 0x40: return (a | operand) >>> 0;
    case 0xa0: return (a ^ operand) >>> 0;
    case 0x60: return byX && operand >= 32 ? 0 : (a << operand) >>> 0;
    case 0x70: return byX && operand >= 32 ? 0 : a >>> operand;
    case 0x80: return -a >>> 0;
  }
  return undefined;
}

/** JavaScript expression for an ALU operation on `a` with operand text `b` (X or a literal). */
function aluExpression(code: number, b: string): string {
  const byX = (code & 0x08) !== 0;
  switch (code & 0xf0) {
    case 0x00: return `(a + ${b}) >>> 0`;
    case 0x10: return `(a - ${b}) >>> 0`;
    case 0x20: return `Math.imul(a, ${b}) >>> 0`;
    case 0x30: return `Math.floor(a / ${b})`;
    case 0x90: return `a % ${b}`;
    case 0x50: return `(a & ${b}) >>> 0`;
    case 0x40: return `(a | ${b}) >>> 0`;
    case 0xa0: return `(a ^ ${b}) >>> 0`;
    case 0x60: return byX ? `${b} < 32 ? (a << ${b}) >>> 0 : 0` : `(a << ${b}) >>> 0`;
    case 0x70: return byX ? `${b} < 32 ? a >>> ${b} : 0` : `a >>> ${b}`;
    case 0x80: return `-a >>> 0`;
  }
  throw new BpfError(`internal: ALU opcode 0x${code.toString(16)}`, 'codegen');
}

/** Condition text of a conditional jump comparing `a` with operand text `b`. */
function conditionExpression(code: number, b: string): string {
  switch (code & 0xf0) {
    case 0x10: return `a === ${b}`;
    case 0x20: return `a > ${b}`;
    case 0x30: return `a >= ${b}`;
    default: return `(a & ${b}) !== 0`;
  }
}

function foldCondition(code: number, a: number, b: number): boolean {
  switch (code & 0xf0) {
    case 0x10: return a === b;
    case 0x20: return a > b;
    case 0x30: return a >= b;
    default: return (a & b) !== 0;
  }
}

const hasBackwardJump = (program: readonly RawInstruction[]): boolean => program.some((insn) => insn.code === 0x05 && (insn.k | 0) < 0);

/**
 * Size of the tree form from instruction 0: how many instructions it emits after duplicating shared tails
 * (capped at `cap + 1`), and how deeply its ifs nest (true branches nest, false branches continue).
 */
function treeShape(program: readonly RawInstruction[], cap: number): { size: number; depth: number } {
  const size = new Array<number>(program.length).fill(0);
  const depth = new Array<number>(program.length).fill(0);
  for (let index = program.length - 1; index >= 0; index--) {
    const insn = program[index]!;
    if ((insn.code & 0x07) === 0x06) { size[index] = 1; continue; }
    let next = index + 1;
    if (insn.code === 0x05) next = index + 1 + insn.k;
    if (isConditionalJump(insn.code)) {
      const whenTrue = index + 1 + insn.jt;
      next = index + 1 + insn.jf;
      size[index] = Math.min(1 + size[whenTrue]! + size[next]!, cap + 1);
      depth[index] = Math.max(depth[whenTrue]! + 1, depth[next]!);
    } else {
      size[index] = Math.min(1 + size[next]!, cap + 1);
      depth[index] = depth[next]!;
    }
  }
  return { size: size[0]!, depth: depth[0]! };
}

/** Deepest nesting of ifs the tree form uses; deeper programs take the loop form (parsers recurse on nesting). */
const MAX_TREE_DEPTH = 256;

/** What the tree form knows on one path: constant registers and the captured length already checked. */
interface PathState { a: number | undefined; x: number | undefined; checked: number }

function scratchSlots(program: readonly RawInstruction[]): number[] {
  const slots = new Set<number>();
  for (const insn of program) if (insn.code === 0x02 || insn.code === 0x03 || insn.code === 0x60 || insn.code === 0x61) slots.add(insn.k);
  return [...slots].sort((a, b) => a - b);
}

function prologue(program: readonly RawInstruction[]): string[] {
  const memory = scratchSlots(program).map((slot) => `m${lit(slot)} = 0`);
  return [
    'const o = offset === undefined ? 0 : offset, room = p.length - o;',
    'const len = capturedLength < room ? capturedLength : room;',
    `let a = 0, x = 0, i = 0${memory.length ? ', ' + memory.join(', ') : ''};`,
  ];
}

/** Source of one non-jump, non-return instruction acting on the registers; updates `state` when given. */
function straightLine(insn: RawInstruction, state: PathState | undefined): string {
  const { code, k } = insn;
  const need = (end: number): string => {
    if (state && end <= state.checked) return '';
    if (state) state.checked = end;
    return `if (len < ${lit(end)}) return 0; `;
  };
  const setA = (value: number | undefined): void => { if (state) state.a = value; };
  const setX = (value: number | undefined): void => { if (state) state.x = value; };
  switch (code) {
    case 0x20: case 0x28: case 0x30: {
      const size = loadSize(code);
      const check = need(k + size);
      setA(undefined);
      return `${check}a = ${size === 4 ? wordAt(k) : size === 2 ? halfAt(k) : byteAt(k)};`;
    }
    case 0x40: case 0x48: case 0x50: {
      const size = loadSize(code);
      if (state && state.x !== undefined) return straightLine({ ...insn, code: 0x20 | (code & 0x18), k: k + state.x }, state);
      setA(undefined);
      const read = size === 4 ? word('i') : size === 2 ? half('i') : byte('i');
      return `i = x + ${lit(k)}; if (i + ${lit(size)} > len) return 0; i += o; a = ${read};`;
    }
    case 0xb1: {
      const check = need(k + 1);
      setX(undefined);
      return `${check}x = (${byteAt(k)} & 15) << 2;`;
    }
    case 0x80: setA(undefined); return 'a = wireLength >>> 0;';
    case 0x81: setX(undefined); return 'x = wireLength >>> 0;';
    case 0x00: setA(k); return `a = ${lit(k)};`;
    case 0x01: setX(k); return `x = ${lit(k)};`;
    case 0x60: setA(undefined); return `a = m${lit(k)};`;
    case 0x61: setX(undefined); return `x = m${lit(k)};`;
    case 0x02: return `m${lit(k)} = a;`;
    case 0x03: return `m${lit(k)} = x;`;
    case 0x07: setX(state?.a); return 'x = a;';
    case 0x87: setA(state?.x); return 'a = x;';
    default: {
      // ALU: fold when both operands are known, else emit the operation (division by X guards X = 0).
      const byX = (code & 0x08) !== 0;
      const operand = byX ? state?.x : k;
      if (state && state.a !== undefined && operand !== undefined) {
        const folded = foldAlu(code, state.a, operand);
        if (folded !== undefined) { state.a = folded; return `a = ${lit(folded)};`; }
      }
      setA(undefined);
      const b = byX ? 'x' : lit(k);
      const guard = byX && ((code & 0xf0) === 0x30 || (code & 0xf0) === 0x90) ? 'if (x === 0) return 0; ' : '';
      return `${guard}a = ${aluExpression(code, b)};`;
    }
  }
}

/** The tree form: nested ifs following the program's control flow from `start`. */
function emitTree(program: readonly RawInstruction[], start: number, state: PathState, indent: string, out: string[]): void {
  let pc = start;
  for (;;) {
    const insn = program[pc]!;
    const { code, k } = insn;
    if (code === 0x06) { out.push(`${indent}return ${lit(k)};`); return; }
    if (code === 0x16) { out.push(`${indent}return ${state.a !== undefined ? lit(state.a) : 'a'};`); return; }
    if (code === 0x05) { pc = pc + 1 + k; continue; }
    if (isConditionalJump(code)) {
      const whenTrue = pc + 1 + insn.jt;
      const whenFalse = pc + 1 + insn.jf;
      const byX = (code & 0x08) !== 0;
      const operand = byX ? state.x : k;
      if (whenTrue === whenFalse) { pc = whenTrue; continue; }
      if (state.a !== undefined && operand !== undefined) { pc = foldCondition(code, state.a, operand) ? whenTrue : whenFalse; continue; }
      out.push(`${indent}if (${conditionExpression(code, byX ? 'x' : lit(k))}) {`);
      emitTree(program, whenTrue, { ...state }, indent.length < 16 ? indent + '  ' : indent, out);
      out.push(`${indent}}`);
      pc = whenFalse;
      continue;
    }
    out.push(indent + straightLine(insn, state));
    pc++;
  }
}

/** The loop form: a switch on the instruction index inside a loop; cases fall through to the next instruction. */
function emitLoop(program: readonly RawInstruction[], budget: number, out: string[]): void {
  out.push('let pc = 0, backward = 0;', 'for (;;) {', '  switch (pc) {');
  program.forEach((insn, index) => {
    const { code, k } = insn;
    let text: string;
    if (code === 0x06) text = `return ${lit(k)};`;
    else if (code === 0x16) text = 'return a;';
    else if (code === 0x05) {
      const target = index + 1 + (k | 0);
      text = (k | 0) < 0 ? `if (++backward > ${lit(budget)}) budgetExceeded(${lit(index)}); pc = ${lit(target)}; continue;` : `pc = ${lit(target)}; continue;`;
    } else if (isConditionalJump(code)) {
      const cond = conditionExpression(code, (code & 0x08) !== 0 ? 'x' : lit(k));
      text = `pc = ${cond} ? ${lit(index + 1 + insn.jt)} : ${lit(index + 1 + insn.jf)}; continue;`;
    } else text = straightLine(insn, undefined);
    out.push(`    case ${lit(index)}: ${text}`);
  });
  out.push('  }', '}');
}

/** Generates the JavaScript body for a validated program (see compileToJs for the forms). */
export function generateJsSource(program: readonly RawInstruction[], options: BpfCompileOptions = {}): BpfJsSource {
  assertRunnableProgram(program);
  const limit = options.treeLimit ?? 2000;
  const backward = hasBackwardJump(program);
  if (options.form === 'tree' && backward) throw new BpfError('the tree form cannot express backward jumps', 'backward-jump');
  const fitsTree = (): boolean => { const shape = treeShape(program, limit); return shape.size <= limit && shape.depth <= MAX_TREE_DEPTH; };
  const form = options.form === 'tree' || (options.form !== 'loop' && !backward && fitsTree()) ? 'tree' : 'loop';
  const out = prologue(program);
  if (form === 'tree') emitTree(program, 0, { a: 0, x: 0, checked: 0 }, '', out);
  else emitLoop(program, options.backwardJumpBudget ?? BPF_DEFAULT_BACKWARD_JUMP_BUDGET, out);
  return { form, body: out.join('\n') };
}

/**
 * Compiles a program into `(bytes, capturedLength, wireLength) => number` with libpcap's bpf_filter
 * semantics. Throws BpfError for programs libpcap's bpf_validate rejects or with opcodes libpcap cannot run.
 */
export function compileToJs(program: readonly RawInstruction[], options: BpfCompileOptions = {}): BpfFilterFunction {
  const { body } = generateJsSource(program, options);
  const budget = options.backwardJumpBudget ?? BPF_DEFAULT_BACKWARD_JUMP_BUDGET;
  const budgetExceeded = (index: number): never => { throw new BpfStepBudgetError(budget, index); };
  let factory: (exceeded: typeof budgetExceeded) => BpfFilterFunction;
  try {
    factory = new Function('budgetExceeded', `'use strict';\nreturn function bpfFilter(p, capturedLength, wireLength, offset) {\n${body}\n};`) as typeof factory;
  } catch (error) {
    // A Content-Security-Policy without 'unsafe-eval' refuses new Function: the interpreter has the same semantics.
    if (error instanceof EvalError) return createInterpreter(program, options);
    // Anything else (an engine limit on a huge tree) gets the flat loop form.
    if (options.form !== 'loop') return compileToJs(program, { ...options, form: 'loop' });
    throw error;
  }
  return factory(budgetExceeded);
}
