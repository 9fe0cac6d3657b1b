/** fast-check arbitraries for BSD loopback (NULL and LOOP) headers. */
import fc from 'fast-check';
import type { SpecOf } from '../build/context.js';

/** A NULL (BSD loopback, host byte order) header; the family is left for the builder unless `inet6` picks one of the three AF_INET6 values. */
export function arbitraryNull(inet6?: boolean): fc.Arbitrary<SpecOf<'null'>> {
  if (inet6) return fc.constantFrom(24, 28, 30).map((family) => ({ type: 'null' as const, family }));
  return fc.constant({ type: 'null' as const });
}

/** A LOOP (BSD loopback, network byte order) header; the family as for arbitraryNull. */
export function arbitraryLoop(inet6?: boolean): fc.Arbitrary<SpecOf<'loop'>> {
  if (inet6) return fc.constantFrom(24, 28, 30).map((family) => ({ type: 'loop' as const, family }));
  return fc.constant({ type: 'loop' as const });
}
