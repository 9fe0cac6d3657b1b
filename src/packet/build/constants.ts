/** The protocol numbers the builders use, gathered under one distinctive name for the public API. */
import { ArpOperation } from './arp.js';
import { ICMP_CODE_FRAGMENTATION_NEEDED, IcmpType } from './icmp.js';
import { Icmpv6Type } from './icmpv6.js';
import { SllPacketType } from './linux-sll.js';
import { EtherTypeNumber, IpProtocolNumber, LoopbackFamily } from './next-layer.js';
import { TcpFlag, TcpOptionKind } from './tcp.js';
import { UdpTunnelPort } from './udp.js';

/** EtherTypes, IP protocols, BSD address families, TCP flags and option kinds, ICMP/ICMPv6 types, ARP operations, SLL packet types and tunnel ports (IANA/IEEE values). */
export const PacketConstants = {
  etherType: EtherTypeNumber,
  ipProtocol: IpProtocolNumber,
  loopbackFamily: LoopbackFamily,
  tcpFlag: TcpFlag,
  tcpOptionKind: TcpOptionKind,
  icmpType: IcmpType,
  icmpCodeFragmentationNeeded: ICMP_CODE_FRAGMENTATION_NEEDED,
  icmpv6Type: Icmpv6Type,
  arpOperation: ArpOperation,
  sllPacketType: SllPacketType,
  udpTunnelPort: UdpTunnelPort,
} as const;
