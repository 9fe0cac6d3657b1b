/**
 * How much of the compiler's corpus the direct engine compiles (the rest falls back to BPF): the share
 * may only grow, and every expression left out is left out for a named reason.
 */
import { describe, expect, it } from 'vitest';
import { LinkType } from '../../src/capture/linktype.js';
import { directCoverage } from './support/cases.js';

/** The share reached on Ethernet (802 of the 824 expressions the compiler accepts; the 22 others use protochain). */
const MINIMUM_SHARE = 0.97;

describe('direct engine coverage of the compiler corpus', () => {
  it(`compiles at least ${MINIMUM_SHARE * 100}% of the expressions the compiler accepts on EN10MB, refusing only protochain`, () => {
    // The direct engine refuses exactly what the compiler refuses (checked in equivalence.test.ts), so the
    // expressions the compiler accepts are those not refused here.
    const cases = directCoverage(LinkType.EN10MB);
    const accepted = cases.filter((c) => c.outcome !== 'refused');
    const covered = accepted.filter((c) => c.outcome === 'direct');
    const unsupported = cases.filter((c) => c.outcome === 'unsupported');
    process.stderr.write(`direct coverage EN10MB: ${covered.length} of ${accepted.length} (${((covered.length / accepted.length) * 100).toFixed(1)}%)\n`);
    expect(covered.length / accepted.length).toBeGreaterThanOrEqual(MINIMUM_SHARE);
    expect(unsupported.map((c) => c.expression).filter((e) => !/protochain/.test(e))).toEqual([]);
    expect(unsupported.every((c) => /protochain/.test(c.message ?? ''))).toBe(true);
  });
});
