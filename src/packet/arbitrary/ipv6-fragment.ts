/** fast-check arbitraries for IPv6 fragment headers. */
import fc from 'fast-check';
import type { SpecOf } from '../build/context.js';
import { biased, plainRecord, uint } from './pools.js';

/** An IPv6 fragment header: atomic, first, middle or last fragment. */
export function arbitraryIpv6Fragment(): fc.Arbitrary<SpecOf<'ipv6Fragment'>> {
  return plainRecord({
    fragOffset: biased([0, 0, 1, 185], uint(13)),
    moreFragments: fc.boolean(),
    identification: uint(32),
  }).map((r) => ({ type: 'ipv6Fragment' as const, ...r }));
}
