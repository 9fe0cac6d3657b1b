/**
 * IPv4 code generation (with ARP and RARP for `host` and `net`): addresses and networks, `ip proto`,
 * the fragment test, `ip broadcast` and `ip multicast`.
 */
import { CompileError } from './errors.js';
import { and, bitsSet, cmp, cmpGreaterOrEqual, maskedCmp, not, or, type Cond } from './cond.js';
import { EtherTypeValue, genLinkType } from './gen-link.js';
import type { RawInstruction } from '../bpf/opcodes.js';
import { BPF_ADD, BPF_ALU, BPF_AND, BPF_B, BPF_IND, BPF_K, BPF_LD, BPF_LDX, BPF_LSH, BPF_MEM, BPF_MISC, BPF_MSH, BPF_TAX, BPF_X } from '../bpf/opcodes.js';
import { stmt } from './cond.js';
import { decodeOffset, networkOffset, type CompileState } from './state.js';

/**
 * Statements leaving in X where the IPv4 payload starts relative to `k` (the IPv4 header length, through
 * BPF_MSH; plus the run-time base after `geneve`), so the transport header field at `n` is `ld [x + k + n]`.
 */
export function ipv4HeaderLengthIntoX(state: CompileState): { stmts: RawInstruction[]; k: number } {
  const { register, k } = decodeOffset(networkOffset(state));
  if (register === undefined) return { stmts: [stmt(BPF_LDX | BPF_MSH | BPF_B, k)], k };
  return {
    stmts: [
      stmt(BPF_LDX | BPF_MEM, register), stmt(BPF_LD | BPF_B | BPF_IND, k), stmt(BPF_ALU | BPF_AND | BPF_K, 0x0f),
      stmt(BPF_ALU | BPF_LSH | BPF_K, 2), stmt(BPF_ALU | BPF_ADD | BPF_X), stmt(BPF_MISC | BPF_TAX),
    ],
    k,
  };
}

/** Which address field a direction qualifier selects. */
export type Direction = 'src' | 'dst' | 'src or dst' | 'src and dst' | undefined;

/** Applies a direction to a pair of source/destination tests, as libpcap's gen_hostop does. */
export function byDirection(dir: Direction, source: () => Cond, destination: () => Cond): Cond {
  switch (dir) {
    case 'src': return source();
    case 'dst': return destination();
    case 'src and dst': return and(source(), destination());
    default: return or(source(), destination());
  }
}

function hostOp(state: CompileState, address: number, mask: number, dir: Direction, etherType: number, sourceOffset: number, destinationOffset: number): Cond {
  const nl = networkOffset(state);
  const one = (offset: number): Cond => and(genLinkType(state, etherType), maskedCmp(nl + offset, 4, address, mask));
  return byDirection(dir, () => one(sourceOffset), () => one(destinationOffset));
}

/** Protocols that may qualify an IPv4 `host` or `net`. */
export type Ipv4HostProto = 'ip' | 'arp' | 'rarp' | undefined;

/** `[ip|arp|rarp] [dir] host|net ADDRESS[/MASK]` for an IPv4 address; `kind` is `host` or `net` for messages. */
export function genIpv4Host(state: CompileState, address: number, mask: number, proto: string | undefined, dir: Direction, kind: string): Cond {
  switch (proto) {
    case undefined: {
      const ip = hostOp(state, address, mask, dir, EtherTypeValue.IP, 12, 16);
      if (state.labelDepth > 0) return ip;
      return or(ip, or(hostOp(state, address, mask, dir, EtherTypeValue.ARP, 14, 24), hostOp(state, address, mask, dir, EtherTypeValue.RARP, 14, 24)));
    }
    case 'ip': return hostOp(state, address, mask, dir, EtherTypeValue.IP, 12, 16);
    case 'arp': return hostOp(state, address, mask, dir, EtherTypeValue.ARP, 14, 24);
    case 'rarp': return hostOp(state, address, mask, dir, EtherTypeValue.RARP, 14, 24);
    case 'ether': case 'link': throw new CompileError(`link-layer modifier applied to ${kind}`);
    default: throw new CompileError(`'${proto}' modifier applied to ${kind}`);
  }
}

/** `ip proto N`. */
export function genIpProto(state: CompileState, protocol: number): Cond {
  return and(genLinkType(state, EtherTypeValue.IP), cmp(networkOffset(state) + 9, 1, protocol));
}

/** True for IPv4 packets that are not a non-first fragment (fragment offset zero). */
export function genNotFragment(state: CompileState): Cond {
  return not(bitsSet(networkOffset(state) + 6, 2, 0x1fff));
}

/** `ip broadcast` with netmask 0 (as tcpdump -r uses): destination all zeros or all ones. */
export function genIpBroadcast(state: CompileState): Cond {
  const destination = networkOffset(state) + 16;
  return and(genLinkType(state, EtherTypeValue.IP), or(cmp(destination, 4, 0), cmp(destination, 4, 0xffffffff)));
}

/** `ip multicast`: destination in 224.0.0.0/4 and above (first octet >= 224). */
export function genIpMulticast(state: CompileState): Cond {
  return and(genLinkType(state, EtherTypeValue.IP), cmpGreaterOrEqual(networkOffset(state) + 16, 1, 224));
}
