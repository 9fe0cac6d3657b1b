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
import { CompileError } from '../errors.js';
import { reachableBlocks, type Block, type GraphNode } from '../graph.js';

/**
 * Numbers every value at most this high: keys of two value numbers are combined in one exact double
 * (see `ValueTable.alu` and `testKey`). An expression needing more is refused before memory runs out.
 */
const MAX_VALUE_NUMBERS = 2 ** 24;

/**
 * Interns value expressions to numbers (1, 2, ...); constants remember their value. Each kind of
 * expression has its own table keyed by numbers, so equal expressions get equal numbers and nothing else
 * does (a number from `fresh` equals no other).
 */
export class ValueTable {
  private count = 0;
  /** constantValues[id]: the constant value `id` stands for, or -1. */
  private readonly constantValues: number[] = [-1];
  private readonly constantIds = new Map<number, number>();
  /** Absolute packet loads, keyed by `offset * 4 + size index`. */
  private readonly absoluteIds = new Map<number, number>();
  /** Indexed packet loads (`[x + k]` with X unknown): X's number -> `k * 4 + size index` -> number. */
  private readonly indexedIds = new Map<number, Map<number, number>>();
  private readonly mshIds = new Map<number, number>();
  /** ALU results, keyed by `(a * 16 + op index) * 2^24 + b`. */
  private readonly aluIds = new Map<number, number>();
  private readonly negIds = new Map<number, number>();
  private lengthId = 0;

  private next(): number {
    const id = ++this.count;
    if (id >= MAX_VALUE_NUMBERS) throw new CompileError('expression too large to optimize (more than 2^24 values)');
    this.constantValues.push(-1);
    return id;
  }

  private cached(table: Map<number, number>, key: number): number {
    let id = table.get(key);
    if (id === undefined) { id = this.next(); table.set(key, id); }
    return id;
  }

  /** A number equal to no other: a value nothing is known about. */
  fresh(): number {
    return this.next();
  }

  /** The value number of the constant `k`. */
  constant(k: number): number {
    const value = k >>> 0;
    let id = this.constantIds.get(value);
    if (id === undefined) { id = this.next(); this.constantIds.set(value, id); this.constantValues[id] = value; }
    return id;
  }

  /** The constant a value number stands for, if it is one. */
  constantOf(id: number | undefined): number | undefined {
    if (id === undefined) return undefined;
    const value = this.constantValues[id]!;
    return value < 0 ? undefined : value;
  }

  /** The packet's length (`ld len`). */
  length(): number {
    if (this.lengthId === 0) this.lengthId = this.next();
    return this.lengthId;
  }

  /** The load of BPF size `size` at absolute offset `offset` (below 2^32). */
  absolute(size: number, offset: number): number {
    return this.cached(this.absoluteIds, offset * 4 + (size >> 3));
  }

  /** The load of BPF size `size` at `[x + k]`, X holding value number `x`. */
  indexed(size: number, k: number, x: number): number {
    let byOffset = this.indexedIds.get(x);
    if (byOffset === undefined) { byOffset = new Map(); this.indexedIds.set(x, byOffset); }
    return this.cached(byOffset, k * 4 + (size >> 3));
  }

  /** `4 * ([k] & 0xf)` (BPF_MSH). */
  msh(k: number): number {
    return this.cached(this.mshIds, k);
  }

  /** `a op b` for an ALU op other than negation. */
  alu(op: number, a: number, b: number): number {
    return this.cached(this.aluIds, (a * 16 + (op >> 4)) * MAX_VALUE_NUMBERS + b);
  }

  /** `-a`. */
  neg(a: number): number {
    return this.cached(this.negIds, a);
  }
}

