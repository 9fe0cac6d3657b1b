// Public API of src/packet/build (re-exported by src/index.ts): packet builders from layer specs.
export { buildPacket, buildPacketLayers, encodeLayer } from './stack.js';
export type { BuiltPacket } from './stack.js';
export { PacketBuildError } from './errors.js';
export type {
  BuildLayerSpec, BuiltLayer, EncodedLayer, IcmpBuiltLayer, Icmpv6BuiltLayer, LayerEncodeContext, PppoeBuiltLayer, PseudoHeaderAddresses,
} from './context.js';
export { standaloneContext as standaloneLayerContext } from './context.js';
export { PacketConstants } from './constants.js';
export { buildIpv4Fragments, copiedIpv4Options } from './fragment.js';
export type { Ipv4FragmentOptions } from './fragment.js';
export { pseudoHeaderChecksum } from './pseudo-header.js';
export { internetChecksum as internetChecksumOf } from './bytes.js';
export { encodeEthernetHeader } from './ethernet.js';
export { encodeLlcHeader } from './llc.js';
export { encodeVlanHeader } from './vlan.js';
export { encodeMplsHeader } from './mpls.js';
export { encodePppoeHeader } from './pppoe.js';
export { encodeArpHeader } from './arp.js';
export { encodeIpv4Header } from './ipv4.js';
export { encodeIpv6Header } from './ipv6.js';
export { encodeIpv6ExtensionHeader, ipv6ExtensionHeaderLength, routingFinalDestination } from './ipv6-extension.js';
export { encodeIpv6FragmentHeader } from './ipv6-fragment.js';
export { encodeGreHeader, greHeaderLength } from './gre.js';
export { encodeUdpHeader } from './udp.js';
export { encodeTcpHeader, encodeTcpOptions } from './tcp.js';
export { encodeIcmpHeader } from './icmp.js';
export { encodeIcmpv6Header } from './icmpv6.js';
export { encodeVxlanHeader } from './vxlan.js';
export { encodeGeneveHeader } from './geneve.js';
export { encodeLinuxSllHeader } from './linux-sll.js';
export { encodeLinuxSll2Header } from './linux-sll2.js';
export { encodeLoopHeader, encodeNullHeader } from './loopback.js';
export { encodePayload } from './payload.js';
