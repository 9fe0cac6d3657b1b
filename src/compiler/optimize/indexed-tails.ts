/**
 * Sharing tails through the index register: a region of blocks that reads the packet at absolute
 * offsets is replaced by an identical region that reads at `x + k`, with X set to the difference
 * before the region is entered. libpcap emits such twins for every transport-layer field of an
 * `ip or ip6` expression (`port`, `portrange`): the IPv4 copy reads `[x + 14]` after BPF_MSH, the
 * IPv6 copy reads `[54]`. The rewrite is exact, truncated packets included: `ld [x + k]` with X = c
 * reads the same bytes as `ld [k + c]` and fails on the same packets.
 *
 *   P: ldb [20]; jeq #6 -> B | B: ldh [54]; jeq #80 -> ...   T: ldh [x + 14]; jeq #80 -> ...
 *     -> P: ldb [20]; ldx #40; jeq #6 -> T                     (B's region is gone)
 *
 * It runs once the other passes are done, because constant folding turns `ldx #c; ld [x + k]` back
 * into `ld [k + c]`; a rewrite is kept only when the linearized program gets shorter.
 */
import type { RawInstruction } from '../../bpf/opcodes.js';
import { BPF_ABS, BPF_IMM, BPF_IND, BPF_JEQ, BPF_K, BPF_LD, BPF_LDX, bpfClass, bpfMode, bpfSize } from '../../bpf/opcodes.js';
import { newBlock, reachableBlocks, type Block, type GraphNode } from '../graph.js';
import { linearizedLength } from '../linearize.js';
import { liveIn, LIVE_X, usesAndDefs } from './liveness.js';
import { mergeIdenticalBlocks } from './merge-blocks.js';

/** Rewrites while a rewrite shortens the program; returns the (possibly new) root. */
export function shareIndexedTails(root: GraphNode, maxRewrites = 64): GraphNode {
  let current = root;
  // The current program's length, computed only once some rewrite is worth measuring against it.
  let length: number | undefined;
  for (let round = 0; round < maxRewrites; round++) {
    const next = bestRewrite(current, () => (length ??= linearizedLength(current)));
    if (!next) break;
    current = next.root;
    length = next.length;
  }
  return current;
}

/** A block statement that may stand for its twin at offset `k + c`: an absolute or indexed packet load. */
function isAbsoluteLoad(insn: RawInstruction): boolean {
  return bpfClass(insn.code) === BPF_LD && bpfMode(insn.code) === BPF_ABS;
}

function isIndexedLoad(insn: RawInstruction): boolean {
  return bpfClass(insn.code) === BPF_LD && bpfMode(insn.code) === BPF_IND;
}

/** True when a block can belong to a rewritten region: no prelude, no X read or written except by the loads being paired. */
function plainBlock(block: Block): boolean {
  return !block.prelude && !block.pinned && (block.jt === block.jf || block.src === BPF_K);
}

/**
 * The offset c such that the region at `absolute` behaves as the region at `indexed` with X = c, or
 * undefined. Both regions end in the same nodes (or equal `ret`s); the absolute one touches no X.
 */
function regionOffset(indexed: Block, skip: number, absolute: Block): number | undefined {
  let offset: number | undefined;
  const matched = new Map<Block, Block>();
  // The indexed region may start inside its first block, after `skip` statements (its BPF_MSH, say).
  const head = copyBlock(indexed, indexed.stmts.slice(skip));
  const match = (t: GraphNode, b: GraphNode): boolean => {
    if (t === b) return true;
    if (t.kind === 'ret' || b.kind === 'ret') return t.kind === 'ret' && b.kind === 'ret' && t.k === b.k;
    const previous = matched.get(b);
    if (previous) return previous === t;
    if (!plainBlock(t) || !plainBlock(b)) return false;
    if ((t.jt === t.jf) !== (b.jt === b.jf)) return false;
    if (t.jt !== t.jf && (t.op !== b.op || t.k !== b.k)) return false;
    if (t.stmts.length !== b.stmts.length) return false;
    for (let i = 0; i < t.stmts.length; i++) {
      const ts = t.stmts[i]!;
      const bs = b.stmts[i]!;
      if (isIndexedLoad(ts) && isAbsoluteLoad(bs) && bpfSize(ts.code) === bpfSize(bs.code)) {
        // No wrap-around: x + k must not overflow where k + c does not.
        const c = (bs.k >>> 0) - (ts.k >>> 0);
        if (c < 0) return false;
        if (offset === undefined) offset = c;
        else if (offset !== c) return false;
        continue;
      }
      if (ts.code !== bs.code || (ts.k >>> 0) !== (bs.k >>> 0)) return false;
      const { uses, defs } = usesAndDefs(bs);
      if ((uses | defs) & LIVE_X) return false;
    }
    matched.set(b, t);
    return match(t.jt, b.jt) && match(t.jf, b.jf);
  };
  return match(head, absolute) && offset !== undefined ? offset : undefined;
}

