/**
 * Merging identical blocks: blocks with the same statements, the same test and the same successors
 * become one, and a test whose two successors are the same block becomes an unconditional jump.
 *
 *   L1: ldh [12]; jeq #0x800 -> A, B      L2: (same)   -> one block
 *   jeq #k -> A, A                                      -> goto A
 */
import { reachableBlocks, type Block, type GraphNode, type Ret } from '../graph.js';

/** Merges identical blocks bottom-up (`blocks` is `reachableBlocks(root)` when the caller has it); returns the canonical root and whether something changed. */
export function mergeIdenticalBlocks(root: GraphNode, blocks: readonly Block[] = reachableBlocks(root)): { root: GraphNode; changed: boolean } {
  const canonical = new Map<Block, GraphNode>();
  // Blocks kept so far, by a hash of what `sameBlock` compares.
  const byHash = new Map<number, Block[]>();
  const rets = new Map<number, Ret>();
  let changed = false;
  const resolve = (n: GraphNode): GraphNode => {
    if (n.kind === 'ret') {
      const existing = rets.get(n.k);
      if (existing) { if (existing !== n) changed = true; return existing; }
      rets.set(n.k, n);
      return n;
    }
    return canonical.get(n) ?? n;
  };
  // Successors first: the reverse of the topological order.
  for (let b = blocks.length - 1; b >= 0; b--) {
    const block = blocks[b]!;
    const jt = resolve(block.jt);
    const jf = resolve(block.jf);
    if (jt !== block.jt || jf !== block.jf) { block.jt = jt; block.jf = jf; changed = true; }
    const hash = blockHash(block);
    const sameHash = byHash.get(hash);
    const existing = sameHash?.find((other) => sameBlock(other, block));
    if (existing) { canonical.set(block, existing); changed = true; continue; }
    if (sameHash) sameHash.push(block); else byHash.set(hash, [block]);
    canonical.set(block, block);
  }
  return { root: resolve(root), changed };
}

/** A number for a successor: the ret's value, or the block's id (blocks of one graph have distinct ids). */
function nodeNumber(node: GraphNode): number {
  return node.kind === 'ret' ? node.k : node.id + 0x100000000;
}

/** A hash of the block's statements, test and successors (equal for blocks that `sameBlock` finds equal). */
function blockHash(block: Block): number {
  let hash = block.stmts.length;
  const mix = (value: number): void => { hash = Math.imul(hash ^ (value | 0), 0x9e3779b1) ^ (hash >>> 15); };
  for (const s of block.stmts) { mix(s.code); mix(s.k); }
  if (block.jt === block.jf) mix(nodeNumber(block.jt) % 0x7fffffff);
  else { mix(block.op | block.src); mix(block.k); mix(nodeNumber(block.jt) % 0x7fffffff); mix(nodeNumber(block.jf) % 0x7fffffff); }
  return hash;
}

/**
 * True when two blocks (successors already merged) do the same: the same prelude, pinning, statements
 * (code and constant), and the same jump to the same successors, or both an unconditional jump to the same node.
 */
function sameBlock(a: Block, b: Block): boolean {
  if (!!a.pinned !== !!b.pinned || a.stmts.length !== b.stmts.length) return false;
  const preludeA = a.prelude ?? [];
  const preludeB = b.prelude ?? [];
  if (preludeA.length !== preludeB.length) return false;
  for (let i = 0; i < preludeA.length; i++) {
    const x = preludeA[i]!;
    const y = preludeB[i]!;
    if (x.code !== y.code || x.jt !== y.jt || x.jf !== y.jf || (x.k >>> 0) !== (y.k >>> 0)) return false;
  }
  for (let i = 0; i < a.stmts.length; i++) {
    const x = a.stmts[i]!;
    const y = b.stmts[i]!;
    if (x.code !== y.code || (x.k >>> 0) !== (y.k >>> 0)) return false;
  }
  if ((a.jt === a.jf) !== (b.jt === b.jf)) return false;
  if (a.jt === a.jf) return a.jt === b.jt;
  return a.op === b.op && a.src === b.src && (a.k >>> 0) === (b.k >>> 0) && a.jt === b.jt && a.jf === b.jf;
}
