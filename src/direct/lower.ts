/**
 * Lowering to the direct form. The filter text is parsed by the compiler's parse entry and lowered by the
 * compiler's own lowering stage (src/compiler/gen-*.ts, through `lowerFilterExpr`), so names, refusals,
 * protocol guards, fragment guards, the `vlan`/tunnel offset shifts and the evaluation order are the BPF
 * path's by construction. That stage describes each test as straight-line statements; they are evaluated
 * here symbolically into value trees (no BPF program is built, laid out or run): what remains of BPF is its
 * arithmetic, and the registers that tunnels carry from one test to the next.
 */
import {
  BPF_ABS, BPF_ALU, BPF_B, BPF_H, BPF_IMM, BPF_IND, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JSET, BPF_LD, BPF_LDX, BPF_LEN, BPF_MEM, BPF_MISC, BPF_MSH,
  BPF_ST, BPF_STX, BPF_X,
} from '../bpf/opcodes.js';
import type { RawInstruction } from '../bpf/opcodes.js';
import type { Expr } from '../filter/ast.js';
import { DEFAULT_FILTER_SNAPLEN, initialCompileState, lowerFilterExpr } from '../compiler/index.js';
import type { FilterCond, FilterTestCond } from '../compiler/index.js';
import { parseForCompiler, refuseFilterExtensions } from '../compiler/parse.js';
import type { HostResolver } from '../compiler/names.js';
import type { NetworkResolver } from '../filter/index.js';
import { DirectUnsupportedError } from './errors.js';
import { directConst, directValueKey } from './ir.js';
import type { DirectAluOp, DirectBool, DirectCheck, DirectCompareOp, DirectRegister, DirectTest, DirectValue } from './ir.js';

/** Options of the direct engine (those of compileFilter that matter without an optimizer). */
export interface DirectFilterOptions {
  /** LINKTYPE_* of the packets (default 1, EN10MB). */
  linkType?: number;
  /** What an accepted packet returns (default 262144, as the BPF program's `ret`). */
  snaplen?: number;
  /** Resolves host names used in the expression. */
  resolver?: HostResolver;
  /** Resolves network names (`net NAME`). */
  networkResolver?: NetworkResolver;
  /** Refuse pktfilter's extensions (`gre`, `vxlan`). */
  strict?: boolean;
  /**
   * Largest threaded graph (in tests, shared ones counted once per path) emitted as nested ifs; above it the
   * code follows the boolean tree with labeled blocks (default 600; 0 always takes the tree form).
   */
  treeLimit?: number;
}

/** A filter in the direct form: the boolean tree and the value an accepted packet returns. */
export interface DirectProgram { root: DirectBool; snaplen: number; linkType: number }

const ALU_BY_CODE: Record<number, DirectAluOp> = {
  0x00: 'add', 0x10: 'sub', 0x20: 'mul', 0x30: 'div', 0x40: 'or', 0x50: 'and', 0x60: 'lsh', 0x70: 'rsh', 0x90: 'mod', 0xa0: 'xor',
};
const COMPARE_BY_CODE: Record<number, DirectCompareOp> = { [BPF_JEQ]: 'eq', [BPF_JGT]: 'gt', [BPF_JGE]: 'ge', [BPF_JSET]: 'set' };

/** Folds an ALU operation on two constants as the BPF interpreter computes it (undefined: division by zero). */
export function foldDirectAlu(op: DirectAluOp, a: number, b: number): number | undefined {
  switch (op) {
    case 'add': return (a + b) >>> 0;
    case 'sub': return (a - b) >>> 0;
    case 'mul': return Math.imul(a, b) >>> 0;
    case 'div': return b === 0 ? undefined : Math.floor(a / b) >>> 0;
    case 'mod': return b === 0 ? undefined : (a % b) >>> 0;
    case 'and': return (a & b) >>> 0;
    case 'or': return (a | b) >>> 0;
    case 'xor': return (a ^ b) >>> 0;
    case 'lsh': return b >= 32 ? 0 : (a << b) >>> 0;
    case 'rsh': return b >= 32 ? 0 : a >>> b;
  }
}

