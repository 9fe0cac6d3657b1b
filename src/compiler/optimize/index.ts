/**
 * The optimizer driver: runs the passes (constant folding, redundant statements, decided tests, jump
 * threading, dead code, empty blocks, identical blocks, peepholes) until none changes the graph, then
 * shares indexed tails. A pass that changes nothing leaves the graph as it was, so the flow analysis,
 * liveness and block order it used are handed on to the next passes until one changes the graph (the
 * block order survives passes that change statements only).
 */
import { reachableBlocks, type Block, type GraphNode } from '../graph.js';
import { bypassEmptyBlocks, removeDeadStatements } from './dead-code.js';
import { resolveDecidedTests, threadJumps } from './decided-tests.js';
import { foldConstants } from './fold-constants.js';
import { shareIndexedTails } from './indexed-tails.js';
import { liveIn } from './liveness.js';
import { mergeIdenticalBlocks } from './merge-blocks.js';
import { applyPeepholes } from './peephole.js';
import { pullUpTests } from './pullup.js';
import { removeRedundantStatements } from './redundant-loads.js';
import { analyzeFlow, ValueTable, type FlowAnalysis, type OptimizerStrength } from './values.js';

export type { OptimizerStrength };

/** Options of optimizeGraph: whether to share indexed tails at the end (default true) and the round limit. */
export interface OptimizeGraphOptions { shareTails?: boolean; maxRounds?: number }

/** Optimizes the graph rooted at `root` in place and returns the new root. */
export function optimizeGraph(root: GraphNode, strength: OptimizerStrength = 'full', options: OptimizeGraphOptions = {}): GraphNode {
  const maxRounds = options.maxRounds ?? 200;
  let current = root;
  // What is known of `current` as it is now: dropped whenever a pass changes the graph (the block
  // order only when a pass changes edges).
  let flow: FlowAnalysis | undefined;
  let live: Map<Block, number> | undefined;
  let blocks: readonly Block[] | undefined;
  const order = (): readonly Block[] => (blocks ??= reachableBlocks(current));
  const analysis = (): FlowAnalysis => (flow ??= analyzeFlow(current, strength, new ValueTable(), order()));
  const liveness = (): Map<Block, number> => (live ??= liveIn(current, order()));
  for (let round = 0; round < maxRounds; round++) {
    let changed = false;
    const note = (passChanged: boolean, edges: boolean): void => {
      if (!passChanged) return;
      changed = true;
      flow = undefined;
      live = undefined;
      if (edges) blocks = undefined;
    };
    note(foldConstants(current, strength, analysis()), false);
    note(removeRedundantStatements(current, strength, analysis()), false);
    note(resolveDecidedTests(current, strength, analysis()), true);
    // Jump threading hands back the analyses of its last round, which threaded nothing.
    const threading = { flow: analysis(), live: liveness() };
    note(threadJumps(current, strength, undefined, threading), true);
    flow = threading.flow;
    live = threading.live;
    blocks = flow?.blocks;
    note(removeDeadStatements(current, liveness(), order()), false);
    let step = bypassEmptyBlocks(current, order());
    current = step.root; note(step.changed, true);
    step = mergeIdenticalBlocks(current, order());
    current = step.root; note(step.changed, true);
    note(applyPeepholes(current, liveness(), order()), true);
    if (!changed) note(pullUpTests(current, strength, analysis(), liveness()), true);
    if (!changed) break;
  }
  // Last, as constant folding would undo it: absolute-offset twins of indexed regions share them.
  return strength === 'full' && options.shareTails !== false ? shareIndexedTails(current) : current;
}
