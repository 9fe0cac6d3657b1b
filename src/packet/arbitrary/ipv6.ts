/** fast-check arbitraries for IPv6 headers. */
import fc from 'fast-check';
import type { SpecOf } from '../build/context.js';
import { arbitraryIpv6Address, biased, plainRecord, uint } from './pools.js';

/** An IPv6 header with biased addresses (lengths and next header left for the builder). */
export function arbitraryIpv6(): fc.Arbitrary<SpecOf<'ipv6'>> {
  return plainRecord({
    source: arbitraryIpv6Address(),
    destination: arbitraryIpv6Address(),
    trafficClass: biased([0], uint(8)),
    flowLabel: biased([0], uint(20)),
    hopLimit: biased([1, 64, 255], uint(8)),
  }).map((r) => ({ type: 'ipv6' as const, ...r }));
}
