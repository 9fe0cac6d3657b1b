/** fast-check arbitraries for Ethernet header. */
import fc from 'fast-check';
import type { SpecOf } from '../build/context.js';
import { arbitraryMacAddress, plainRecord } from './pools.js';

/** An Ethernet header; the EtherType is left for the builder to fill from the next layer. */
export function arbitraryEthernet(): fc.Arbitrary<SpecOf<'ethernet'>> {
  return plainRecord({ destination: arbitraryMacAddress(), source: arbitraryMacAddress() }).map((r) => ({ type: 'ethernet' as const, ...r }));
}