/** What is known at one program point. */
export interface FlowState {
  a: number | undefined;
  x: number | undefined;
  /** Scratch words; never changed in place, only replaced by a changed copy. */
  mem: readonly (number | undefined)[];
  /** Packet loads (by value number) that have already succeeded on every path here: bit v of the set. */
  loaded: Readonly<Uint32Array>;
  /**
   * Test outcomes known on every path here: `testKey(value, op, operand) * 2 + (outcome ? 1 : 0)`, in
   * ascending order, one entry per key (see `knownOutcome`).
   */
  facts: readonly number[];
  /** Values known equal to a constant on every path here (from a taken `jeq`): value, constant pairs in ascending order of value. */
  equal: readonly number[];
}

const EMPTY_MEMORY: readonly (number | undefined)[] = new Array<number | undefined>(BPF_MEMWORDS).fill(undefined);
const NONE: readonly number[] = [];
const NO_LOADS: Readonly<Uint32Array> = new Uint32Array(0);

/** The state at the program entry. */
export function entryState(): FlowState {
  return { a: undefined, x: undefined, mem: EMPTY_MEMORY, loaded: NO_LOADS, facts: NONE, equal: NONE };
}

/**
 * A copy of `s` that may be changed independently. The scratch words, sets and maps are shared: they
 * are never changed in place, only replaced by a changed copy (see `addLoaded`, `applyStatement` and
 * `edgeState`).
 */
export function cloneState(s: FlowState): FlowState {
  return { a: s.a, x: s.x, mem: s.mem, loaded: s.loaded, facts: s.facts, equal: s.equal };
}

/*
 * The sets and maps of a state are never changed once made, so states share them freely: the loads are a
 * bit set, the facts and equalities sorted arrays of numbers (cheap to copy on write, to search with a
 * binary search and to intersect in one merge).
 */

/** The first index of `list` (ascending) at which the entry is `value` or more; `stride` 2 searches the keys of key, value pairs. */
function lowerBound(list: readonly number[], value: number, stride: 1 | 2 = 1): number {
  let low = 0;
  let high = list.length / stride;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (list[middle * stride]! < value) low = middle + 1; else high = middle;
  }
  return low * stride;
}

/** A copy of `list` with `entry` put at `at`, replacing `replace` entries there (builtins only: fast in V8's interpreter too). */
function spliced(list: readonly number[], at: number, replace: number, entry: number): number[] {
  const out = list.slice();
  out.splice(at, replace, entry);
  return out;
}

/** The same with two entries. */
function splicedPair(list: readonly number[], at: number, replace: number, first: number, second: number): number[] {
  const out = list.slice();
  out.splice(at, replace, first, second);
  return out;
}

/** The entries of two ascending lists that are in both (`stride` 2: pairs whose key and value are both equal). */
function intersection(left: readonly number[], right: readonly number[], stride: 1 | 2 = 1): readonly number[] {
  if (left === right) return left;
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const l = left[i]!;
    const r = right[j]!;
    if (l < r) i += stride;
    else if (l > r) j += stride;
    else {
      if (stride === 1) out.push(l);
      else if (left[i + 1] === right[j + 1]) out.push(l, left[i + 1]!);
      i += stride; j += stride;
    }
  }
  return out;
}

/** Records a packet load as done on `s` (copying the shared set on write, so `s.loaded` changes exactly when the load is new). */
function addLoaded(s: FlowState, value: number): void {
  const word = value >>> 5;
  const bit = 1 << (value & 31);
  const loaded = s.loaded;
  if (word < loaded.length && (loaded[word]! & bit) !== 0) return;
  const added = new Uint32Array(Math.max(loaded.length, word + 1));
  added.set(loaded);
  added[word] = added[word]! | bit;
  s.loaded = added;
}

/** The loads in both sets. */
function bothLoaded(left: Readonly<Uint32Array>, right: Readonly<Uint32Array>): Readonly<Uint32Array> {
  if (left === right) return left;
  const words = Math.min(left.length, right.length);
  const both = new Uint32Array(words);
  for (let i = 0; i < words; i++) both[i] = left[i]! & right[i]!;
  return both;
}

