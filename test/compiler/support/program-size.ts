/**
 * Program length against libpcap's optimizer (pcap_compile with optimize=1, what `tcpdump -d` prints) over
 * a list of expressions on one link type; used by test/compiler/program-size.test.ts and corpus/program-size.ts.
 */
import { LinkType } from '../../../src/capture/linktype.js';
import { CompileError, compileFilter } from '../../../src/compiler/index.js';
import { libpcapCompile } from '../../support/libpcap.js';

/** The totals of one link type: programs both compile, their instruction counts, and where ours is shorter or longer. */
export interface ProgramSizeTotals {
  programs: number;
  ours: number;
  libpcap: number;
  shorter: number;
  longer: { expression: string; ours: number; libpcap: number }[];
}

/** Compiles every expression with libpcap and with us on `linkType` and compares the optimized lengths (refusals are left out). */
export function compareProgramSizes(linkType: number, expressions: readonly string[]): ProgramSizeTotals {
  const theirs = libpcapCompile(expressions, { linkType: linkType === LinkType.RAW ? 12 : linkType, optimize: true });
  const totals: ProgramSizeTotals = { programs: 0, ours: 0, libpcap: 0, shorter: 0, longer: [] };
  expressions.forEach((expression, i) => {
    const their = theirs[i]!;
    if (!their.ok) return;
    let length: number;
    try {
      length = compileFilter(expression, { linkType }).length;
    } catch (error) {
      if (error instanceof CompileError) return; // refusal parity is the differential harness's job
      throw error;
    }
    totals.programs++;
    totals.ours += length;
    totals.libpcap += their.program.length;
    if (length < their.program.length) totals.shorter++;
    if (length > their.program.length) totals.longer.push({ expression, ours: length, libpcap: their.program.length });
  });
  return totals;
}
