/** fast-check arbitraries for UDP headers. */
import fc from 'fast-check';
import type { SpecOf } from '../build/context.js';
import { arbitraryPort, biased, plainRecord } from './pools.js';

/** A UDP header with biased ports (length and checksum left for the builder). */
export function arbitraryUdp(): fc.Arbitrary<SpecOf<'udp'>> {
  return plainRecord({ sourcePort: arbitraryPort(), destinationPort: arbitraryPort() }).map((r) => ({ type: 'udp' as const, ...r }));
}
