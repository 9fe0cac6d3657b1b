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
import { analyzeFlow, applyStatement, cloneState, type OptimizerStrength } from './values.js';

/** Runs the pass; returns true when something changed. */
export function removeRedundantStatements(root: GraphNode, strength: OptimizerStrength = 'full'): boolean {
  const flow = analyzeFlow(root, strength);
  let changed = false;
  for (const block of flow.blocks) {
    const s = cloneState(flow.start.get(block)!);
    block.stmts = block.stmts.filter((insn) => {
      const before = cloneState(s);
      applyStatement(flow.values, s, insn, flow.fresh);
      const cls = bpfClass(insn.code);
      let redundant = false;
      if (cls === BPF_LD || cls === BPF_ALU) redundant = before.a !== undefined && s.a === before.a;
      else if (cls === BPF_LDX) redundant = before.x !== undefined && s.x === before.x;
      else if (cls === BPF_ST || cls === BPF_STX) redundant = before.mem[insn.k] !== undefined && s.mem[insn.k] === before.mem[insn.k];
      else if (cls === BPF_MISC) redundant = bpfMiscOp(insn.code) === BPF_TAX ? before.x !== undefined && s.x === before.x : before.a !== undefined && s.a === before.a;
      if (redundant) changed = true;
      return !redundant;
    });
  }
  return changed;
}
