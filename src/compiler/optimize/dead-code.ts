/**
 * Dead-code removal: statements whose result no path reads (packet loads included, as libpcap's
 * optimizer drops them; a division that may fault stays), and blocks left with no statements and one
 * successor.
 *
 *   ld #1; st M[0]; (M[0] never read)   -> ld #1   -> (nothing, A dead too)
 *   (empty block) goto L                -> predecessors jump to L
 */
import { BPF_ALU, BPF_DIV, BPF_MOD, BPF_X, bpfClass, bpfOp, bpfSrc } from '../../bpf/opcodes.js';
import { reachableBlocks, type Block, type GraphNode } from '../graph.js';
import { canFail } from './values.js';
import { liveIn, liveOut, usesAndDefs } from './liveness.js';

/** Removes dead statements (given the graph's current liveness and `reachableBlocks(root)`, if the caller has them); returns true when something changed. */
export function removeDeadStatements(root: GraphNode, live: Map<Block, number> = liveIn(root), blocks: readonly Block[] = reachableBlocks(root)): boolean {
  let changed = false;
  for (const block of blocks) {
    if (block.pinned) continue;
    let current = liveOut(block, live) | (block.jt === block.jf ? 0 : (1 | (block.src === BPF_X ? 2 : 0)));
    const kept: typeof block.stmts = [];
    for (let i = block.stmts.length - 1; i >= 0; i--) {
      const insn = block.stmts[i]!;
      const { uses, defs } = usesAndDefs(insn);
      const division = bpfClass(insn.code) === BPF_ALU && (bpfOp(insn.code) === BPF_DIV || bpfOp(insn.code) === BPF_MOD);
      // A dead packet load goes too (as libpcap's optimizer drops it); a division that may fault stays.
      const sideEffect = division && canFail(insn, bpfSrc(insn.code) === BPF_X ? undefined : 1);
      if (!sideEffect && (defs & current) === 0) { changed = true; continue; }
      current = (current & ~defs) | uses;
      kept.push(insn);
    }
    kept.reverse();
    block.stmts = kept;
  }
  return changed;
}

/** Follows chains of empty unconditional blocks. */
function skipEmpty(node: GraphNode): GraphNode {
  let n = node;
  for (let guard = 0; n.kind === 'block' && n.stmts.length === 0 && !n.prelude && n.jt === n.jf && guard < 100_000; guard++) n = n.jt;
  return n;
}

/** Bypasses empty unconditional blocks (`blocks` is `reachableBlocks(root)` when the caller has it); returns the (possibly new) root and whether something changed. */
export function bypassEmptyBlocks(root: GraphNode, blocks: readonly Block[] = reachableBlocks(root)): { root: GraphNode; changed: boolean } {
  let changed = false;
  for (const block of blocks) {
    const jt = skipEmpty(block.jt);
    const jf = skipEmpty(block.jf);
    if (jt !== block.jt || jf !== block.jf) { block.jt = jt; block.jf = jf; changed = true; }
  }
  const newRoot = skipEmpty(root);
  return { root: newRoot, changed: changed || newRoot !== root };
}


