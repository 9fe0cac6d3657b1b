/**
 * The optimizer driver: runs the passes (constant folding, redundant statements, decided tests, jump
 * threading, dead code, empty blocks, identical blocks, peepholes) until none changes the graph, then
 * shares indexed tails.
 */
import type { GraphNode } from '../graph.js';
import { bypassEmptyBlocks, removeDeadStatements } from './dead-code.js';
import { resolveDecidedTests, threadJumps } from './decided-tests.js';
import { foldConstants } from './fold-constants.js';
import { shareIndexedTails } from './indexed-tails.js';
import { mergeIdenticalBlocks } from './merge-blocks.js';
import { applyPeepholes } from './peephole.js';
import { pullUpTests } from './pullup.js';
import { removeRedundantStatements } from './redundant-loads.js';
import type { OptimizerStrength } from './values.js';

export type { OptimizerStrength };

/** Options of optimizeGraph: whether to share indexed tails at the end (default true) and the round limit. */
export interface OptimizeGraphOptions { shareTails?: boolean; maxRounds?: number }

/** Optimizes the graph rooted at `root` in place and returns the new root. */
export function optimizeGraph(root: GraphNode, strength: OptimizerStrength = 'full', options: OptimizeGraphOptions = {}): GraphNode {
  const maxRounds = options.maxRounds ?? 200;
  let current = root;
  for (let round = 0; round < maxRounds; round++) {
    let changed = false;
    changed = foldConstants(current, strength) || changed;
    changed = removeRedundantStatements(current, strength) || changed;
    changed = resolveDecidedTests(current, strength) || changed;
    changed = threadJumps(current, strength) || changed;
    changed = removeDeadStatements(current) || changed;
    let step = bypassEmptyBlocks(current);
    current = step.root; changed = step.changed || changed;
    step = mergeIdenticalBlocks(current);
    current = step.root; changed = step.changed || changed;
    changed = applyPeepholes(current) || changed;
    if (!changed) changed = pullUpTests(current, strength);
    if (!changed) break;
  }
  // Last, as constant folding would undo it: absolute-offset twins of indexed regions share them.
  return strength === 'full' && options.shareTails !== false ? shareIndexedTails(current) : current;
}