/** Immediate dominators of the reachable blocks (the root maps to undefined). */
function immediateDominators(root: Block, blocks: Block[]): Map<Block, Block | undefined> {
  const order = new Map(blocks.map((b, i) => [b, i]));
  const predecessors = new Map<Block, Block[]>(blocks.map((b) => [b, []]));
  for (const b of blocks) for (const s of b.jt === b.jf ? [b.jt] : [b.jt, b.jf]) if (s.kind === 'block') predecessors.get(s)!.push(b);
  const idom = new Map<Block, Block | undefined>([[root, undefined]]);
  const intersect = (a: Block, b: Block): Block => {
    let x = a;
    let y = b;
    while (x !== y) {
      while (order.get(x)! > order.get(y)!) x = idom.get(x)!;
      while (order.get(y)! > order.get(x)!) y = idom.get(y)!;
    }
    return x;
  };
  // The graph is acyclic and `blocks` is in reverse postorder, so one pass settles every block.
  for (const b of blocks) {
    if (b === root) continue;
    let dominator: Block | undefined;
    for (const p of predecessors.get(b)!) dominator = dominator ? intersect(dominator, p) : p;
    idom.set(b, dominator);
  }
  return idom;
}

/**
 * A copy of `block` with statements `stmts` (field by field: object spread is slow in V8). Statements
 * are shared: no pass changes an instruction object in place.
 */
function copyBlock(block: Block, stmts: RawInstruction[]): Block {
  const copy: Block = { kind: 'block', id: block.id, stmts, op: block.op, src: block.src, k: block.k, jt: block.jt, jf: block.jf, visit: 0 };
  if (block.relation !== undefined) copy.relation = block.relation;
  if (block.prelude !== undefined) copy.prelude = block.prelude;
  if (block.pinned !== undefined) copy.pinned = block.pinned;
  return copy;
}

/** A deep copy of the graph (blocks and their statement lists), with the map from old blocks to new. */
function cloneGraph(root: GraphNode): { root: GraphNode; copies: Map<Block, Block> } {
  const copies = new Map<Block, Block>();
  const blocks = reachableBlocks(root);
  for (const b of blocks) copies.set(b, copyBlock(b, b.stmts.slice()));
  const copy = (n: GraphNode): GraphNode => (n.kind === 'ret' ? n : copies.get(n)!);
  for (const c of copies.values()) {
    c.jt = copy(c.jt);
    c.jf = copy(c.jf);
  }
  return { root: copy(root), copies };
}

/** The rewrite that makes the program shortest, if one makes it shorter than the current program (`lengthOf()`), with the new root and length. */
function bestRewrite(root: GraphNode, lengthOf: () => number): { root: GraphNode; length: number } | undefined {
  if (root.kind !== 'block') return undefined;
  const blocks = reachableBlocks(root);
  const absoluteHeads = blocks.filter((b) => b.stmts.length > 0 && isAbsoluteLoad(b.stmts[0]!));
  // Where an indexed region may start: at an indexed load, inside any block.
  const indexedStarts: { block: Block; skip: number }[] = [];
  for (const b of blocks) b.stmts.forEach((s, i) => { if (isIndexedLoad(s)) indexedStarts.push({ block: b, skip: i }); });
  if (indexedStarts.length === 0 || absoluteHeads.length === 0) return undefined;
  const live = liveIn(root);
  const idom = immediateDominators(root, blocks);
  let best: { root: GraphNode; length: number } | undefined;
  for (const absolute of absoluteHeads) {
    if ((live.get(absolute)! & LIVE_X) !== 0 || absolute === root) continue;
    for (const { block: indexed, skip } of indexedStarts) {
      if (indexed === absolute || indexed.stmts.length - skip !== absolute.stmts.length) continue;
      const offset = regionOffset(indexed, skip, absolute);
      if (offset === undefined) continue;
      for (const place of insertionPoints(absolute, blocks, idom, live)) {
        const candidate = apply(root, absolute, indexed, skip, place, offset);
        const candidateLength = linearizedLength(candidate);
        if (candidateLength < (best?.length ?? lengthOf())) best = { root: candidate, length: candidateLength };
      }
    }
  }
  return best;
}