/** The known outcome of the test with key `key` (see `testKey`), if any. */
export function knownOutcome(facts: readonly number[], key: number): boolean | undefined {
  const at = lowerBound(facts, key * 2);
  if (at === facts.length) return undefined;
  const entry = facts[at]!;
  return entry === key * 2 + 1 ? true : entry === key * 2 ? false : undefined;
}

/** `facts` with the outcome of test `key` set to `outcome` (the same list when already so). */
function withOutcome(facts: readonly number[], key: number, outcome: boolean): readonly number[] {
  const at = lowerBound(facts, key * 2);
  const entry = key * 2 + (outcome ? 1 : 0);
  if (facts[at] === entry) return facts;
  const present = at < facts.length && facts[at]! <= key * 2 + 1;
  return spliced(facts, at, present ? 1 : 0, entry);
}

/** The constant value number `value` is known equal to, if any. */
export function knownEqual(equal: readonly number[], value: number): number | undefined {
  const at = lowerBound(equal, value, 2);
  return at < equal.length && equal[at] === value ? equal[at + 1] : undefined;
}

/** `equal` with value number `value` known equal to the constant `constant`. */
function withEqual(equal: readonly number[], value: number, constant: number): readonly number[] {
  const at = lowerBound(equal, value, 2);
  const present = at < equal.length && equal[at] === value;
  return splicedPair(equal, at, present ? 2 : 0, value, constant);
}

/** Sets scratch word `k` of `s` (copying the shared words on write). */
function setMemory(s: FlowState, k: number, value: number): void {
  if (s.mem[k] === value) return;
  const mem = s.mem.slice();
  mem[k] = value;
  s.mem = mem;
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
    return c !== undefined ? values.constant(-c >>> 0) : a === undefined ? fresh() : values.neg(a);
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
  return values.alu(op, a, b);
}

/** The key of a test `a op operand` (value numbers; op a BPF jump op) for the facts map. */
export function testKey(a: number, op: number, operand: number): number {
  return (a * 8 + (op >> 4)) * MAX_VALUE_NUMBERS + operand;
}

/** Applies one statement to `s` (in place), giving fresh numbers to unknowable values. */
export function applyStatement(values: ValueTable, s: FlowState, insn: RawInstruction, fresh: () => number): void {
  const cls = bpfClass(insn.code);
  switch (cls) {
    case BPF_LD: case BPF_LDX: {
      const mode = bpfMode(insn.code);
      let v: number;
      if (mode === BPF_IMM) v = values.constant(insn.k);
      else if (mode === BPF_LEN) v = values.length();
      else if (mode === BPF_MEM) v = s.mem[insn.k] ?? fresh();
      else if (mode === BPF_ABS) { v = values.absolute(bpfSize(insn.code), insn.k >>> 0); addLoaded(s, v); }
      else if (mode === BPF_IND) {
        const cx = values.constantOf(s.x);
        v = cx !== undefined && cx + insn.k <= 0xffffffff ? values.absolute(bpfSize(insn.code), cx + insn.k)
          : s.x === undefined ? fresh() : values.indexed(bpfSize(insn.code), insn.k >>> 0, s.x);
        addLoaded(s, v);
      } else { v = values.msh(insn.k >>> 0); addLoaded(s, v); }
      if (cls === BPF_LD) s.a = v; else s.x = v;
      return;
    }
    case BPF_ST: setMemory(s, insn.k, s.a ?? fresh()); return;
    case BPF_STX: setMemory(s, insn.k, s.x ?? fresh()); return;
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
    const known = knownOutcome(s.facts, testKey(s.a, block.op, operand));
    if (known !== undefined) return known;
    const equalTo = knownEqual(s.equal, s.a);
    if (block.op === BPF_JEQ && constantOperand !== undefined && equalTo !== undefined && equalTo !== constantOperand) return false;
    return undefined;
  }
  const ca = constantA ?? knownEqual(s.equal, s.a);
  const cb = constantOperand ?? knownEqual(s.equal, operand);
  if (ca !== undefined && cb !== undefined) return evaluateJump(block.op, ca, cb);
  return knownOutcome(s.facts, testKey(s.a, block.op, operand));
}

