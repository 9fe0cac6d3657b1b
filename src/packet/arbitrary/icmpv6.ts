/** fast-check arbitraries for ICMPv6 headers. */
import fc from 'fast-check';
import type { SpecOf } from '../build/context.js';
import { biased, uint } from './pools.js';
import type { IcmpKind } from './icmp.js';

/** ICMPv6 (type, code) pairs filters test: echo request/reply, neighbour solicitation/advertisement, unreachable, packet too big, time exceeded. */
const ICMPV6_TYPE_CODE_POOL: readonly (readonly [number, number])[] = [[128, 0], [129, 0], [135, 0], [136, 0], [1, 4], [2, 0], [3, 0]];

/** An ICMPv6 header: informational (echo, neighbour discovery; `echo`) or an error that quotes an IPv6 packet (`error`, packet too big with an MTU). */
export function arbitraryIcmpv6(kind: IcmpKind = 'any'): fc.Arbitrary<SpecOf<'icmpv6'>> {
  const pool = ICMPV6_TYPE_CODE_POOL.filter(([t]) => kind === 'any' || (kind === 'echo' ? t >= 128 : t < 128));
  const pair = kind === 'any' ? biased<readonly [number, number]>(pool, fc.tuple(uint(8), uint(8))) : fc.constantFrom(...pool);
  return fc.tuple(pair, uint(32), biased([1280, 1400, 1480, 1500], uint(32))).map(([[icmpv6Type, code], rest, mtu]) => ({
    type: 'icmpv6' as const, icmpv6Type, code, restOfHeader: icmpv6Type === 2 ? mtu : icmpv6Type < 128 ? 0 : rest,
  }));
}
