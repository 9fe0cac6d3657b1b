/**
 * Value numbering and the forward data-flow facts the optimizer passes share: what A, X and each
 * scratch word hold, which packet loads have already succeeded, and which tests are decided, on every
 * path into a block (the meet over its predecessors' edges).
 */
import type { RawInstruction } from '../../bpf/opcodes.js';
import {
  BPF_ABS, BPF_ADD, BPF_ALU, BPF_AND, BPF_DIV, BPF_IMM, BPF_IND, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JSET, BPF_LD, BPF_LDX, BPF_LEN,
  BPF_LSH, BPF_MEM, BPF_MEMWORDS, BPF_MISC, BPF_MOD, BPF_MSH, BPF_MUL, BPF_NEG, BPF_OR, BPF_RSH, BPF_ST, BPF_STX, BPF_SUB, BPF_TAX,
  BPF_TXA, BPF_X, BPF_XOR, bpfClass, bpfMiscOp, bpfMode, bpfOp, bpfSize, bpfSrc,
} from '../../bpf/opcodes.js';
import { reachableBlocks, type Block, type GraphNode } from '../graph.js';

/** Interns value expressions to numbers; constants remember their value. */
export class ValueTable {
  private readonly ids = new Map<string, number>();
  private readonly constants = new Map<number, number>();
  /** The value number of `key`. */
  intern(key: string): number {
    let id = this.ids.get(key);
    if (id === undefined) { id = this.ids.size + 1; this.ids.set(key, id); }
    return id;
  }
  /** The value number of the constant `k`. */
  constant(k: number): number {
    const id = this.intern(`#${k >>> 0}`);
    this.constants.set(id, k >>> 0);
    return id;
  }
  /** The constant a value number stands for, if it is one. */
  constantOf(id: number | undefined): number | undefined {
    return id === undefined ? undefined : this.constants.get(id);
  }
}

/** What is known at one program point. */
export interface FlowState {
  a: number | undefined;
  x: number | undefined;
  mem: (number | undefined)[];
  /** Packet loads (by value number) that have already succeeded on every path here. */
  loaded: Set<number>;
  /** Test outcomes known on every path here: key `value op operand` -> outcome. */
  facts: Map<string, boolean>;
  /** Values known equal to a constant on every path here (from a taken `jeq`). */
  equal: Map<number, number>;
}

/** The state at the program entry. */
export function entryState(): FlowState {
  return { a: undefined, x: undefined, mem: new Array<number | undefined>(BPF_MEMWORDS).fill(undefined), loaded: new Set(), facts: new Map(), equal: new Map() };
}

/**
 * A copy of `s` that may be changed independently. The sets and maps are shared: they are never
 * changed in place, only replaced by a changed copy (see `addLoaded` and `edgeState`).
 */
export function cloneState(s: FlowState): FlowState {
  return { a: s.a, x: s.x, mem: [...s.mem], loaded: s.loaded, facts: s.facts, equal: s.equal };
}

/** Records a packet load as done on `s` (copying the shared set on write). */
function addLoaded(s: FlowState, value: number): void {
  if (s.loaded.has(value)) return;
  const loaded = new Set(s.loaded);
  loaded.add(value);
  s.loaded = loaded;
}

/** True for an instruction that can end the program at run time (a packet load, or a division by something not known non-zero). */
export function canFail(insn: RawInstruction, xConstant: number | undefined): boolean {
  const cls = bpfClass(insn.code);
  if (cls === BPF_LD || cls === BPF_LDX) {
    const mode = bpfMode(insn.code);
    return mode === BPF_ABS || mode === BPF_IND || mode === BPF_MSH;
  }
  if (cls === BPF_ALU && (bpfOp(insn.code) === BPF_DIV || bpfOp(insn.code) === BPF_MOD)) {
    const divisor = bpfSrc(insn.code) === BPF_X ? xConstant : insn.k >>> 0;
    return divisor === undefined || divisor === 0;
  }
  return false;
}

/** Computes `a op b` as 32-bit unsigned BPF does; undefined for division by zero. */
export function foldAlu(op: number, a: number, b: number): number | undefined {
  switch (op) {
    case BPF_ADD: return (a + b) >>> 0;
    case BPF_SUB: return (a - b) >>> 0;
    case BPF_MUL: return Math.imul(a, b) >>> 0;
    case BPF_DIV: return b === 0 ? undefined : Math.floor(a / b) >>> 0;
    case BPF_MOD: return b === 0 ? undefined : (a % b) >>> 0;
    case BPF_AND: return (a & b) >>> 0;
    case BPF_OR: return (a | b) >>> 0;
    case BPF_XOR: return (a ^ b) >>> 0;
    case BPF_LSH: return b >= 32 ? 0 : (a << b) >>> 0;
    case BPF_RSH: return b >= 32 ? 0 : a >>> b;
    default: return undefined;
  }
}