/** The state on the edge from a block (whose exit state is `exit`) along its true or false branch. */
export function edgeState(values: ValueTable, exit: FlowState, block: Block, branch: boolean, strength: OptimizerStrength = 'full'): FlowState {
  const s = cloneState(exit);
  if (s.a === undefined || (strength === 'libpcap' && block.relation)) return s;
  const operand = block.src === BPF_X ? s.x : values.constant(block.k);
  if (operand === undefined) return s;
  const key = testKey(s.a, block.op, operand);
  s.facts = withOutcome(s.facts, key, branch);
  const c = values.constantOf(operand) ?? knownEqual(s.equal, operand);
  if (block.op === BPF_JEQ && branch && c !== undefined && knownEqual(s.equal, s.a) !== c) s.equal = withEqual(s.equal, s.a, c);
  return s;
}

/** Meets two states: keeps what both know. */
export function meet(left: FlowState, right: FlowState, fresh: () => number): FlowState {
  const pick = (l: number | undefined, r: number | undefined): number | undefined => (l === r ? l : l === undefined || r === undefined ? undefined : fresh());
  let mem = left.mem;
  if (left.mem !== right.mem) {
    let differs = false;
    for (let i = 0; i < left.mem.length; i++) if (left.mem[i] !== right.mem[i]) { differs = true; break; }
    if (differs) mem = left.mem.map((m, i) => pick(m, right.mem[i]));
  }
  const loaded = bothLoaded(left.loaded, right.loaded);
  const facts = intersection(left.facts, right.facts);
  const equal = intersection(left.equal, right.equal, 2);
  return { a: pick(left.a, right.a), x: pick(left.x, right.x), mem, loaded, facts, equal };
}

/** Entry and exit states of every reachable block (forward analysis in topological order). */
export interface FlowAnalysis {
  strength: OptimizerStrength;
  values: ValueTable;
  blocks: readonly Block[];
  entry: Map<Block, FlowState>;
  /** The state where a block's `stmts` start: its entry state after its opaque prelude, if any. */
  start: Map<Block, FlowState>;
  exit: Map<Block, FlowState>;
  fresh: () => number;
}

/** Runs the forward analysis over the graph rooted at `root` (`blocks` is `reachableBlocks(root)` when the caller has it). */
export function analyzeFlow(root: GraphNode, strength: OptimizerStrength = 'full', values = new ValueTable(), blocks: readonly Block[] = reachableBlocks(root)): FlowAnalysis {
  const fresh = (): number => values.fresh();
  // States are never changed once stored, so the maps may share them. A block's entry state is the meet
  // of the edges into it, filled in as its predecessors (earlier in topological order) are analyzed.
  const entry = new Map<Block, FlowState>();
  const start = new Map<Block, FlowState>();
  const exit = new Map<Block, FlowState>();
  const flowInto = (successor: Block, edge: FlowState): void => {
    const previous = entry.get(successor);
    entry.set(successor, previous ? meet(previous, edge, fresh) : edge);
  };
  for (const block of blocks) {
    let state = entry.get(block);
    if (state === undefined) { state = entryState(); entry.set(block, state); }
    let begin = state;
    if (block.prelude) {
      // An opaque prelude may leave anything in the registers (its loads may also end the program).
      begin = cloneState(state);
      begin.a = fresh(); begin.x = fresh(); begin.mem = state.mem.map(() => fresh());
    }
    start.set(block, begin);
    const s = cloneState(begin);
    for (const insn of block.stmts) applyStatement(values, s, insn, fresh);
    exit.set(block, s);
    const decided = decideTest(values, s, block, strength);
    if (decided !== false && block.jt.kind === 'block') flowInto(block.jt, edgeState(values, s, block, true, strength));
    if (decided !== true && block.jf.kind === 'block') flowInto(block.jf, edgeState(values, s, block, false, strength));
  }
  return { strength, values, blocks, entry, start, exit, fresh };
}
