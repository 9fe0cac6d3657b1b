/**
 * BPF to JavaScript: a validated program becomes a JavaScript function with the interpreter's semantics.
 * Forward-only programs become nested ifs in the program's own control flow (shared tails are duplicated),
 * with constant jumps folded and a bounds check emitted only where no dominating check already covers the
 * load. Programs with backward jumps, or whose expansion would pass `treeLimit` instructions, become a
 * switch inside a loop (backward jumps count against the step budget). The source is built only from
 * numbers and fixed templates; no text of any input reaches it. Where `new Function` is refused (a CSP),
 * the interpreter is returned instead. The emitters take a BpfJsExits, which says how the code reads
 * packets and leaves one: the single-packet function returns; compile-js-batch.ts inlines the same code in
 * a loop over many records. Reading through a DataView (the batch form), a 16- or 32-bit load whose value
 * is only masked and tested against constants (swappedLoads) is read little-endian and the constants are
 * byte-swapped instead: that saves the byte swap on every such load (measured ~10% on `ip`).
 */
import type { RawInstruction } from './opcodes.js';
import { BpfError, BpfStepBudgetError } from './errors.js';
import { bpfLoadBytes, isAbsolutePacketLoad, isConditionalJump } from './instructions.js';
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
export function lit(value: number): string {
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

/** How many instructions the tree form of a forward-only program emits (capped at `cap + 1`). */
export function treeFormSize(program: readonly RawInstruction[], cap: number): number {
  return treeShape(program, cap).size;
}

/** Largest packet length the fused length test of a batch loop checks for (bigger guarantees are not worth it). */
const MAX_FUSED_LENGTH = 0x10000;

/**
 * The captured length every run of a forward-only program checks before it returns, whichever way it
 * goes: the least, over the paths to each return, of the largest absolute load end on the path (at most
 * 65536; 0 for programs with backward jumps). A packet shorter than this is rejected on every path, so a
 * batch loop may test it once per record and let the tree form skip the checks it covers.
 */
export function lengthCheckedOnEveryPath(program: readonly RawInstruction[]): number {
  if (hasBackwardJump(program)) return 0;
  // checked[pc]: the length every path to pc has checked (-1 until a path reaches pc).
  const checked = new Array<number>(program.length).fill(-1);
  checked[0] = 0;
  let least = Infinity;
  const reach = (target: number, length: number): void => {
    checked[target] = checked[target]! < 0 ? length : Math.min(checked[target]!, length);
  };
  program.forEach((insn, pc) => {
    let length = checked[pc]!;
    if (length < 0) return;
    const { code, k } = insn;
    if (isAbsolutePacketLoad(code)) length = Math.max(length, Math.min(k + bpfLoadBytes(code), MAX_FUSED_LENGTH));
    else if (code === 0xb1) length = Math.max(length, Math.min(k + 1, MAX_FUSED_LENGTH));
    if ((code & 0x07) === 0x06) { least = Math.min(least, length); return; }
    if (code === 0x05) reach(pc + 1 + k, length);
    else if (isConditionalJump(code)) { reach(pc + 1 + insn.jt, length); reach(pc + 1 + insn.jf, length); }
    else reach(pc + 1, length);
  });
  return least === Infinity ? 0 : least;
}

/** A 16- or 32-bit value with its bytes in the opposite order. */
function swapBytes(value: number, size: 2 | 4): number {
  if (size === 2) return ((value & 0xff) << 8) | ((value >>> 8) & 0xff);
  return (((value & 0xff) << 24) | ((value & 0xff00) << 8) | ((value >>> 8) & 0xff00) | (value >>> 24)) >>> 0;
}

/**
 * The 16- and 32-bit loads into A (absolute or indexed) that may read little-endian: on every path from
 * the load until A is overwritten, A is read only by `and #k`, `jeq #k` and `jset #k` (a `jeq` of a
 * halfword with a k that fits it), so those can mask and compare the swapped value with swapped constants
 * and save the byte swap. Empty for programs with backward jumps (the loop form reads big-endian).
 */
export function swappedLoads(program: readonly RawInstruction[]): Set<number> {
  const found = new Set<number>();
  if (hasBackwardJump(program)) return found;
  // onlyTests[size][pc]: from pc on, A (loaded with `size` bytes) is read only by tests that can be swapped.
  const memo = new Map<number, boolean>();
  const onlyTests = (start: number, size: 2 | 4): boolean => {
    const key = start * 8 + size;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    const insn = program[start]!;
    const { code } = insn;
    const cls = code & 0x07;
    if (code === 0x06) result = true;
    else if (code === 0x05) result = onlyTests(start + 1 + insn.k, size);
    else if (code === 0x54) result = onlyTests(start + 1, size); // and #k: masks the swapped value with the swapped k
    else if (isConditionalJump(code)) {
      const op = code & 0xf0;
      const fits = op === 0x40 || (op === 0x10 && (size === 4 || insn.k <= 0xffff));
      result = (code & 0x08) === 0 && fits && onlyTests(start + 1 + insn.jt, size) && onlyTests(start + 1 + insn.jf, size);
    } else if (cls === 0x00 || code === 0x87) result = true; // A is overwritten without being read
    else if (cls === 0x01 || cls === 0x03) result = onlyTests(start + 1, size); // ldx, stx: A untouched
    else result = false; // st, ALU, tax, ret a: A is read
    memo.set(key, result);
    return result;
  };
  program.forEach((insn, pc) => {
    const { code } = insn;
    if (code !== 0x20 && code !== 0x28 && code !== 0x40 && code !== 0x48) return;
    if (pc + 1 < program.length && onlyTests(pc + 1, bpfLoadBytes(code) as 2 | 4)) found.add(pc);
  });
  return found;
}

/** Deepest nesting of ifs the tree form uses; deeper programs take the loop form (parsers recurse on nesting). */
const MAX_TREE_DEPTH = 256;

/**
 * How generated code reads packets and leaves them. The single-packet function returns; a batch loop
 * records the verdict and moves to the next record. `reject` is a statement; `accept` makes the statement
 * that ends the packet with the value text (and the value itself when it is a constant). With `dataView`,
 * loads (bytes too) read a DataView `v` over the same bytes as `p` (one bounds check, one load).
 */
export interface BpfJsExits {
  reject: string;
  accept: (value: string, constant: number | undefined) => string;
  dataView: boolean;
  /**
   * When given, a conditional jump whose both targets return constants becomes this one statement (a
   * batch loop counts the condition's outcome without a branch); `condition` is the jump's test.
   */
  acceptWhen?: (condition: string, whenTrue: number, whenFalse: number) => string;
}

/** The exits of the single-packet function: `return value`, byte loads. */
export const RETURN_EXITS: BpfJsExits = { reject: 'return 0;', accept: (value) => `return ${value};`, dataView: false };

/**
 * What the tree form knows on one path: constant registers, the captured length already checked, and
 * whether A holds a 16- or 32-bit load read little-endian (`aSwapped`: its size, 0 when A is as loaded).
 */
interface PathState { a: number | undefined; x: number | undefined; checked: number; aSwapped: 0 | 2 | 4 }

function scratchSlots(program: readonly RawInstruction[]): number[] {
  const slots = new Set<number>();
  for (const insn of program) if (insn.code === 0x02 || insn.code === 0x03 || insn.code === 0x60 || insn.code === 0x61) slots.add(insn.k);
  return [...slots].sort((a, b) => a - b);
}

/** Declarations of the registers, the index temporary and the scratch words a program uses, all 0. */
export function registerDeclarations(program: readonly RawInstruction[]): string {
  const memory = scratchSlots(program).map((slot) => `m${lit(slot)} = 0`);
  return `let a = 0, x = 0, i = 0${memory.length ? ', ' + memory.join(', ') : ''};`;
}

function prologue(program: readonly RawInstruction[]): string[] {
  return [
    'const o = offset === undefined ? 0 : offset, room = p.length - o;',
    'const len = capturedLength < room ? capturedLength : room;',
    registerDeclarations(program),
  ];
}

/**
 * The statements that run `program` on one packet whose bytes are `p[o]` … `p[o + len - 1]` with wire
 * length `wireLength` (and the registers declared), leaving through `exits`; chooses the form as
 * generateJsSource documents. When the caller has already made sure that `len >= checkedLength`, the tree
 * form emits no check that this covers.
 */
export function emitProgramBody(
  program: readonly RawInstruction[], options: BpfCompileOptions, exits: BpfJsExits, checkedLength = 0,
): { form: 'tree' | 'loop'; lines: string[] } {
  assertRunnableProgram(program);
  const limit = options.treeLimit ?? 2000;
  const backward = hasBackwardJump(program);
  if (options.form === 'tree' && backward) throw new BpfError('the tree form cannot express backward jumps', 'backward-jump');
  const fitsTree = (): boolean => { const shape = treeShape(program, limit); return shape.size <= limit && shape.depth <= MAX_TREE_DEPTH; };
  const form = options.form === 'tree' || (options.form !== 'loop' && !backward && fitsTree()) ? 'tree' : 'loop';
  const lines: string[] = [];
  if (form === 'tree') {
    const swapped = exits.dataView ? swappedLoads(program) : new Set<number>();
    emitTree(program, 0, { a: 0, x: 0, checked: checkedLength, aSwapped: 0 }, '', lines, exits, swapped);
  }
  else emitLoop(program, options.backwardJumpBudget ?? BPF_DEFAULT_BACKWARD_JUMP_BUDGET, lines, exits);
  return { form, lines };
}

/**
 * Source of one non-jump, non-return instruction acting on the registers; updates `state` when given.
 * With `littleEndian` (only for loads that swappedLoads found, on the tree form's paths), a 16- or 32-bit
 * load reads the DataView little-endian and marks A swapped: the tests on it then swap their constants.
 */
function straightLine(insn: RawInstruction, state: PathState | undefined, exits: BpfJsExits, littleEndian = false): string {
  const { code, k } = insn;
  const need = (end: number): string => {
    if (state && end <= state.checked) return '';
    if (state) state.checked = end;
    return `if (len < ${lit(end)}) ${exits.reject} `;
  };
  const setA = (value: number | undefined): void => { if (state) { state.a = value; state.aSwapped = 0; } };
  const setX = (value: number | undefined): void => { if (state) state.x = value; };
  switch (code) {
    case 0x20: case 0x28: case 0x30: {
      const size = bpfLoadBytes(code);
      const check = need(k + size);
      setA(undefined);
      if (exits.dataView && size > 1 && littleEndian && state) { state.aSwapped = size === 4 ? 4 : 2; return `${check}a = v.${size === 4 ? 'getUint32' : 'getUint16'}(o + ${lit(k)}, true);`; }
      if (exits.dataView && size > 1) return `${check}a = v.${size === 4 ? 'getUint32' : 'getUint16'}(o + ${lit(k)});`;
      if (exits.dataView) return `${check}a = v.getUint8(o + ${lit(k)});`;
      return `${check}a = ${size === 4 ? wordAt(k) : size === 2 ? halfAt(k) : byteAt(k)};`;
    }
    case 0x40: case 0x48: case 0x50: {
      const size = bpfLoadBytes(code);
      if (state && state.x !== undefined) return straightLine({ ...insn, code: 0x20 | (code & 0x18), k: k + state.x }, state, exits, littleEndian);
      setA(undefined);
      const swap = exits.dataView && size > 1 && littleEndian && state !== undefined;
      if (swap) state.aSwapped = size === 4 ? 4 : 2;
      const read = exits.dataView
        ? (size === 1 ? 'v.getUint8(i)' : `v.${size === 4 ? 'getUint32' : 'getUint16'}(i${swap ? ', true' : ''})`)
        : size === 4 ? word('i') : size === 2 ? half('i') : byte('i');
      return `i = x + ${lit(k)}; if (i + ${lit(size)} > len) ${exits.reject} i += o; a = ${read};`;
    }
    case 0xb1: {
      const check = need(k + 1);
      setX(undefined);
      return `${check}x = (${exits.dataView ? `v.getUint8(o + ${lit(k)})` : byteAt(k)} & 15) << 2;`;
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
        if (folded !== undefined) { state.a = folded; state.aSwapped = 0; return `a = ${lit(folded)};`; }
      }
      if (code === 0x54 && state && state.aSwapped !== 0) {
        // `and #k` on a swapped load (swappedLoads allows it): the mask is swapped too, and A stays swapped.
        const size = state.aSwapped;
        state.a = undefined;
        return `a = (a & ${lit(swapBytes(size === 2 ? k & 0xffff : k, size))}) >>> 0;`;
      }
      setA(undefined);
      const b = byX ? 'x' : lit(k);
      const guard = byX && ((code & 0xf0) === 0x30 || (code & 0xf0) === 0x90) ? `if (x === 0) ${exits.reject} ` : '';
      return `${guard}a = ${aluExpression(code, b)};`;
    }
  }
}

