/**
 * Type numbers an outer header carries for the layer that follows it: EtherType, IP protocol,
 * PPP protocol, BSD address family. Builders use them when a spec leaves the field out.
 */
import type { BuildLayerSpec } from './context.js';

/** EtherType values (IEEE registry) used by the builders. */
export const EtherTypeNumber = {
  ipv4: 0x0800,
  arp: 0x0806,
  reverseArp: 0x8035,
  vlan: 0x8100,
  qinq: 0x88a8,
  vlanLegacyQinq: 0x9100,
  ipv6: 0x86dd,
  mplsUnicast: 0x8847,
  pppoeDiscovery: 0x8863,
  pppoeSession: 0x8864,
  transparentEthernetBridging: 0x6558,
  /** IEEE Std 802 Local Experimental EtherType 1: what an Ethernet header gets before raw payload. */
  localExperimental: 0x88b5,
} as const;

/** IP protocol / IPv6 next-header numbers (IANA) used by the builders. */
export const IpProtocolNumber = {
  hopByHop: 0, icmp: 1, ipv4: 4, tcp: 6, udp: 17, ipv6: 41, routing: 43, fragment: 44, gre: 47,
  authentication: 51, icmpv6: 58, noNextHeader: 59, destinationOptions: 60,
  /** RFC 3692 experimental protocol: what an IPv4 header gets before raw payload. */
  experimental: 253,
} as const;

/**
 * The EtherType for the next layer, or undefined when no EtherType fits it (LLC is then announced by
 * an 802.3 length, which the caller computes).
 */
export function etherTypeFor(next: BuildLayerSpec | undefined): number | undefined {
  switch (next?.type) {
    case 'ipv4': return EtherTypeNumber.ipv4;
    case 'ipv6': return EtherTypeNumber.ipv6;
    case 'arp': return next.operation === 3 || next.operation === 4 ? EtherTypeNumber.reverseArp : EtherTypeNumber.arp;
    case 'vlan': return next.tpid ?? EtherTypeNumber.vlan;
    case 'mpls': return EtherTypeNumber.mplsUnicast;
    case 'pppoe': return next.code !== undefined && next.code !== 0 ? EtherTypeNumber.pppoeDiscovery : EtherTypeNumber.pppoeSession;
    case 'ethernet': return EtherTypeNumber.transparentEthernetBridging;
    case 'llc': return undefined;
    default: return EtherTypeNumber.localExperimental;
  }
}

/** The IPv4 protocol / IPv6 next-header number for the next layer. */
export function ipProtocolFor(next: BuildLayerSpec | undefined, afterIpv6: boolean): number {
  switch (next?.type) {
    case 'tcp': return IpProtocolNumber.tcp;
    case 'udp': return IpProtocolNumber.udp;
    case 'icmp': return IpProtocolNumber.icmp;
    case 'icmpv6': return IpProtocolNumber.icmpv6;
    case 'gre': return IpProtocolNumber.gre;
    case 'ipv4': return IpProtocolNumber.ipv4;
    case 'ipv6': return IpProtocolNumber.ipv6;
    case 'ipv6Extension': return next.headerType ?? IpProtocolNumber.destinationOptions;
    case 'ipv6Fragment': return IpProtocolNumber.fragment;
    case undefined: return afterIpv6 ? IpProtocolNumber.noNextHeader : IpProtocolNumber.experimental;
    default: return afterIpv6 ? IpProtocolNumber.noNextHeader : IpProtocolNumber.experimental;
  }
}

/** The PPP protocol number (RFC 1661 registry) for the next layer after a PPPoE session header. */
export function pppProtocolFor(next: BuildLayerSpec | undefined): number {
  switch (next?.type) {
    case 'ipv4': return 0x0021;
    case 'ipv6': return 0x0057;
    case 'mpls': return 0x0281;
    default: return 0x0021;
  }
}

/** The GRE / Geneve protocol type (an EtherType) for the next layer. */
export function tunnelProtocolTypeFor(next: BuildLayerSpec | undefined): number {
  switch (next?.type) {
    case 'ethernet': return EtherTypeNumber.transparentEthernetBridging;
    case 'ipv6': return EtherTypeNumber.ipv6;
    case 'mpls': return EtherTypeNumber.mplsUnicast;
    case 'arp': return EtherTypeNumber.arp;
    case 'ipv4': return EtherTypeNumber.ipv4;
    default: return EtherTypeNumber.localExperimental;
  }
}

/** BSD address families a NULL or LOOP header uses (AF_INET 2; AF_INET6 24 as on NetBSD/OpenBSD, libpcap also takes 28 and 30). */
export const LoopbackFamily = { inet: 2, inet6: 24, inet6FreeBsd: 28, inet6Darwin: 30 } as const;

/** The BSD address family for the next layer of a NULL or LOOP header. */
export function loopbackFamilyFor(next: BuildLayerSpec | undefined): number {
  return next?.type === 'ipv6' ? LoopbackFamily.inet6 : LoopbackFamily.inet;
}
