/** fast-check arbitraries for VXLAN headers. */
import fc from 'fast-check';
import type { SpecOf } from '../build/context.js';
import { biased, uint } from './pools.js';

/** A VXLAN header with the I flag and a biased VNI. */
export function arbitraryVxlan(): fc.Arbitrary<SpecOf<'vxlan'>> {
  return biased([1, 42, 100, 0xffffff], uint(24)).map((vni) => ({ type: 'vxlan' as const, flags: 0x08, vni }));
}
