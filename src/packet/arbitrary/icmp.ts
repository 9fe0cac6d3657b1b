/** fast-check arbitraries for ICMP headers. */
import fc from 'fast-check';
import type { SpecOf } from '../build/context.js';
import { ICMP_TYPE_CODE_POOL, biased, uint } from './pools.js';

/** Which ICMP messages to draw: echo request/reply, errors (which quote an IP header), or anything. */
export type IcmpKind = 'echo' | 'error' | 'any';

/** An ICMP header: echo request/reply with identifier and sequence, unreachable (code 4 with an MTU), time exceeded, redirect. */
export function arbitraryIcmp(kind: IcmpKind = 'any'): fc.Arbitrary<SpecOf<'icmp'>> {
  const pool = ICMP_TYPE_CODE_POOL.filter(([t]) => kind === 'any' || (kind === 'echo' ? t === 0 || t === 8 : t !== 0 && t !== 8));
  // Fragmentation needed (3/4) is the error filters ask about most: half of the errors are one.
  const pair = kind === 'any' ? biased(pool, fc.tuple(uint(8), uint(8))) : kind === 'error' ? biased<readonly [number, number]>([[3, 4]], fc.constantFrom(...pool), 1) : fc.constantFrom(...pool);
  return fc.tuple(pair, uint(32), biased([576, 1400, 1476, 1500], uint(16))).map(([[icmpType, code], rest, mtu]) => ({
    type: 'icmp' as const, icmpType, code,
    restOfHeader: icmpType === 3 && code === 4 ? mtu : icmpType === 3 || icmpType === 11 ? 0 : rest,
  }));
}
