/**
 * Peephole rules on the end of a block and its jump, each applied only when the value it drops
 * (A after the block) is read by neither successor.
 *
 *   and #m; jeq #0 -> jset #m (successors swapped)
 *   and #b; jeq #b -> jset #b (b a single bit)
 *   sub x; jeq #0  -> jeq x
 *   st M[i]; ldx M[i] -> st M[i]; tax
 *   ld #k; tax (A dead) -> ldx #k
 *   st M[i]; (no X use); ldx M[i] -> st M[i]; tax; (no X use)
 */
import {
  BPF_ALU, BPF_AND, BPF_IMM, BPF_JEQ, BPF_JSET, BPF_K, BPF_LD, BPF_LDX, BPF_MEM, BPF_MISC, BPF_ST, BPF_SUB, BPF_TAX, BPF_X,
} from '../../bpf/opcodes.js';
import { reachableBlocks, type Block, type GraphNode } from '../graph.js';
import { LIVE_A, LIVE_X, liveIn, liveMem, liveOut, usesAndDefs } from './liveness.js';

const AND_K = BPF_ALU | BPF_AND | BPF_K;
const SUB_X = BPF_ALU | BPF_SUB | BPF_X;

/** Applies the rules once over the graph (given its current liveness and `reachableBlocks(root)`, if the caller has them); returns true when something changed. */
export function applyPeepholes(root: GraphNode, live: Map<Block, number> = liveIn(root), blocks: readonly Block[] = reachableBlocks(root)): boolean {
  let changed = false;
  for (const block of blocks) {
    const after = liveOut(block, live);
    const aDead = (after & LIVE_A) === 0;
    const last = block.stmts[block.stmts.length - 1];
    if (last && aDead && block.jt !== block.jf && block.src === BPF_K && block.op === BPF_JEQ) {
      if (last.code === AND_K && block.k === 0) {
        block.stmts.pop();
        block.op = BPF_JSET; block.k = last.k;
        [block.jt, block.jf] = [block.jf, block.jt];
        changed = true;
      } else if (last.code === AND_K && block.k === last.k && last.k !== 0 && (last.k & (last.k - 1)) === 0) {
        block.stmts.pop();
        block.op = BPF_JSET;
        changed = true;
      } else if (last.code === SUB_X && block.k === 0) {
        block.stmts.pop();
        block.src = BPF_X; block.k = 0;
        changed = true;
      }
    }
    for (let i = 0; i + 1 < block.stmts.length; i++) {
      const a = block.stmts[i]!;
      const b = block.stmts[i + 1]!;
      if (a.code === BPF_ST && b.code === (BPF_LDX | BPF_MEM) && a.k === b.k) {
        block.stmts[i + 1] = { code: BPF_MISC | BPF_TAX, jt: 0, jf: 0, k: 0 };
        changed = true;
      }
    }
    // st M[i]; S...; ldx M[i] -> st M[i]; tax; S... when S neither reads nor writes X nor writes M[i].
    for (let i = 0; i < block.stmts.length; i++) {
      const store = block.stmts[i]!;
      if (store.code !== BPF_ST) continue;
      for (let j = i + 1; j < block.stmts.length; j++) {
        const s = block.stmts[j]!;
        if (s.code === (BPF_LDX | BPF_MEM) && s.k === store.k) {
          if (j > i + 1) {
            block.stmts.splice(j, 1);
            block.stmts.splice(i + 1, 0, { code: BPF_MISC | BPF_TAX, jt: 0, jf: 0, k: 0 });
            changed = true;
          }
          break;
        }
        const { uses, defs } = usesAndDefs(s);
        if (((uses | defs) & LIVE_X) || (defs & liveMem(store.k))) break;
      }
    }
    // ld #k; tax -> ldx #k when A is not read afterwards (before being written).
    for (let i = 0; i + 1 < block.stmts.length; i++) {
      const a = block.stmts[i]!;
      const b = block.stmts[i + 1]!;
      if (a.code === (BPF_LD | BPF_IMM) && b.code === (BPF_MISC | BPF_TAX) && !aReadAfter(block, i + 2, after)) {
        block.stmts.splice(i, 2, { code: BPF_LDX | BPF_IMM, jt: 0, jf: 0, k: a.k });
        changed = true;
      }
    }
  }
  return changed;
}

/** True when A is read from statement `from` of the block on (including its jump and successors) before being written. */
function aReadAfter(block: { stmts: { code: number; k: number; jt: number; jf: number }[]; jt: GraphNode; jf: GraphNode }, from: number, after: number): boolean {
  for (let i = from; i < block.stmts.length; i++) {
    const { uses, defs } = usesAndDefs(block.stmts[i]!);
    if (uses & LIVE_A) return true;
    if (defs & LIVE_A) return false;
  }
  if (block.jt !== block.jf) return true;
  return (after & LIVE_A) !== 0;
}
