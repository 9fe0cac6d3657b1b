/**
 * Constant folding: statements whose value is known on every path become constant loads, and
 * operands known constant become immediate operands.
 *
 *   ld #a; add #b            -> ld #(a+b)
 *   ldx #c; ld [x + k]       -> ld [(c + k) mod 2^32]
 *   ldx #c; add x            -> add #c
 *   ldx #c; jeq x            -> jeq #c
 */
import { BPF_ABS, BPF_ALU, BPF_DIV, BPF_IMM, BPF_IND, BPF_K, BPF_LD, BPF_LDX, BPF_MOD, BPF_NEG, BPF_X, bpfClass, bpfMode, bpfOp, bpfSize, bpfSrc } from '../../bpf/opcodes.js';
import type { RawInstruction } from '../../bpf/opcodes.js';
import type { GraphNode } from '../graph.js';
import { analyzeFlow, applyStatement, canFail, cloneState, type FlowAnalysis, type OptimizerStrength } from './values.js';

/** Runs the pass (given the graph's current flow analysis, if the caller has it); returns true when something changed. */
export function foldConstants(root: GraphNode, strength: OptimizerStrength = 'full', flow: FlowAnalysis = analyzeFlow(root, strength)): boolean {
  const { values } = flow;
  let changed = false;
  for (const block of flow.blocks) {
    let s = cloneState(flow.start.get(block)!);
    const stmts = block.stmts;
    // The new statements, made only once one changes.
    let folded: RawInstruction[] | undefined;
    for (let i = 0; i < stmts.length; i++) {
      const insn = stmts[i]!;
      let result = insn;
      const cls = bpfClass(insn.code);
      const cx = values.constantOf(s.x);
      if ((cls === BPF_LD) && bpfMode(insn.code) === BPF_IND && cx !== undefined) {
        // The offset wraps at 32 bits, as libpcap's optimizer computes it (only unoptimized code faults there).
        result = { code: BPF_LD | BPF_ABS | bpfSize(insn.code), jt: 0, jf: 0, k: (cx + insn.k) >>> 0 };
      } else if (cls === BPF_ALU && bpfOp(insn.code) !== BPF_NEG && bpfSrc(insn.code) === BPF_X && cx !== undefined
        && !((bpfOp(insn.code) === BPF_DIV || bpfOp(insn.code) === BPF_MOD) && cx === 0)) {
        result = { code: BPF_ALU | bpfOp(insn.code) | BPF_K, jt: 0, jf: 0, k: cx };
      }
      const isLoadImmediate = (cls === BPF_LD || cls === BPF_LDX) && bpfMode(result.code) === BPF_IMM;
      if (!isLoadImmediate && !canFail(result, cx) && (cls === BPF_LD || cls === BPF_ALU || cls === BPF_LDX)) {
        const after = cloneState(s);
        applyStatement(values, after, result, flow.fresh);
        const value = cls === BPF_LDX ? after.x : after.a;
        const c = values.constantOf(value);
        if (c !== undefined) result = { code: (cls === BPF_LDX ? BPF_LDX : BPF_LD) | BPF_IMM, jt: 0, jf: 0, k: c };
        // `ld #c` would leave the same state: the same constant in the register, no load recorded.
        s = after;
      } else {
        applyStatement(values, s, result, flow.fresh);
      }
      if (result !== insn) { changed = true; folded ??= stmts.slice(0, i); }
      if (folded) folded.push(result);
    }
    if (folded) block.stmts = folded;
    if (block.src === BPF_X && block.jt !== block.jf) {
      const c = values.constantOf(s.x);
      if (c !== undefined) { block.src = BPF_K; block.k = c; changed = true; }
    }
  }
  return changed;
}
