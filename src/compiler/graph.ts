/**
 * The block graph: blocks of straight-line statements that end in one conditional jump on A with true
 * and false successors, and `ret` leaves. Built from the boolean form by continuation passing, so
 * `and`/`or`/`not` become shared successors instead of back-patched jump lists.
 */
import type { RawInstruction } from '../bpf/opcodes.js';
import { BPF_JEQ, BPF_K } from '../bpf/opcodes.js';
import { constantTest, type Cond } from './cond.js';

/** A straight-line block ending in `if (A op (k|X)) goto jt else goto jf`. */
export interface Block {
  kind: 'block';
  id: number;
  stmts: RawInstruction[];
  /** BPF_JEQ, BPF_JGT, BPF_JGE or BPF_JSET. */
  op: number;
  /** BPF_K or BPF_X. */
  src: number;
  k: number;
  jt: GraphNode;
  jf: GraphNode;
  /** True when the test compares arithmetic (see TestCond.relation). */
  relation?: boolean;
  /** Opaque instructions run before `stmts` (see TestCond.prelude). */
  prelude?: RawInstruction[];
  /** Statements that dead-code removal keeps (see TestCond.pinned). */
  pinned?: boolean;
  /** The number of the last `reachableBlocks` walk that reached this block (a mark, faster than a set of blocks). */
  visit?: number;
}

/** A `ret #k` leaf. */
export interface Ret { kind: 'ret'; k: number }

/** A node of the block graph. */
export type GraphNode = Block | Ret;

let nextBlockId = 0;
/** The number of the latest `reachableBlocks` walk. */
let lastVisit = 0;

/** Creates a block with a fresh id. */
export function newBlock(stmts: RawInstruction[], op: number, src: number, k: number, jt: GraphNode, jf: GraphNode): Block {
  return { kind: 'block', id: nextBlockId++, stmts, op, src, k: k >>> 0, jt, jf, visit: 0 };
}

/** Builds the graph of `cond` with `onTrue` and `onFalse` as its exits; constants become `ld #0|1; jeq #0` blocks when `materializeConstants`. */
export function buildGraph(cond: Cond, onTrue: GraphNode, onFalse: GraphNode, materializeConstants: boolean): GraphNode {
  switch (cond.kind) {
    case 'test': {
      const block = newBlock([...cond.stmts], cond.op, cond.src, cond.k, onTrue, onFalse);
      if (cond.relation) block.relation = true;
      if (cond.prelude) block.prelude = cond.prelude;
      if (cond.pinned) block.pinned = true;
      return block;
    }
    case 'and': return buildGraph(cond.left, buildGraph(cond.right, onTrue, onFalse, materializeConstants), onFalse, materializeConstants);
    case 'or': return buildGraph(cond.left, onTrue, buildGraph(cond.right, onTrue, onFalse, materializeConstants), materializeConstants);
    case 'not': return buildGraph(cond.operand, onFalse, onTrue, materializeConstants);
    case 'effect': {
      const block = newBlock([...cond.stmts], BPF_JEQ, BPF_K, 0, onTrue, onTrue);
      if (cond.pinned) block.pinned = true;
      return block;
    }
    case 'const': {
      if (!materializeConstants) return cond.value ? onTrue : onFalse;
      const t = constantTest(cond.value);
      return newBlock([...t.stmts], BPF_JEQ, BPF_K, 0, onTrue, onFalse);
    }
  }
}

/** Every block reachable from `root`, in reverse postorder (a topological order: predecessors first). */
export function reachableBlocks(root: GraphNode): Block[] {
  const postorder: Block[] = [];
  if (root.kind !== 'block') return postorder;
  // Blocks reached by this walk carry its number (walks never overlap: each runs to the end at once).
  const visit = ++lastVisit;
  root.visit = visit;
  // Depth-first, true successor first; stages[i] says how many successors of stack[i] were visited.
  const stack: Block[] = [root];
  const stages: number[] = [0];
  while (stack.length > 0) {
    const top = stack.length - 1;
    const block = stack[top]!;
    const stage = stages[top]!;
    if (stage === 2) { postorder.push(block); stack.pop(); stages.pop(); continue; }
    stages[top] = stage + 1;
    const next = stage === 0 ? block.jt : block.jf;
    if (next.kind === 'block' && next.visit !== visit) { next.visit = visit; stack.push(next); stages.push(0); }
  }
  return postorder.reverse();
}

/** Predecessor counts of every reachable block (the root counts one extra); `blocks` is `reachableBlocks(root)` when the caller has it. */
export function predecessorCounts(root: GraphNode, blocks: readonly Block[] = reachableBlocks(root)): Map<Block, number> {
  const counts = new Map<Block, number>();
  for (const b of blocks) counts.set(b, 0);
  if (root.kind === 'block') counts.set(root, 1);
  for (const b of blocks) {
    for (const s of [b.jt, b.jf]) if (s.kind === 'block') counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  return counts;
}