/** The constant a path from `pc` returns at once (through unconditional jumps only), if it does. */
function constantReturn(program: readonly RawInstruction[], pc: number): number | undefined {
  while (program[pc]!.code === 0x05) pc = pc + 1 + program[pc]!.k;
  return program[pc]!.code === 0x06 ? program[pc]!.k : undefined;
}

/**
 * The tree form: nested ifs following the program's control flow from `start`; the loads in `swapped`
 * read little-endian (see swappedLoads).
 */
function emitTree(program: readonly RawInstruction[], start: number, state: PathState, indent: string, out: string[], exits: BpfJsExits, swapped: ReadonlySet<number>): void {
  let pc = start;
  for (;;) {
    const insn = program[pc]!;
    const { code, k } = insn;
    if (code === 0x06) { out.push(indent + exits.accept(lit(k), k)); return; }
    if (code === 0x16) { out.push(indent + exits.accept(state.a !== undefined ? lit(state.a) : 'a', state.a)); return; }
    if (code === 0x05) { pc = pc + 1 + k; continue; }
    if (isConditionalJump(code)) {
      const whenTrue = pc + 1 + insn.jt;
      const whenFalse = pc + 1 + insn.jf;
      const byX = (code & 0x08) !== 0;
      const operand = byX ? state.x : k;
      if (whenTrue === whenFalse) { pc = whenTrue; continue; }
      if (state.a !== undefined && operand !== undefined) { pc = foldCondition(code, state.a, operand) ? whenTrue : whenFalse; continue; }
      const returnTrue = constantReturn(program, whenTrue);
      const returnFalse = constantReturn(program, whenFalse);
      // A swapped load is tested against the swapped constant (swappedLoads allows only jeq and jset #k).
      const swappedSize = state.aSwapped;
      const operandText = byX ? 'x' : lit(swappedSize === 0 ? k : swapBytes(swappedSize === 2 ? k & 0xffff : k, swappedSize));
      if (exits.acceptWhen && returnTrue !== undefined && returnFalse !== undefined) {
        out.push(indent + exits.acceptWhen(conditionExpression(code, operandText), returnTrue, returnFalse));
        return;
      }
      out.push(`${indent}if (${conditionExpression(code, operandText)}) {`);
      emitTree(program, whenTrue, { ...state }, indent.length < 16 ? indent + '  ' : indent, out, exits, swapped);
      out.push(`${indent}}`);
      pc = whenFalse;
      continue;
    }
    out.push(indent + straightLine(insn, state, exits, swapped.has(pc)));
    pc++;
  }
}

