/** fast-check arbitraries for Geneve headers and options. */
import fc from 'fast-check';
import type { SpecOf } from '../build/context.js';
import type { GeneveOption } from '../layers.js';
import { biased, plainRecord, uint } from './pools.js';

/** A Geneve option: a class, a type (critical when its high bit is set) and 0 to 8 bytes of data in 4-byte units. */
function arbitraryGeneveOption(): fc.Arbitrary<GeneveOption> {
  return plainRecord({
    optionClass: biased([0x0000, 0x0101, 0xffff], uint(16)),
    type: uint(8),
    data: fc.integer({ min: 0, max: 2 }).chain((n) => fc.uint8Array({ minLength: 4 * n, maxLength: 4 * n })),
  });
}

/** A Geneve header with 0 to 3 options (options length, critical flag and protocol type left for the builder). */
export function arbitraryGeneve(): fc.Arbitrary<SpecOf<'geneve'>> {
  return plainRecord({
    oam: fc.boolean(),
    vni: biased([1, 42, 0xffffff], uint(24)),
    options: fc.oneof({ arbitrary: fc.constant<GeneveOption[]>([]), weight: 2 }, { arbitrary: fc.array(arbitraryGeneveOption(), { minLength: 1, maxLength: 3 }), weight: 3 }),
  }).map((r) => ({ type: 'geneve' as const, version: 0, ...r }));
}