/** Evaluates a jump condition on constants. */
export function evaluateJump(op: number, a: number, b: number): boolean {
  switch (op) {
    case BPF_JEQ: return a === b;
    case BPF_JGT: return a > b;
    case BPF_JGE: return a >= b;
    case BPF_JSET: return (a & b) !== 0;
    default: return false;
  }
}

/** The value number an ALU operation yields, with algebraic identities (`A + 0 -> A`, `A * 0 -> 0`) applied. */
export function aluValue(values: ValueTable, op: number, a: number | undefined, b: number | undefined, fresh: () => number): number {
  if (op === BPF_NEG) {
    const c = values.constantOf(a);
    return c !== undefined ? values.constant(-c >>> 0) : a === undefined ? fresh() : values.intern(`neg ${a}`);
  }
  const ca = values.constantOf(a);
  const cb = values.constantOf(b);
  if (ca !== undefined && cb !== undefined) {
    const folded = foldAlu(op, ca, cb);
    if (folded !== undefined) return values.constant(folded);
  }
  if (cb === 0 && (op === BPF_ADD || op === BPF_SUB || op === BPF_OR || op === BPF_XOR || op === BPF_LSH || op === BPF_RSH) && a !== undefined) return a;
  if (cb === 1 && (op === BPF_MUL || op === BPF_DIV) && a !== undefined) return a;
  if (cb === 0xffffffff && op === BPF_AND && a !== undefined) return a;
  if (cb === 0 && (op === BPF_MUL || op === BPF_AND)) return values.constant(0);
  if (a === undefined || b === undefined) return fresh();
  return values.intern(`alu${op} ${a} ${b}`);
}

/** The key of a test for the facts map. */
export function testKey(a: number, op: number, operand: string): string {
  return `${a} ${op} ${operand}`;
}

/** Applies one statement to `s` (in place), giving fresh numbers to unknowable values. */
export function applyStatement(values: ValueTable, s: FlowState, insn: RawInstruction, fresh: () => number): void {
  const cls = bpfClass(insn.code);
  const size = bpfSize(insn.code);
  switch (cls) {
    case BPF_LD: case BPF_LDX: {
      const mode = bpfMode(insn.code);
      let v: number;
      if (mode === BPF_IMM) v = values.constant(insn.k);
      else if (mode === BPF_LEN) v = values.intern('len');
      else if (mode === BPF_MEM) v = s.mem[insn.k] ?? fresh();
      else if (mode === BPF_ABS) { v = values.intern(`abs${size} ${insn.k >>> 0}`); addLoaded(s, v); }
      else if (mode === BPF_IND) {
        const cx = values.constantOf(s.x);
        v = cx !== undefined && cx + insn.k <= 0xffffffff ? values.intern(`abs${size} ${cx + insn.k}`)
          : s.x === undefined ? fresh() : values.intern(`ind${size} ${insn.k >>> 0} ${s.x}`);
        addLoaded(s, v);
      } else { v = values.intern(`msh ${insn.k >>> 0}`); addLoaded(s, v); }
      if (cls === BPF_LD) s.a = v; else s.x = v;
      return;
    }
    case BPF_ST: s.mem[insn.k] = s.a ?? fresh(); return;
    case BPF_STX: s.mem[insn.k] = s.x ?? fresh(); return;
    case BPF_ALU: {
      const op = bpfOp(insn.code);
      const operand = op === BPF_NEG ? undefined : bpfSrc(insn.code) === BPF_X ? s.x : values.constant(insn.k);
      s.a = aluValue(values, op, s.a, operand, fresh);
      return;
    }
    case BPF_MISC:
      if (bpfMiscOp(insn.code) === BPF_TAX) s.x = s.a ?? fresh();
      else if (bpfMiscOp(insn.code) === BPF_TXA) s.a = s.x ?? fresh();
      return;
  }
}

/**
 * How much the optimizer may infer: `full`, or `libpcap` (what libpcap 1.10's optimizer infers: nothing
 * from relation tests, and from a taken `jeq #k` only that another `jeq #k'` on the value fails), used
 * to decide "expression rejects all packets" exactly where libpcap does.
 */
export type OptimizerStrength = 'full' | 'libpcap';

