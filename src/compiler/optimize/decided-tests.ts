/**
 * Decided tests and jump threading: a test whose outcome is known on every path into its block
 * becomes an unconditional jump, and an edge that enters a block whose statements add nothing new on
 * that edge (their loads already succeeded, what they compute is dead afterwards) and whose test is
 * decided on that edge is sent straight to the decided successor.
 *
 *   ldh [12]; jeq #0x800 (true) -> ... -> ldh [12]; jeq #0x86dd   -> skip to the false successor
 *   ld #0; jeq #0                                                   -> goto true successor
 */
import type { Block, GraphNode } from '../graph.js';
import { liveIn } from './liveness.js';
import { LIVE_A, LIVE_X, liveMem } from './liveness.js';
import { analyzeFlow, applyStatement, canFail, cloneState, decideTest, edgeState, type FlowAnalysis, type FlowState, type OptimizerStrength } from './values.js';

/** Makes every block whose test is decided on all paths unconditional (given the graph's current flow analysis, if the caller has it); returns true when something changed. */
export function resolveDecidedTests(root: GraphNode, strength: OptimizerStrength = 'full', flow: FlowAnalysis = analyzeFlow(root, strength)): boolean {
  let changed = false;
  for (const block of flow.blocks) {
    if (block.jt === block.jf) continue;
    const decided = decideTest(flow.values, flow.exit.get(block)!, block, strength);
    if (decided === undefined) continue;
    if (decided) block.jf = block.jt; else block.jt = block.jf;
    changed = true;
  }
  return changed;
}

/**
 * The farthest node an edge in state `edge` can skip to through `target`: walks blocks whose statements
 * add no new load and whose test is decided, and keeps the last node where every register the rest
 * of the program reads still holds what it holds on the edge; undefined when there is none.
 */
function threadTarget(flow: FlowAnalysis, edge: FlowState, target: Block, live: Map<Block, number>): GraphNode | undefined {
  const s = cloneState(edge);
  let current: GraphNode = target;
  let best: GraphNode | undefined;
  for (let steps = 0; current.kind === 'block' && steps < 64; steps++) {
    const block: Block = current;
    if (block.prelude) return best;
    for (const insn of block.stmts) {
      const loadedBefore = s.loaded;
      const failing = canFail(insn, flow.values.constantOf(s.x));
      applyStatement(flow.values, s, insn, flow.fresh);
      if (failing && (s.loaded !== loadedBefore || !isLoad(insn.code))) return best;
    }
    const decided = block.jt === block.jf ? true : decideTest(flow.values, s, block, flow.strength);
    if (decided === undefined) return best;
    const next: GraphNode = decided ? block.jt : block.jf;
    const needed = next.kind === 'ret' ? 0 : live.get(next) ?? 0;
    let same = !((needed & LIVE_A) && s.a !== edge.a) && !((needed & LIVE_X) && s.x !== edge.x);
    for (let i = 0; same && i < s.mem.length; i++) if ((needed & liveMem(i)) && s.mem[i] !== edge.mem[i]) same = false;
    if (same) best = next;
    if (block.jt !== block.jf) {
      const operandFact = edgeState(flow.values, s, block, decided, flow.strength);
      s.facts = operandFact.facts;
      s.equal = operandFact.equal;
    }
    current = next;
  }
  return best;
}

function isLoad(code: number): boolean {
  const cls = code & 0x07;
  return cls === 0x00 || cls === 0x01;
}

/**
 * Threads edges until none can be: each round analyzes the graph once and threads every edge it can,
 * skipping blocks downstream of an edge already redirected in the round (their states may be stale).
 * The first round may use the caller's flow analysis and liveness of the graph as it is (`current`); when
 * the rounds end because one threaded nothing, `current` is left holding that round's analyses, which
 * describe the graph as it is then. Returns true when something changed.
 */
export function threadJumps(root: GraphNode, strength: OptimizerStrength = 'full', limit = 1000, current?: { flow?: FlowAnalysis; live?: Map<Block, number> }): boolean {
  let changed = false;
  for (let round = 0; round < limit; round++) {
    const flow = round === 0 && current?.flow ? current.flow : analyzeFlow(root, strength);
    const live = round === 0 && current?.live ? current.live : liveIn(root, flow.blocks);
    if (current) { current.flow = undefined; current.live = undefined; }
    const dirty = new Set<GraphNode>();
    let threaded = false;
    for (const block of flow.blocks) {
      if (dirty.has(block)) {
        dirty.add(block.jt);
        dirty.add(block.jf);
        continue;
      }
      const exit = flow.exit.get(block)!;
      for (const branch of [true, false]) {
        const successor = branch ? block.jt : block.jf;
        if (successor.kind !== 'block') continue;
        if (block.jt === block.jf && !branch) continue;
        const edge = block.jt === block.jf ? exit : edgeState(flow.values, exit, block, branch, strength);
        const next = threadTarget(flow, edge, successor, live);
        if (next === undefined) continue;
        if (block.jt === block.jf) { block.jt = next; block.jf = next; } else if (branch) block.jt = next; else block.jf = next;
        dirty.add(next);
        threaded = true;
      }
    }
    if (!threaded) {
      if (current) { current.flow = flow; current.live = live; }
      break;
    }
    changed = true;
  }
  return changed;
}
