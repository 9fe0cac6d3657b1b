/** fast-check arbitraries for GRE headers (every C/K/S combination). */
import fc from 'fast-check';
import type { SpecOf } from '../build/context.js';
import { biased, plainRecord, uint } from './pools.js';

/** A GRE header with each of C, K and S drawn independently (protocol type and checksum left for the builder). */
export function arbitraryGre(): fc.Arbitrary<SpecOf<'gre'>> {
  return plainRecord({
    checksumPresent: fc.boolean(),
    keyPresent: fc.boolean(),
    sequencePresent: fc.boolean(),
    key: biased([0, 1, 42, 0xffffffff], uint(32)),
    sequenceNumber: uint(32),
  }).map(({ checksumPresent, keyPresent, sequencePresent, key, sequenceNumber }) => {
    const spec: SpecOf<'gre'> = { type: 'gre', checksumPresent, keyPresent, sequencePresent, version: 0 };
    if (keyPresent) spec.key = key;
    if (sequencePresent) spec.sequenceNumber = sequenceNumber;
    return spec;
  });
}
