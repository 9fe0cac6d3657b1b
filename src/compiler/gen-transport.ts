/**
 * Transport and protocol-selection code generation: protocol abbreviations (`tcp`, `icmp`, `iso`…),
 * `[ether|ip|ip6|iso] proto N`, and `[tcp|udp|sctp] [dir] port|portrange` for IPv4 (fragment-guarded,
 * variable header length through BPF_MSH) and IPv6.
 */
import { BPF_H, BPF_IND, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_LD } from '../bpf/opcodes.js';
import { CompileError } from './errors.js';
import { and, cmp, loadStmts, not, or, orAll, stmt, test, type Cond } from './cond.js';
import { EtherTypeValue, LlcSap, genLinkType } from './gen-link.js';
import { byDirection, genIpProto, genNotFragment, ipv4HeaderLengthIntoX, type Direction } from './gen-ip.js';
import { genIp6Proto } from './gen-ip6.js';
import { networkOffset, type CompileState } from './state.js';

/** IP protocol numbers of pcap-filter(7)'s protocol keywords. */
export const IpProtocolNumber = { icmp: 1, igmp: 2, tcp: 6, igrp: 9, udp: 17, esp: 50, ah: 51, icmp6: 58, pim: 103, vrrp: 112, carp: 112, sctp: 132 } as const;

/** ISO network-layer protocol identifiers. */
const IsoNlpid = { clnp: 0x81, esis: 0x82, isis: 0x83 } as const;

/** Either IPv4 or IPv6 carrying `protocol` (gen_proto with no qualifier): IPv4 first. */
function genAnyIpProto(state: CompileState, protocol: number): Cond {
  return or(genIpProto(state, protocol), genIp6Proto(state, protocol));
}

/** ISO (802.2 SAP 0xfe) carrying the network-layer protocol `nlpid`. */
function genIsoProto(state: CompileState, nlpid: number): Cond {
  return and(genLinkType(state, LlcSap.ISONS), cmp(state.offLinkPayload + state.offNlNoSnap, 1, nlpid));
}

/** The test for a protocol keyword on its own (libpcap's gen_proto_abbrev). */
export function genProtoAbbreviation(state: CompileState, proto: string): Cond {
  switch (proto) {
    case 'tcp': case 'udp': case 'sctp': case 'pim': case 'ah': case 'esp':
      return genAnyIpProto(state, IpProtocolNumber[proto]);
    case 'icmp': case 'igmp': case 'igrp': case 'vrrp': case 'carp':
      return genIpProto(state, IpProtocolNumber[proto]);
    case 'icmp6': return genIp6Proto(state, IpProtocolNumber.icmp6);
    case 'ip': return genLinkType(state, EtherTypeValue.IP);
    case 'ip6': return genLinkType(state, EtherTypeValue.IPV6);
    case 'arp': return genLinkType(state, EtherTypeValue.ARP);
    case 'rarp': return genLinkType(state, EtherTypeValue.RARP);
    case 'atalk': return genLinkType(state, EtherTypeValue.ATALK);
    case 'aarp': return genLinkType(state, EtherTypeValue.AARP);
    case 'decnet': return genLinkType(state, EtherTypeValue.DECNET);
    case 'lat': return genLinkType(state, EtherTypeValue.LAT);
    case 'sca': return genLinkType(state, EtherTypeValue.SCA);
    case 'moprc': return genLinkType(state, EtherTypeValue.MOPRC);
    case 'mopdl': return genLinkType(state, EtherTypeValue.MOPDL);
    case 'iso': return genLinkType(state, LlcSap.ISONS);
    case 'esis': case 'isis': case 'clnp': return genIsoProto(state, IsoNlpid[proto]);
    case 'stp': return genLinkType(state, LlcSap.STP);
    case 'ipx': return genLinkType(state, LlcSap.IPX);
    case 'netbeui': return genLinkType(state, LlcSap.NETBEUI);
    case 'ether': case 'link': throw new CompileError('link layer applied in wrong context');
    default: throw new CompileError(`'${proto}' is not supported by this compiler yet`);
  }
}