/** An ALU node, folded when both operands are constants (a division by constant zero stays a node: its check fails). */
function alu(op: DirectAluOp, left: DirectValue, right: DirectValue): DirectValue {
  if (left.kind === 'const' && right.kind === 'const') {
    const folded = foldDirectAlu(op, left.value, right.value);
    if (folded !== undefined) return directConst(folded);
  }
  return { kind: 'alu', op, left, right };
}

/**
 * The checks of one test, merged: the test is straight-line code, so if any check fails the filter
 * returns 0 whatever the order; reads from the same base keep only the one that reaches furthest.
 */
function mergeChecks(checks: readonly DirectCheck[]): DirectCheck[] {
  const merged: DirectCheck[] = [];
  const byBase = new Map<string, Extract<DirectCheck, { kind: 'bounds' }>>();
  const divisors = new Set<string>();
  for (const check of checks) {
    if (check.kind === 'nonzero') {
      const key = directValueKey(check.value);
      if (!divisors.has(key)) { divisors.add(key); merged.push(check); }
      continue;
    }
    const key = check.base ? directValueKey(check.base) : '';
    const seen = byBase.get(key);
    if (seen === undefined) {
      const copy = { ...check };
      byBase.set(key, copy);
      merged.push(copy);
    } else if (check.offset + check.size > seen.offset + seen.size) {
      seen.size = check.offset + check.size - seen.offset;
    }
  }
  return merged;
}

/** The symbolic machine of one test: A, X and scratch words as value trees over the registers at its start. */
class SymbolicMachine {
  a: DirectValue = { kind: 'register', register: 'a' };
  x: DirectValue = { kind: 'register', register: 'x' };
  readonly memory = new Map<number, DirectValue>();
  readonly checks: DirectCheck[] = [];
  readonly written = new Set<DirectRegister>();

  private scratch(k: number): DirectValue {
    return this.memory.get(k) ?? { kind: 'register', register: k };
  }

  private load(base: DirectValue | undefined, offset: number, size: 1 | 2 | 4): DirectValue {
    // `ld [x + k]` with X known: an absolute read of the same bytes (the sum cannot wrap: both are below 2^32).
    if (base && base.kind === 'const') { offset += base.value; base = undefined; }
    this.checks.push({ kind: 'bounds', base, offset, size });
    return { kind: 'load', base, offset, size };
  }

  /** Runs one statement symbolically. */
  run(insn: RawInstruction, where: string): void {
    const { code, k } = insn;
    const size: 1 | 2 | 4 = (code & 0x18) === BPF_B ? 1 : (code & 0x18) === BPF_H ? 2 : 4;
    switch (code & 0x07) {
      case BPF_LD:
        switch (code & 0xe0) {
          case BPF_IMM: this.a = directConst(k); return;
          case BPF_ABS: this.a = this.load(undefined, k, size); return;
          case BPF_IND: this.a = this.load(this.x, k, size); return;
          case BPF_MEM: this.a = this.scratch(k); return;
          case BPF_LEN: this.a = { kind: 'wireLength' }; return;
        }
        break;
      case BPF_LDX:
        switch (code & 0xe0) {
          case BPF_IMM: this.x = directConst(k); return;
          case BPF_MEM: this.x = this.scratch(k); return;
          case BPF_LEN: this.x = { kind: 'wireLength' }; return;
          case BPF_MSH: this.x = alu('lsh', alu('and', this.load(undefined, k, 1), directConst(0x0f)), directConst(2)); return;
        }
        break;
      case BPF_ST: this.memory.set(k, this.a); this.written.add(k); return;
      case BPF_STX: this.memory.set(k, this.x); this.written.add(k); return;
      case BPF_ALU: {
        const operation = code & 0xf0;
        if (operation === 0x80) { this.a = this.a.kind === 'const' ? directConst(-this.a.value) : { kind: 'negate', operand: this.a }; return; }
        const op = ALU_BY_CODE[operation];
        if (op === undefined) break;
        if ((code & BPF_X) !== 0) {
          if (op === 'div' || op === 'mod') this.checks.push({ kind: 'nonzero', value: this.x });
          this.a = alu(op, this.a, this.x);
          return;
        }
        // By a constant: x86 shifts by k mod 32 (as the interpreter documents); division by a constant 0 gives 0 there.
        if (op === 'lsh' || op === 'rsh') { this.a = alu(op, this.a, directConst(k & 31)); return; }
        if ((op === 'div' || op === 'mod') && k === 0) { this.a = directConst(0); return; }
        this.a = alu(op, this.a, directConst(k));
        return;
      }
      case BPF_MISC:
        if ((code & 0xf8) === 0x00) { this.x = this.a; return; }
        if ((code & 0xf8) === 0x80) { this.a = this.x; return; }
        break;
    }
    throw new DirectUnsupportedError(`statement 0x${code.toString(16)} in ${where}`);
  }