/**
 * Blocks at whose end `ldx #c` can be put so that X = c on every entry to `target` and nothing else
 * sees the change: strict dominators of the target with X dead after them and no X write (and no
 * prelude) on any path from them to the target. Nearest first.
 */
function insertionPoints(target: Block, blocks: Block[], idom: Map<Block, Block | undefined>, live: Map<Block, number>): Block[] {
  const liveAt = (n: GraphNode): number => (n.kind === 'ret' ? 0 : live.get(n) ?? 0);
  // Blocks from which the target can be reached (the target excluded).
  const reachesTarget = new Set<Block>();
  for (const b of [...blocks].reverse()) {
    if ((b.jt.kind === 'block' && (b.jt === target || reachesTarget.has(b.jt))) || (b.jf.kind === 'block' && (b.jf === target || reachesTarget.has(b.jf)))) reachesTarget.add(b);
  }
  const writesX = (b: Block): boolean => !!b.prelude || b.stmts.some((s) => (usesAndDefs(s).defs & LIVE_X) !== 0);
  const points: Block[] = [];
  for (let d = idom.get(target); d; d = idom.get(d)) {
    if ((liveAt(d.jt) | liveAt(d.jf)) & LIVE_X) break;
    if (d.jt !== d.jf && d.src !== BPF_K) break;
    if (d.prelude) break;
    // Every block strictly between d and the target (reachable from d, reaching the target) must keep X.
    // Such blocks are reached from d through blocks that reach the target only, so the search stays among them.
    const between = new Set<Block>();
    const stack: Block[] = [];
    const visit = (n: GraphNode): void => {
      if (n.kind === 'block' && reachesTarget.has(n) && !between.has(n)) { between.add(n); stack.push(n); }
    };
    visit(d.jt);
    visit(d.jf);
    let keepsX = true;
    while (keepsX && stack.length > 0) {
      const b = stack.pop()!;
      if (writesX(b)) keepsX = false;
      visit(b.jt);
      visit(b.jf);
    }
    if (!keepsX) break;
    points.push(d);
  }
  return points;
}

/**
 * A copy of the graph with `ldx #offset` at the end of `place` and every edge into `absolute` sent to
 * the indexed region (its first block split after `skip` statements).
 */
function apply(root: GraphNode, absolute: Block, indexed: Block, skip: number, place: Block, offset: number): GraphNode {
  const { root: copyRoot, copies } = cloneGraph(root);
  const from = copies.get(absolute)!;
  let to = copies.get(indexed)!;
  if (skip > 0) {
    const prefix = to;
    to = newBlock(prefix.stmts.slice(skip), prefix.op, prefix.src, prefix.k, prefix.jt, prefix.jf);
    if (prefix.relation) to.relation = true;
    prefix.stmts = prefix.stmts.slice(0, skip);
    prefix.op = BPF_JEQ; prefix.src = BPF_K; prefix.k = 0;
    prefix.jt = to; prefix.jf = to;
    delete prefix.relation;
  }
  const at = copies.get(place)!;
  at.stmts.push({ code: BPF_LDX | BPF_IMM, jt: 0, jf: 0, k: offset >>> 0 });
  for (const b of copies.values()) {
    if (b.jt === from) b.jt = to;
    if (b.jf === from) b.jf = to;
  }
  return mergeIdenticalBlocks(copyRoot).root;
}
