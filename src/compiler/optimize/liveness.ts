/**
 * Register liveness for the optimizer: which of A, X and M[0..15] are read before being written on
 * some path from a block's entry (bit 0 = A, bit 1 = X, bit 2 + i = M[i]).
 */
import type { RawInstruction } from '../../bpf/opcodes.js';
import {
  BPF_ALU, BPF_LD, BPF_LDX, BPF_MEM, BPF_MISC, BPF_IND, BPF_NEG, BPF_ST, BPF_STX, BPF_TAX, BPF_X,
  bpfClass, bpfMiscOp, bpfMode, bpfOp, bpfSrc,
} from '../../bpf/opcodes.js';
import { reachableBlocks, type Block, type GraphNode } from '../graph.js';

/** Bit of register A. */
export const LIVE_A = 1;
/** Bit of register X. */
export const LIVE_X = 2;
/** Bit of scratch word M[i]. */
export const liveMem = (i: number): number => 1 << (2 + i);

/** The registers an instruction reads and writes, as live bits. */
export function usesAndDefs(insn: RawInstruction): { uses: number; defs: number } {
  const cls = bpfClass(insn.code);
  const mode = bpfMode(insn.code);
  switch (cls) {
    case BPF_LD:
      return { uses: mode === BPF_IND ? LIVE_X : mode === BPF_MEM ? liveMem(insn.k) : 0, defs: LIVE_A };
    case BPF_LDX:
      return { uses: mode === BPF_MEM ? liveMem(insn.k) : 0, defs: LIVE_X };
    case BPF_ST: return { uses: LIVE_A, defs: liveMem(insn.k) };
    case BPF_STX: return { uses: LIVE_X, defs: liveMem(insn.k) };
    case BPF_ALU:
      return { uses: LIVE_A | (bpfOp(insn.code) !== BPF_NEG && bpfSrc(insn.code) === BPF_X ? LIVE_X : 0), defs: LIVE_A };
    case BPF_MISC:
      return bpfMiscOp(insn.code) === BPF_TAX ? { uses: LIVE_A, defs: LIVE_X } : { uses: LIVE_X, defs: LIVE_A };
    default: return { uses: 0, defs: 0 };
  }
}

/** True when the block's jump reads registers (it has distinct successors). */
export function jumpUses(block: Block): number {
  if (block.jt === block.jf) return 0;
  return LIVE_A | (block.src === BPF_X ? LIVE_X : 0);
}

/** Live-in sets of every reachable block; `ret` leaves read nothing. `blocks` is `reachableBlocks(root)` when the caller has it. */
export function liveIn(root: GraphNode, blocks: readonly Block[] = reachableBlocks(root)): Map<Block, number> {
  const result = new Map<Block, number>();
  const of = (n: GraphNode): number => (n.kind === 'ret' ? 0 : result.get(n) ?? 0);
  // Successors first: the reverse of the topological order.
  for (let b = blocks.length - 1; b >= 0; b--) {
    const block = blocks[b]!;
    let live = of(block.jt) | of(block.jf) | jumpUses(block);
    for (let i = block.stmts.length - 1; i >= 0; i--) {
      const { uses, defs } = usesAndDefs(block.stmts[i]!);
      live = (live & ~defs) | uses;
    }
    // A prelude (protochain's loop) sets A, X and its scratch word before reading them.
    if (block.prelude) live = 0;
    result.set(block, live);
  }
  return result;
}

/** Live-out of a block given the live-in map. */
export function liveOut(block: Block, live: Map<Block, number>): number {
  const of = (n: GraphNode): number => (n.kind === 'ret' ? 0 : live.get(n) ?? 0);
  return of(block.jt) | of(block.jf);
}


