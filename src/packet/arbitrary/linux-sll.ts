/** fast-check arbitraries for Linux cooked capture v1 headers. */
import fc from 'fast-check';
import type { SpecOf } from '../build/context.js';
import { arbitraryMacAddress, plainRecord } from './pools.js';

/** A Linux cooked v1 header (protocol left for the builder). */
export function arbitraryLinuxSll(): fc.Arbitrary<SpecOf<'linuxSll'>> {
  return plainRecord({ packetType: fc.constantFrom(0, 1, 2, 3, 4), address: arbitraryMacAddress() }).map((r) => ({ type: 'linuxSll' as const, arphrdType: 1, ...r }));
}
