/**
 * Redundant statement elimination: a statement that puts into a register the value it already holds
 * on every path (a repeated load, `add #0`, a store of what the word already holds) is removed. A
 * repeated packet load cannot fail where the first one succeeded, so removing it keeps the verdicts.
 *
 *   ldh [12]; jeq #0x800; ldh [12]   -> ldh [12]; jeq #0x800
 *   ldxb 4*([14]&0xf) twice          -> once
 *   st M[0] when M[0] already = A    -> (nothing)
 */
import { BPF_LD, BPF_LDX, BPF_ST, BPF_STX, BPF_ALU, BPF_MISC, BPF_TAX, bpfClass, bpfMiscOp } from '../../bpf/opcodes.js';
import type { GraphNode } from '../graph.js';
import { analyzeFlow, applyStatement, cloneState, type FlowAnalysis, type OptimizerStrength } from './values.js';

/** Runs the pass (given the graph's current flow analysis, if the caller has it); returns true when something changed. */
export function removeRedundantStatements(root: GraphNode, strength: OptimizerStrength = 'full', flow: FlowAnalysis = analyzeFlow(root, strength)): boolean {
  let changed = false;
  for (const block of flow.blocks) {
    const s = cloneState(flow.start.get(block)!);
    const stmts = block.stmts;
    // The statements kept, made only once one is dropped.
    let kept: typeof stmts | undefined;
    for (let i = 0; i < stmts.length; i++) {
      const insn = stmts[i]!;
      // What the registers held before (scratch words are replaced, never changed, when written).
      const a = s.a;
      const x = s.x;
      const mem = s.mem;
      applyStatement(flow.values, s, insn, flow.fresh);
      const cls = bpfClass(insn.code);
      let redundant = false;
      if (cls === BPF_LD || cls === BPF_ALU) redundant = a !== undefined && s.a === a;
      else if (cls === BPF_LDX) redundant = x !== undefined && s.x === x;
      else if (cls === BPF_ST || cls === BPF_STX) redundant = mem[insn.k] !== undefined && s.mem[insn.k] === mem[insn.k];
      else if (cls === BPF_MISC) redundant = bpfMiscOp(insn.code) === BPF_TAX ? x !== undefined && s.x === x : a !== undefined && s.a === a;
      if (redundant) {
        changed = true;
        kept ??= stmts.slice(0, i);
      } else if (kept) kept.push(insn);
    }
    if (kept) block.stmts = kept;
  }
  return changed;
}
