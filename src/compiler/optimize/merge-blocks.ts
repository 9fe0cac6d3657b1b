/**
 * Merging identical blocks: blocks with the same statements, the same test and the same successors
 * become one, and a test whose two successors are the same block becomes an unconditional jump.
 *
 *   L1: ldh [12]; jeq #0x800 -> A, B      L2: (same)   -> one block
 *   jeq #k -> A, A                                      -> goto A
 */
import { reachableBlocks, type Block, type GraphNode, type Ret } from '../graph.js';

/** Merges identical blocks bottom-up; returns the canonical root and whether something changed. */
export function mergeIdenticalBlocks(root: GraphNode): { root: GraphNode; changed: boolean } {
  const blocks = reachableBlocks(root).reverse();
  const canonical = new Map<Block, GraphNode>();
  const byKey = new Map<string, Block>();
  const rets = new Map<number, Ret>();
  const ids = new Map<GraphNode, number>();
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
  const idOf = (n: GraphNode): number => {
    let id = ids.get(n);
    if (id === undefined) { id = ids.size; ids.set(n, id); }
    return id;
  };
  for (const block of blocks) {
    const jt = resolve(block.jt);
    const jf = resolve(block.jf);
    if (jt !== block.jt || jf !== block.jf) { block.jt = jt; block.jf = jf; changed = true; }
    const prelude = (block.prelude ?? []).map((s) => `${s.code},${s.jt},${s.jf},${s.k >>> 0}`).join(';');
    const stmts = `${prelude}|${block.pinned ? 'pinned' : ''}|` + block.stmts.map((s) => `${s.code},${s.k >>> 0}`).join(';');
    const key = block.jt === block.jf ? `${stmts}|goto ${idOf(block.jt)}` : `${stmts}|${block.op},${block.src},${block.k >>> 0}|${idOf(block.jt)},${idOf(block.jf)}`;
    const existing = byKey.get(key);
    if (existing && existing !== block) { canonical.set(block, existing); changed = true; continue; }
    byKey.set(key, block);
    canonical.set(block, block);
  }
  return { root: resolve(root), changed };
}
