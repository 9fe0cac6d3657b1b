/** IPv6 code generation: addresses and networks, `ip6 proto` (also behind a fragment header) and `ip6 multicast`. */
import { CompileError } from './errors.js';
import { and, andAll, cmp, maskedCmp, or, type Cond } from './cond.js';
import { EtherTypeValue, genLinkType } from './gen-link.js';
import { byDirection, type Direction } from './gen-ip.js';
import { networkOffset, type CompileState } from './state.js';

/** Splits 16 address bytes into four big-endian words. */
export function ipv6Words(bytes: readonly number[]): number[] {
  return [0, 1, 2, 3].map((w) => ((bytes[w * 4]! << 24) | (bytes[w * 4 + 1]! << 16) | (bytes[w * 4 + 2]! << 8) | bytes[w * 4 + 3]!) >>> 0);
}

/** The four mask words of a prefix length. */
export function ipv6MaskWords(prefixLength: number): number[] {
  return [0, 1, 2, 3].map((w) => {
    const bits = Math.max(0, Math.min(32, prefixLength - w * 32));
    return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  });
}

/** `[ip6] [dir] host|net ADDRESS[/LEN]` for an IPv6 address. */
export function genIpv6Host(state: CompileState, words: readonly number[], mask: readonly number[], proto: string | undefined, dir: Direction, kind: string): Cond {
  if (proto !== undefined && proto !== 'ip6') {
    if (proto === 'ether' || proto === 'link') throw new CompileError(`link-layer modifier applied to ip6 ${kind}`);
    throw new CompileError(`'${proto}' modifier applied to ip6 ${kind}`);
  }
  const nl = networkOffset(state);
  const one = (offset: number): Cond => and(genLinkType(state, EtherTypeValue.IPV6),
    andAll(...words.map((word, i) => maskedCmp(nl + offset + 4 * i, 4, word & mask[i]!, mask[i]!))));
  return byDirection(dir, () => one(8), () => one(24));
}

/** `ip6 proto N`: the next header, or the next header after a fragment header. */
export function genIp6Proto(state: CompileState, protocol: number): Cond {
  const nl = networkOffset(state);
  return and(genLinkType(state, EtherTypeValue.IPV6), or(cmp(nl + 6, 1, protocol), and(cmp(nl + 6, 1, 44), cmp(nl + 40, 1, protocol))));
}

/** `ip6 multicast`: destination starting with 0xff. */
export function genIp6Multicast(state: CompileState): Cond {
  return and(genLinkType(state, EtherTypeValue.IPV6), cmp(networkOffset(state) + 24, 1, 0xff));
}
