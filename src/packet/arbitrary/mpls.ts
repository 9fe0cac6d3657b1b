/** fast-check arbitraries for MPLS label stack entries. */
import fc from 'fast-check';
import type { SpecOf } from '../build/context.js';
import { biased, plainRecord, uint } from './pools.js';

/**
 * One MPLS label stack entry carrying IP (bottom-of-stack left for the builder). Labels 13 (GAL) and
 * 14 (OAM alert) are left out: below them comes an associated channel, not IP (RFC 5586, RFC 3429).
 */
export function arbitraryMpls(): fc.Arbitrary<SpecOf<'mpls'>> {
  return plainRecord({ label: biased([0, 2, 3, 16, 100, 1000, 0xfffff], uint(20).filter((l) => l !== 13 && l !== 14)), trafficClass: uint(3), ttl: biased([1, 64, 255], uint(8)) })
    .map((r) => ({ type: 'mpls' as const, ...r }));
}
