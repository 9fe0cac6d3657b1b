/** fast-check arbitraries for TCP headers and options. */
import fc from 'fast-check';
import type { SpecOf } from '../build/context.js';
import type { TcpOption } from '../layers.js';
import { arbitraryPort, arbitraryTcpFlags, biased, plainRecord, uint } from './pools.js';

const nop: TcpOption = { kind: 1, data: new Uint8Array(0) };

/** One TCP option: MSS, window scale, SACK permitted, timestamps, SACK blocks or NOP. */
function arbitraryTcpOption(): fc.Arbitrary<TcpOption> {
  return fc.oneof(
    uint(16).map((mss): TcpOption => ({ kind: 2, data: Uint8Array.of(mss >> 8, mss & 0xff) })),
    fc.integer({ min: 0, max: 14 }).map((shift): TcpOption => ({ kind: 3, data: Uint8Array.of(shift) })),
    fc.constant<TcpOption>({ kind: 4, data: new Uint8Array(0) }),
    fc.uint8Array({ minLength: 8, maxLength: 8 }).map((data): TcpOption => ({ kind: 8, data })),
    fc.integer({ min: 1, max: 3 }).chain((n) => fc.uint8Array({ minLength: 8 * n, maxLength: 8 * n })).map((data): TcpOption => ({ kind: 5, data })),
    fc.constant(nop),
  );
}

function optionLength(option: TcpOption): number {
  return option.kind <= 1 ? 1 : 2 + option.data.length;
}

/** A TCP option list of at most 40 bytes, NOP-padded to a multiple of 4 (so the builder adds no EOL padding). */
export function arbitraryTcpOptions(): fc.Arbitrary<TcpOption[]> {
  return fc.oneof(
    { arbitrary: fc.constant<TcpOption[]>([]), weight: 3 },
    { arbitrary: fc.array(arbitraryTcpOption(), { minLength: 1, maxLength: 6 }), weight: 2 },
  ).map((list) => {
    const out: TcpOption[] = [];
    let length = 0;
    for (const option of list) {
      if (length + optionLength(option) > 40) break;
      out.push(option);
      length += optionLength(option);
    }
    while (length % 4 !== 0) { out.push(nop); length++; }
    return out;
  });
}

/** A TCP header with biased ports and flags, zero windows sometimes, and options (data offset and checksum left for the builder). */
export function arbitraryTcp(): fc.Arbitrary<SpecOf<'tcp'>> {
  return plainRecord({
    sourcePort: arbitraryPort(),
    destinationPort: arbitraryPort(),
    sequenceNumber: uint(32),
    acknowledgmentNumber: uint(32),
    flags: arbitraryTcpFlags(),
    window: biased([0, 1, 512, 65535], uint(16), 2),
    urgentPointer: biased([0], uint(16), 6),
    options: arbitraryTcpOptions(),
  }).map((r) => ({ type: 'tcp' as const, ...r }));
}
