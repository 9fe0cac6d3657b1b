// Public API of src/packet/arbitrary (re-exported by src/index.ts): fast-check arbitraries for layers, stacks and packets.
export { arbitraryPacket, ARBITRARY_LINK_TYPES, PACKET_MUTATIONS } from './packet.js';
export type { ArbitraryPacket, ArbitraryPacketOptions, PacketMutation } from './packet.js';
export { arbitraryEthernetStack, arbitraryIpStack, arbitraryIpv4Stack, arbitraryIpv6ExtensionChain, arbitraryIpv6Stack, arbitraryStack } from './stack.js';
export type { ArbitraryStackOptions } from './stack.js';
export { arbitraryEthernet } from './ethernet.js';
export { arbitraryVlan, VLAN_TPIDS } from './vlan.js';
export { arbitraryLlc } from './llc.js';
export { arbitraryMpls } from './mpls.js';
export { arbitraryPppoe, arbitraryPppoeDiscovery, PPPOE_DISCOVERY_CODES } from './pppoe.js';
export { arbitraryLinuxSll } from './linux-sll.js';
export { arbitraryLinuxSll2 } from './linux-sll2.js';
export { arbitraryLoop, arbitraryNull } from './loopback.js';
export { arbitraryArp } from './arp.js';
export { arbitraryIpv4, arbitraryIpv4Fragmentation, arbitraryIpv4Options } from './ipv4.js';
export type { Ipv4Fragmentation } from './ipv4.js';
export { arbitraryIpv6 } from './ipv6.js';
export { arbitraryIpv6Extension, IPV6_EXTENSION_TYPES } from './ipv6-extension.js';
export { arbitraryIpv6Fragment } from './ipv6-fragment.js';
export { arbitraryUdp } from './udp.js';
export { arbitraryTcp, arbitraryTcpOptions } from './tcp.js';
export { arbitraryIcmp } from './icmp.js';
export type { IcmpKind } from './icmp.js';
export { arbitraryIcmpv6 } from './icmpv6.js';
export { arbitraryGre } from './gre.js';
export { arbitraryVxlan } from './vxlan.js';
export { arbitraryGeneve } from './geneve.js';
export {
  arbitraryIpv4Address, arbitraryIpv6Address, arbitraryMacAddress, arbitraryPayloadBytes, arbitraryPort, arbitraryTcpFlags,
  ICMP_TYPE_CODE_POOL, IPV4_ADDRESS_POOL, IPV6_ADDRESS_POOL, MAC_ADDRESS_POOL, PORT_POOL, TCP_FLAGS_POOL,
} from './pools.js';