/** The loop form: a switch on the instruction index inside a loop; cases fall through to the next instruction. */
function emitLoop(program: readonly RawInstruction[], budget: number, out: string[], exits: BpfJsExits): void {
  out.push('let pc = 0, backward = 0;', 'for (;;) {', '  switch (pc) {');
  program.forEach((insn, index) => {
    const { code, k } = insn;
    let text: string;
    if (code === 0x06) text = exits.accept(lit(k), k);
    else if (code === 0x16) text = exits.accept('a', undefined);
    else if (code === 0x05) {
      const target = index + 1 + (k | 0);
      text = (k | 0) < 0 ? `if (++backward > ${lit(budget)}) budgetExceeded(${lit(index)}); pc = ${lit(target)}; continue;` : `pc = ${lit(target)}; continue;`;
    } else if (isConditionalJump(code)) {
      const cond = conditionExpression(code, (code & 0x08) !== 0 ? 'x' : lit(k));
      text = `pc = ${cond} ? ${lit(index + 1 + insn.jt)} : ${lit(index + 1 + insn.jf)}; continue;`;
    } else text = straightLine(insn, undefined, exits);
    out.push(`    case ${lit(index)}: ${text}`);
  });
  out.push('  }', '}');
}

/** Generates the JavaScript body for a validated program (see compileToJs for the forms). */
export function generateJsSource(program: readonly RawInstruction[], options: BpfCompileOptions = {}): BpfJsSource {
  const { form, lines } = emitProgramBody(program, options, RETURN_EXITS);
  return { form, body: [...prologue(program), ...lines].join('\n') };
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