/** `[ether|ip|ip6|iso…] proto N` (libpcap's gen_proto). */
export function genProto(state: CompileState, value: number, proto: string | undefined): Cond {
  switch (proto) {
    case undefined: return genAnyIpProto(state, value);
    case 'ether': case 'link': return genLinkType(state, value);
    case 'ip': return genIpProto(state, value);
    case 'ip6': return genIp6Proto(state, value);
    case 'iso': return genIsoProto(state, value);
    case 'arp': case 'rarp': case 'sctp': case 'tcp': case 'udp': case 'icmp': case 'igmp': case 'igrp': case 'pim': case 'vrrp':
    case 'carp': case 'atalk': case 'aarp': case 'decnet': case 'lat': case 'sca': case 'moprc': case 'mopdl': case 'icmp6':
    case 'ah': case 'esp': case 'stp': case 'ipx': case 'netbeui':
      if (proto === 'arp' || proto === 'rarp' || proto === 'atalk' || proto === 'aarp' || proto === 'decnet' || proto === 'lat'
        || proto === 'sca' || proto === 'moprc' || proto === 'mopdl' || proto === 'stp' || proto === 'ipx' || proto === 'netbeui') {
        throw new CompileError(`${proto} does not encapsulate another protocol`);
      }
      throw new CompileError(`'${proto} proto' is bogus`);
    default: throw new CompileError(`'${proto} proto' is not supported by this compiler yet`);
  }
}

/** Transport protocols a port may belong to; `undefined` means any of SCTP, TCP and UDP. */
export type PortProtocol = 6 | 17 | 132 | undefined;

/** Maps a `port` qualifier to its IP protocol, refusing the rest as libpcap does. */
export function portProtocol(proto: string | undefined): PortProtocol {
  switch (proto) {
    case undefined: return undefined;
    case 'tcp': return 6;
    case 'udp': return 17;
    case 'sctp': return 132;
    default: throw new CompileError("illegal qualifier of 'port'");
  }
}

/** The port field test for IPv4: X = IPv4 header length, then the 16-bit port at `offset` in the transport header. */
function ipv4PortLoad(state: CompileState, offset: number) {
  const { stmts, k } = ipv4HeaderLengthIntoX(state);
  return [...stmts, stmt(BPF_LD | BPF_IND | BPF_H, k + offset)];
}

type PortTest = (load: () => ReturnType<typeof ipv4PortLoad>) => Cond;

function ipv4PortOp(state: CompileState, protocol: number, dir: Direction, atom: PortTest): Cond {
  const guard = and(cmp(networkOffset(state) + 9, 1, protocol), genNotFragment(state));
  return and(guard, byDirection(dir, () => atom(() => ipv4PortLoad(state, 0)), () => atom(() => ipv4PortLoad(state, 2))));
}

function ipv6PortOp(state: CompileState, protocol: number, dir: Direction, atom: PortTest): Cond {
  const nl = networkOffset(state);
  const load = (offset: number) => () => loadStmts(nl + 40 + offset, 2);
  return and(cmp(nl + 6, 1, protocol), byDirection(dir, () => atom(load(0)), () => atom(load(2))));
}

function eachProtocol(protocol: PortProtocol, op: (p: number) => Cond): Cond {
  return protocol === undefined ? orAll(op(132), op(6), op(17)) : op(protocol);
}

function portAtoms(state: CompileState, protocol: PortProtocol, dir: Direction, atom: PortTest): Cond {
  const ipv6 = and(genLinkType(state, EtherTypeValue.IPV6), eachProtocol(protocol, (p) => ipv6PortOp(state, p, dir, atom)));
  const ipv4 = and(genLinkType(state, EtherTypeValue.IP), eachProtocol(protocol, (p) => ipv4PortOp(state, p, dir, atom)));
  return or(ipv6, ipv4);
}

/** `[tcp|udp|sctp] [dir] port N`: IPv6 first, then IPv4, as libpcap orders them. */
export function genPort(state: CompileState, port: number, protocol: PortProtocol, dir: Direction): Cond {
  if (port > 65535) throw new CompileError(`illegal port number ${port} > 65535`);
  return portAtoms(state, protocol, dir, (load) => test(load(), BPF_JEQ, port));
}

/** `[tcp|udp|sctp] [dir] portrange LOW-HIGH` (the ends are swapped when reversed). */
export function genPortRange(state: CompileState, low: number, high: number, protocol: PortProtocol, dir: Direction): Cond {
  if (low > 65535) throw new CompileError(`illegal port number ${low} > 65535`);
  if (high > 65535) throw new CompileError(`illegal port number ${high} > 65535`);
  if (low > high) [low, high] = [high, low];
  return portAtoms(state, protocol, dir, (load) => and(test(load(), BPF_JGE, low), not(test(load(), BPF_JGT, high))));
}
