/** fast-check arbitraries for IPv4 headers (options, fragments). */
import fc from 'fast-check';
import type { SpecOf } from '../build/context.js';
import { arbitraryIpv4Address, biased, plainRecord, uint } from './pools.js';

/** Fragment settings of an IPv4 header: unfragmented (with or without DF), first fragment, middle or last fragment. */
export interface Ipv4Fragmentation { dontFragment: boolean; moreFragments: boolean; fragOffset: number }

/** IPv4 fragment settings biased toward the cases filters test: DF, MF at offset 0, non-first fragments. */
export function arbitraryIpv4Fragmentation(): fc.Arbitrary<Ipv4Fragmentation> {
  return fc.oneof(
    { arbitrary: fc.constant({ dontFragment: false, moreFragments: false, fragOffset: 0 }), weight: 4 },
    { arbitrary: fc.constant({ dontFragment: true, moreFragments: false, fragOffset: 0 }), weight: 4 },
    { arbitrary: fc.constant({ dontFragment: false, moreFragments: true, fragOffset: 0 }), weight: 2 },
    { arbitrary: plainRecord({ dontFragment: fc.constant(false), moreFragments: fc.boolean(), fragOffset: biased([1, 185, 0x1fff], fc.integer({ min: 1, max: 0x1fff })) }), weight: 2 },
  );
}

/** IPv4 option byte strings, each padded to a multiple of 4: router alert, NOP-padded record route, timestamp, NOPs. */
export function arbitraryIpv4Options(): fc.Arbitrary<Uint8Array> {
  const recordRoute = fc.integer({ min: 1, max: 4 }).map((n) => {
    const length = 3 + 4 * n;
    const out = new Uint8Array(Math.ceil(length / 4) * 4);
    out.set([7, length, 4]);
    return out;
  });
  return fc.oneof(
    { arbitrary: fc.constant(new Uint8Array(0)), weight: 6 },
    { arbitrary: fc.constant(Uint8Array.of(0x94, 0x04, 0x00, 0x00)), weight: 1 },
    { arbitrary: fc.constant(Uint8Array.of(1, 1, 1, 0)), weight: 1 },
    { arbitrary: recordRoute, weight: 1 },
    { arbitrary: fc.constant(Uint8Array.of(0x44, 0x0c, 0x05, 0x00, 0, 0, 0, 0, 0, 0, 0, 0)), weight: 1 },
  );
}

/** An IPv4 header with biased addresses, TTL, fragments and options (lengths, protocol and checksum left for the builder). */
export function arbitraryIpv4(options: { fragments?: boolean } = {}): fc.Arbitrary<SpecOf<'ipv4'>> {
  const fragmentation = options.fragments === false ? fc.constant({ dontFragment: false, moreFragments: false, fragOffset: 0 }) : arbitraryIpv4Fragmentation();
  return plainRecord({
    source: arbitraryIpv4Address(),
    destination: arbitraryIpv4Address(),
    ttl: biased([1, 64, 128, 255], uint(8)),
    identification: uint(16),
    dscp: biased([0, 46], uint(6)),
    ecn: uint(2),
    options: arbitraryIpv4Options(),
    fragmentation,
  }).map(({ fragmentation: f, ...r }) => ({ type: 'ipv4' as const, ...r, ...f }));
}
