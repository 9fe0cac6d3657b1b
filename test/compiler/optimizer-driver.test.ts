/**
 * The optimizer driver hands one pass's flow analysis, liveness and block order to the next passes while
 * none changes the graph (and the block order while only statements change), and jump threading hands back
 * the analyses of its last round. That must change nothing: the driver gives exactly the graph of the plain
 * fixpoint loop below, in which every pass computes everything afresh, on every corpus expression, every
 * link type and random combinations of them, at both optimizer strengths.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LinkType } from '../../src/capture/linktype.js';
import { CompileError, compileFilterGraph, linearizeFilterGraph as linearize, type FilterGraphNode as GraphNode } from '../../src/compiler/index.js';
import { bypassEmptyBlocks, removeDeadStatements } from '../../src/compiler/optimize/dead-code.js';
import { resolveDecidedTests, threadJumps } from '../../src/compiler/optimize/decided-tests.js';
import { foldConstants } from '../../src/compiler/optimize/fold-constants.js';
import { optimizeGraph, type OptimizerStrength } from '../../src/compiler/optimize/index.js';
import { shareIndexedTails } from '../../src/compiler/optimize/indexed-tails.js';
import { mergeIdenticalBlocks } from '../../src/compiler/optimize/merge-blocks.js';
import { applyPeepholes } from '../../src/compiler/optimize/peephole.js';
import { pullUpTests } from '../../src/compiler/optimize/pullup.js';
import { removeRedundantStatements } from '../../src/compiler/optimize/redundant-loads.js';
import { linearizedLength } from '../../src/compiler/linearize.js';
import { loadCompilerCorpus } from './support/corpus.js';

/** The fixpoint loop with no analysis shared between passes: the definition of the optimizer's result. */
function plainOptimize(root: GraphNode, strength: OptimizerStrength): GraphNode {
  let current = root;
  for (let round = 0; round < 200; round++) {
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
  return strength === 'full' ? shareIndexedTails(current) : current;
}

/** Both drivers' programs for an expression (undefined when it does not compile on the link type). */
function both(expression: string, linkType: number, strength: OptimizerStrength): { driver: string; plain: string } | undefined {
  let unoptimized: () => GraphNode;
  try {
    compileFilterGraph(expression, { linkType, optimize: false });
    unoptimized = () => compileFilterGraph(expression, { linkType, optimize: false });
  } catch (error) {
    if (error instanceof CompileError) return undefined;
    throw error;
  }
  const text = (root: GraphNode): string => {
    const program = linearize(root);
    expect(linearizedLength(root)).toBe(program.length);
    return program.map((i) => `${i.code},${i.jt},${i.jf},${i.k}`).join(' ');
  };
  return { driver: text(optimizeGraph(unoptimized(), strength)), plain: text(plainOptimize(unoptimized(), strength)) };
}

const corpus = loadCompilerCorpus().map((e) => e.expression);

describe('optimizer driver', () => {
  it('gives the plain fixpoint loop\'s program for every corpus expression on Ethernet (both strengths)', () => {
    let compared = 0;
    for (const expression of corpus) {
      for (const strength of ['full', 'libpcap'] as const) {
        const result = both(expression, LinkType.EN10MB, strength);
        if (!result) continue;
        compared++;
        expect(result.driver, `${strength}: ${expression}`).toBe(result.plain);
      }
    }
    expect(compared).toBeGreaterThan(1500);
  });

  it('gives the plain fixpoint loop\'s program on the other link types', () => {
    for (const linkType of [LinkType.RAW, LinkType.IPV6, LinkType.LINUX_SLL2]) {
      for (const expression of corpus) {
        const result = both(expression, linkType, 'full');
        if (result) expect(result.driver, `${linkType}: ${expression}`).toBe(result.plain);
      }
    }
  });

  it('gives the plain fixpoint loop\'s program for combinations of corpus expressions', () => {
    const combination = fc.tuple(
      fc.array(fc.tuple(fc.constantFrom(...corpus), fc.boolean()), { minLength: 2, maxLength: 4 }),
      fc.array(fc.constantFrom('and', 'or'), { minLength: 3, maxLength: 3 }),
    ).map(([parts, joins]) => parts.map(([e, negate], i) => `${i > 0 ? `${joins[i - 1]} ` : ''}${negate ? 'not ' : ''}(${e})`).join(' '));
    fc.assert(fc.property(combination, (expression) => {
      const result = both(expression, LinkType.EN10MB, 'full');
      if (result) expect(result.driver).toBe(result.plain);
    }), { numRuns: 400, seed: 31337 });
  });
});
