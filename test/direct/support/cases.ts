/**
 * Shared material of the direct engine's tests: the corpus expressions the engine compiles per link type
 * (with the -O0 BPF program they must agree with), and packets with extra cut points.
 */
import { LinkType } from '../../../src/capture/linktype.js';
import { CompileError, compileFilter } from '../../../src/compiler/index.js';
import type { RawInstruction } from '../../../src/bpf/opcodes.js';
import { DirectUnsupportedError, compileDirectFilter, prepareDirectFilter } from '../../../src/direct/index.js';
import type { DirectFilter, DirectFilterOptions } from '../../../src/direct/index.js';
import { loadCompilerCorpus } from '../../compiler/support/corpus.js';

/** The eight link types of the project. */
export const DIRECT_LINK_TYPES = [LinkType.EN10MB, LinkType.RAW, LinkType.IPV4, LinkType.IPV6, LinkType.NULL, LinkType.LOOP, LinkType.LINUX_SLL, LinkType.LINUX_SLL2];

/** One corpus expression on one link type, as both engines see it. */
export interface DirectCase {
  expression: string;
  /** The unoptimized BPF program (undefined when compileFilter refuses the expression). */
  program?: RawInstruction[];
  /** The direct filter (undefined when refused or unsupported). */
  direct?: DirectFilter;
  /** Why the direct engine refused: the CompileError message, or the DirectUnsupportedError's. */
  refusal?: { kind: 'compile' | 'unsupported'; message: string };
}

/** Every unique corpus expression compiled both ways on `linkType` (`options` go to the direct engine). */
export function directCases(linkType: number, options: DirectFilterOptions = {}): DirectCase[] {
  const expressions = [...new Set(loadCompilerCorpus().map((e) => e.expression))];
  return expressions.map((expression): DirectCase => {
    let program: RawInstruction[] | undefined;
    try { program = compileFilter(expression, { linkType, optimize: false }); } catch (error) { if (!(error instanceof CompileError)) throw error; }
    try {
      return { expression, program, direct: compileDirectFilter(expression, { ...options, linkType }) };
    } catch (error) {
      if (error instanceof CompileError) return { expression, program, refusal: { kind: 'compile', message: error.message } };
      if (error instanceof DirectUnsupportedError) return { expression, program, refusal: { kind: 'unsupported', message: error.message } };
      throw error;
    }
  });
}

/** Which corpus expressions the direct engine takes on `linkType` (lowered and optimized, not compiled to JavaScript). */
export function directCoverage(linkType: number): { expression: string; outcome: 'direct' | 'unsupported' | 'refused'; message?: string }[] {
  const expressions = [...new Set(loadCompilerCorpus().map((e) => e.expression))];
  return expressions.map((expression) => {
    try {
      prepareDirectFilter(expression, { linkType });
      return { expression, outcome: 'direct' as const };
    } catch (error) {
      if (error instanceof CompileError) return { expression, outcome: 'refused' as const, message: error.message };
      if (error instanceof DirectUnsupportedError) return { expression, outcome: 'unsupported' as const, message: error.message };
      throw error;
    }
  });
}

/** Captured lengths to try on a packet: all of it, and cuts at the bytes filters read most (plus a seeded sample). */
export function cutPoints(length: number, seed: number): number[] {
  const cuts = new Set<number>([length, 0, 14, 20, 34, 38, 54, 58]);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < 3; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    cuts.add(state % (length + 1));
  }
  return [...cuts].filter((c) => c <= length).sort((a, b) => a - b);
}