  /** The test: checks, the registers written (A and X only when changed), and the comparison. */
  finish(compare: DirectTest['compare']): DirectTest {
    const assigns: DirectTest['assigns'] = [];
    const changed = (v: DirectValue, r: DirectRegister): boolean => !(v.kind === 'register' && v.register === r);
    if (changed(this.a, 'a')) assigns.push({ register: 'a', value: this.a });
    if (changed(this.x, 'x')) assigns.push({ register: 'x', value: this.x });
    for (const r of [...this.written].sort((p, q) => Number(p) - Number(q))) assigns.push({ register: r, value: this.memory.get(r as number)! });
    return { kind: 'test', checks: mergeChecks(this.checks), assigns, compare };
  }
}

/** Translates one test of the compiler's boolean form. */
function lowerTest(cond: FilterTestCond): DirectTest {
  if (cond.prelude && cond.prelude.length > 0) throw new DirectUnsupportedError('protochain (a loop over header chains)');
  const machine = new SymbolicMachine();
  for (const insn of cond.stmts) machine.run(insn, 'a test');
  const op = COMPARE_BY_CODE[cond.op];
  if (op === undefined) throw new DirectUnsupportedError(`jump 0x${cond.op.toString(16)}`);
  const right = cond.src === BPF_X ? machine.x : directConst(cond.k);
  return machine.finish({ op, left: machine.a, right });
}

/** Translates the compiler's boolean form (its order kept) into the direct form. */
export function lowerDirectCond(cond: FilterCond): DirectBool {
  switch (cond.kind) {
    case 'test': return lowerTest(cond);
    case 'and': case 'or': return { kind: cond.kind, left: lowerDirectCond(cond.left), right: lowerDirectCond(cond.right) };
    case 'not': return { kind: 'not', operand: lowerDirectCond(cond.operand) };
    case 'effect': {
      const machine = new SymbolicMachine();
      for (const insn of cond.stmts) machine.run(insn, 'an effect');
      return machine.finish(undefined);
    }
    case 'const': {
      // The -O0 program materializes a constant as `ld #0|1; jeq #0`: A changes, which a later test may read.
      const machine = new SymbolicMachine();
      machine.run({ code: BPF_LD | BPF_IMM, jt: 0, jf: 0, k: cond.value ? 0 : 1 }, 'a constant');
      return machine.finish({ op: 'eq', left: directConst(cond.value ? 0 : 1), right: directConst(0) });
    }
  }
}

/**
 * Parses and lowers a filter (text or AST) for the direct engine; throws CompileError exactly where
 * compileFilter(…, {optimize: false}) does, and DirectUnsupportedError for what the direct form lacks.
 */
export function lowerDirectFilter(expression: string | Expr, options: DirectFilterOptions = {}): DirectProgram {
  const snaplen = (options.snaplen ?? DEFAULT_FILTER_SNAPLEN) >>> 0;
  const linkType = options.linkType ?? 1;
  const expr = typeof expression === 'string' ? parseForCompiler(expression, options) : expression;
  // An empty expression accepts everything, whatever the link type (as compileFilter's graph is one `ret`).
  if (expr === undefined) return { root: { kind: 'bool', value: true }, snaplen, linkType };
  if (options.strict && typeof expression !== 'string') refuseFilterExtensions(expr);
  const state = initialCompileState(linkType);
  const cond = lowerFilterExpr(state, expr, { resolver: options.resolver });
  return { root: lowerDirectCond(cond), snaplen, linkType };
}
