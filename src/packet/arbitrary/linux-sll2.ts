/** fast-check arbitraries for Linux cooked capture v2 headers. */
import fc from 'fast-check';
import type { SpecOf } from '../build/context.js';
import { arbitraryMacAddress, biased, plainRecord, uint } from './pools.js';

/** A Linux cooked v2 header (protocol left for the builder). */
export function arbitraryLinuxSll2(): fc.Arbitrary<SpecOf<'linuxSll2'>> {
  return plainRecord({ packetType: fc.constantFrom(0, 1, 2, 3, 4), address: arbitraryMacAddress(), interfaceIndex: biased([1, 2, 3], uint(32)) })
    .map((r) => ({ type: 'linuxSll2' as const, arphrdType: 1, ...r }));
}