/** Decides a block's test from constants and known facts, or undefined. */
export function decideTest(values: ValueTable, s: FlowState, block: Block, strength: OptimizerStrength = 'full'): boolean | undefined {
  if (s.a === undefined) return undefined;
  const operand = block.src === BPF_X ? s.x : values.constant(block.k);
  if (operand === undefined) return undefined;
  const constantA = values.constantOf(s.a);
  const constantOperand = values.constantOf(operand);
  if (constantA !== undefined && constantOperand !== undefined) return evaluateJump(block.op, constantA, constantOperand);
  if (strength === 'libpcap') {
    if (block.relation) return undefined;
    const known = s.facts.get(testKey(s.a, block.op, `${operand}`));
    if (known !== undefined) return known;
    if (block.op === BPF_JEQ && constantOperand !== undefined && s.equal.has(s.a) && s.equal.get(s.a) !== constantOperand) return false;
    return undefined;
  }
  const ca = constantA ?? s.equal.get(s.a);
  const cb = constantOperand ?? s.equal.get(operand);
  if (ca !== undefined && cb !== undefined) return evaluateJump(block.op, ca, cb);
  return s.facts.get(testKey(s.a, block.op, `${operand}`));
}

/** The state on the edge from a block (whose exit state is `exit`) along its true or false branch. */
export function edgeState(values: ValueTable, exit: FlowState, block: Block, branch: boolean, strength: OptimizerStrength = 'full'): FlowState {
  const s = cloneState(exit);
  if (s.a === undefined || (strength === 'libpcap' && block.relation)) return s;
  const operand = block.src === BPF_X ? s.x : values.constant(block.k);
  if (operand === undefined) return s;
  const key = testKey(s.a, block.op, `${operand}`);
  if (s.facts.get(key) !== branch) { s.facts = new Map(s.facts); s.facts.set(key, branch); }
  const c = values.constantOf(operand) ?? s.equal.get(operand);
  if (block.op === BPF_JEQ && branch && c !== undefined && s.equal.get(s.a) !== c) { s.equal = new Map(s.equal); s.equal.set(s.a, c); }
  return s;
}

/** Meets two states: keeps what both know. */
export function meet(left: FlowState, right: FlowState, fresh: () => number): FlowState {
  const pick = (l: number | undefined, r: number | undefined): number | undefined => (l === r ? l : l === undefined || r === undefined ? undefined : fresh());
  if (left.loaded === right.loaded && left.facts === right.facts && left.equal === right.equal) {
    return { a: pick(left.a, right.a), x: pick(left.x, right.x), mem: left.mem.map((m, i) => pick(m, right.mem[i])), loaded: left.loaded, facts: left.facts, equal: left.equal };
  }
  const loaded = new Set<number>();
  for (const v of left.loaded) if (right.loaded.has(v)) loaded.add(v);
  const facts = new Map<string, boolean>();
  for (const [k, v] of left.facts) if (right.facts.get(k) === v) facts.set(k, v);
  const equal = new Map<number, number>();
  for (const [k, v] of left.equal) if (right.equal.get(k) === v) equal.set(k, v);
  return { a: pick(left.a, right.a), x: pick(left.x, right.x), mem: left.mem.map((m, i) => pick(m, right.mem[i])), loaded, facts, equal };
}

/** Entry and exit states of every reachable block (forward analysis in topological order). */
export interface FlowAnalysis {
  strength: OptimizerStrength;
  values: ValueTable;
  blocks: Block[];
  entry: Map<Block, FlowState>;
  /** The state where a block's `stmts` start: its entry state after its opaque prelude, if any. */
  start: Map<Block, FlowState>;
  exit: Map<Block, FlowState>;
  fresh: () => number;
}

/** Runs the forward analysis over the graph rooted at `root`. */
export function analyzeFlow(root: GraphNode, strength: OptimizerStrength = 'full', values = new ValueTable()): FlowAnalysis {
  let counter = 0;
  const fresh = (): number => values.intern(`?${counter++}`);
  const blocks = reachableBlocks(root);

  const incoming = new Map<Block, FlowState>();
  const entry = new Map<Block, FlowState>();
  const start = new Map<Block, FlowState>();
  const exit = new Map<Block, FlowState>();
  if (root.kind === 'block') incoming.set(root, entryState());
  for (const block of blocks) {
    const state = incoming.get(block) ?? entryState();
    entry.set(block, cloneState(state));
    const s = cloneState(state);
    if (block.prelude) {
      // An opaque prelude may leave anything in the registers (its loads may also end the program).
      s.a = fresh(); s.x = fresh(); s.mem = s.mem.map(() => fresh());
    }
    start.set(block, cloneState(s));
    for (const insn of block.stmts) applyStatement(values, s, insn, fresh);
    exit.set(block, s);
    const decided = decideTest(values, s, block, strength);
    for (const branch of [true, false]) {
      if (decided !== undefined && decided !== branch) continue;
      const successor = branch ? block.jt : block.jf;
      if (successor.kind !== 'block') continue;
      const edge = edgeState(values, s, block, branch, strength);
      const previous = incoming.get(successor);
      incoming.set(successor, previous ? meet(previous, edge, fresh) : edge);
    }
  }
  return { strength, values, blocks, entry, start, exit, fresh };
}


