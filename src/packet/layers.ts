/**
 * Plain-object shapes of every protocol layer: what the builders take (fields may be omitted and are
 * then derived: lengths, type numbers, checksums) and what the decoder's object API returns (every
 * field present). A packet is a stack of these, outermost first, ending in a `payload` layer when
 * bytes are left over. Names follow the RFCs and pcap-filter(7).
 *
 * Addresses are text: MAC `aa:bb:cc:dd:ee:ff`, IPv4 dotted quad, IPv6 in RFC 5952 form.
 */

export type MacAddress = string;
export type Ipv4Address = string;
export type Ipv6Address = string;

/** Ethernet II (etherType >= 0x0600) or 802.3 (etherType <= 1500 is then the length). */
export interface EthernetFields { destination: MacAddress; source: MacAddress; etherType: number }
/** 802.2 LLC, with SNAP when dsap = ssap = 0xaa. */
export interface LlcFields { dsap: number; ssap: number; control: number; snapOui?: number; snapProtocolId?: number }
/** 802.1Q / 802.1ad tag; `tpid` is the EtherType that introduced it (0x8100, 0x88a8, 0x9100). */
export interface VlanFields { tpid: number; priority: number; dropEligible: boolean; vlanId: number; etherType: number }
/** MPLS label stack entry. */
export interface MplsFields { label: number; trafficClass: number; bottomOfStack: boolean; ttl: number }
/** PPPoE session header (0x8864) with the PPP protocol that follows it; discovery (0x8863) has no pppProtocol. */
/** `pppoeType` is the PPPoE header's Type field (named apart from the layer's `type` tag). */
export interface PppoeFields { version: number; pppoeType: number; code: number; sessionId: number; length: number; pppProtocol?: number }
/** ARP / RARP for any hardware and protocol; addresses as text when Ethernet/IPv4 sized, else hex. */
export interface ArpFields {
  hardwareType: number; protocolType: number; hardwareSize: number; protocolSize: number; operation: number;
  senderHardwareAddress: string; senderProtocolAddress: string; targetHardwareAddress: string; targetProtocolAddress: string;
}
export interface Ipv4Fields {
  version: number; ihl: number; dscp: number; ecn: number; totalLength: number; identification: number;
  reservedFlag: boolean; dontFragment: boolean; moreFragments: boolean;
  /** In 8-byte units, as on the wire. */
  fragOffset: number;
  ttl: number; protocol: number; headerChecksum: number; source: Ipv4Address; destination: Ipv4Address;
  /** Raw option bytes (length a multiple of 4, up to 40). */
  options: Uint8Array;
}
export interface Ipv6Fields {
  version: number; trafficClass: number; flowLabel: number; payloadLength: number; nextHeader: number; hopLimit: number;
  source: Ipv6Address; destination: Ipv6Address;
}
/** An IPv6 extension header (hop-by-hop 0, routing 43, destination options 60, AH 51) with its raw body. */
export interface Ipv6ExtensionFields { headerType: number; nextHeader: number; headerExtLength: number; body: Uint8Array }
/** IPv6 fragment header (44). */
export interface Ipv6FragmentFields { nextHeader: number; fragOffset: number; moreFragments: boolean; identification: number }
/** GRE per RFC 2784 and RFC 2890; `reserved0` is the 9-bit Reserved0 field, (word & 0x0ff8) >> 3. */
export interface GreFields {
  checksumPresent: boolean; keyPresent: boolean; sequencePresent: boolean; reserved0: number; version: number; protocolType: number;
  checksum?: number; reserved1?: number; key?: number; sequenceNumber?: number;
}
export interface UdpFields { sourcePort: number; destinationPort: number; length: number; checksum: number }
/** A TCP option: kind 0 (EOL) and 1 (NOP) have no length or data. */
export interface TcpOption { kind: number; data: Uint8Array }
export interface TcpFields {
  sourcePort: number; destinationPort: number; sequenceNumber: number; acknowledgmentNumber: number; dataOffset: number;
  /** The 12 bits after the data offset: NS, CWR, ECE, URG, ACK, PSH, RST, SYN, FIN as in tcp[12:2] & 0x0fff. */
  flags: number;
  window: number; checksum: number; urgentPointer: number; options: TcpOption[];
}
/** ICMP (`icmpType` is the Type field); `restOfHeader` is bytes 4..7 (identifier and sequence for echo, MTU for frag-needed). */
export interface IcmpFields { icmpType: number; code: number; checksum: number; restOfHeader: number }
export interface Icmpv6Fields { icmpv6Type: number; code: number; checksum: number; restOfHeader: number }
/** VXLAN per RFC 7348. */
export interface VxlanFields { flags: number; reserved0: number; vni: number; reserved1: number }
export interface GeneveOption { optionClass: number; type: number; data: Uint8Array }
/** Geneve per RFC 8926. */
export interface GeneveFields {
  version: number; optionsLength: number; oam: boolean; critical: boolean; reserved0: number; protocolType: number; vni: number; reserved1: number;
  options: GeneveOption[];
}
/** Linux cooked capture v1 (LINUX_SLL). */
export interface LinuxSllFields { packetType: number; arphrdType: number; addressLength: number; address: string; protocol: number }
/** Linux cooked capture v2 (LINUX_SLL2). */
export interface LinuxSll2Fields { protocol: number; reservedMbz: number; interfaceIndex: number; arphrdType: number; packetType: number; addressLength: number; address: string }
/** BSD loopback: NULL has the address family in host byte order, LOOP in network byte order. */
export interface LoopbackFields { family: number }

/** One layer of a packet: a discriminated union on `type`. */
export type Layer =
  | ({ type: 'ethernet' } & EthernetFields)
  | ({ type: 'llc' } & LlcFields)
  | ({ type: 'vlan' } & VlanFields)
  | ({ type: 'mpls' } & MplsFields)
  | ({ type: 'pppoe' } & PppoeFields)
  | ({ type: 'arp' } & ArpFields)
  | ({ type: 'ipv4' } & Ipv4Fields)
  | ({ type: 'ipv6' } & Ipv6Fields)
  | ({ type: 'ipv6Extension' } & Ipv6ExtensionFields)
  | ({ type: 'ipv6Fragment' } & Ipv6FragmentFields)
  | ({ type: 'gre' } & GreFields)
  | ({ type: 'udp' } & UdpFields)
  | ({ type: 'tcp' } & TcpFields)
  | ({ type: 'icmp' } & IcmpFields)
  | ({ type: 'icmpv6' } & Icmpv6Fields)
  | ({ type: 'vxlan' } & VxlanFields)
  | ({ type: 'geneve' } & GeneveFields)
  | ({ type: 'linuxSll' } & LinuxSllFields)
  | ({ type: 'linuxSll2' } & LinuxSll2Fields)
  | ({ type: 'null' } & LoopbackFields)
  | ({ type: 'loop' } & LoopbackFields)
  | { type: 'payload'; data: Uint8Array };

export type LayerType = Layer['type'];

/** What a builder takes: the layer type and any subset of its fields. */
export type LayerSpec = { [T in LayerType]: { type: T } & Partial<Omit<Extract<Layer, { type: T }>, 'type'>> }[LayerType];
