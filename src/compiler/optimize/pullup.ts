/**
 * Pulling tests of one value together (libpcap's or/and pull-up): in a chain of `or`ed tests that share
 * their true successor, a later test of the value the first one tested is moved up beside it, where
 * the value is already in A, so its load disappears; `and` chains (shared false successor) likewise.
 *
 *   ld [26]; jeq a -> T | ld [30]; jeq a -> T | ld [26]; jeq c -> T | ...
 *     -> ld [26]; jeq a -> T | jeq c -> T | ld [30]; jeq a -> T | ...
 */
import { newBlock, predecessorCounts, type Block, type GraphNode } from '../graph.js';
import { liveIn, LIVE_A, LIVE_X, liveMem } from './liveness.js';
import { analyzeFlow, applyStatement, cloneState, edgeState, type FlowAnalysis, type FlowState, type OptimizerStrength } from './values.js';

function sameRegisters(before: FlowState, after: FlowState, live: number): boolean {
  if ((live & LIVE_A) && before.a !== after.a) return false;
  if ((live & LIVE_X) && before.x !== after.x) return false;
  for (let i = 0; i < before.mem.length; i++) if ((live & liveMem(i)) && before.mem[i] !== after.mem[i]) return false;
  return true;
}

/**
 * Tries every edge as the entry of an or-chain and an and-chain (given the graph's current flow analysis
 * and liveness, if the caller has them); returns true when something moved.
 */
export function pullUpTests(root: GraphNode, strength: OptimizerStrength = 'full', flow: FlowAnalysis = analyzeFlow(root, strength), live: Map<Block, number> = liveIn(root)): boolean {
  const predecessors = predecessorCounts(root, flow.blocks);
  const liveAt = (n: GraphNode): number => (n.kind === 'ret' ? 0 : live.get(n) ?? 0);
  for (const head of flow.blocks) {
    for (const branch of head.jt === head.jf ? [true] : [true, false]) {
      const entry = branch ? head.jt : head.jf;
      if (entry.kind !== 'block' || entry.jt === entry.jf) continue;
      const edge = head.jt === head.jf ? cloneState(flow.exit.get(head)!) : edgeState(flow.values, flow.exit.get(head)!, head, branch, strength);
      const value = edge.a;
      if (value === undefined) continue;
      for (const sense of [true, false]) {
        // sense true: an or-chain (shared true successor, continue on false); false: an and-chain.
        const shared = sense ? entry.jt : entry.jf;
        const next = (b: Block): GraphNode => (sense ? b.jf : b.jt);
        const chain: Block[] = [];
        let current: GraphNode = entry;
        let found: Block | undefined;
        while (current.kind === 'block' && chain.length < 32) {
          const block: Block = current;
          if ((sense ? block.jt : block.jf) !== shared || block.jt === block.jf) break;
          if (flow.exit.get(block)?.a === value) { found = block; break; }
          if (predecessors.get(block) !== 1) break;
          chain.push(block);
          current = next(block);
        }
        if (!found || chain.length === 0 || found.prelude) continue;
        const same = found;
        // At the new place (the edge into the chain) the moved test's statements must change nothing.
        const simulated = cloneState(edge);
        for (const insn of same.stmts) applyStatement(flow.values, simulated, insn, flow.fresh);
        if (!sameRegisters(edge, simulated, ~0) || simulated.a !== value) continue;
        if (same.src !== 0 && simulated.x !== flow.exit.get(same)!.x) continue;
        // At the old place, skipping it must leave what its successor reads unchanged.
        const rest = next(same);
        if (!sameRegisters(flow.entry.get(same)!, flow.exit.get(same)!, liveAt(rest))) continue;
        const last = chain[chain.length - 1]!;
        const moved = newBlock([], same.op, same.src, same.k, sense ? shared : chain[0]!, sense ? chain[0]! : shared);
        if (same.relation) moved.relation = true;
        if (sense) last.jf = rest; else last.jt = rest;
        if (head.jt === head.jf) { head.jt = moved; head.jf = moved; } else if (branch) head.jt = moved; else head.jf = moved;
        return true;
      }
    }
  }
  return false;
}
