/**
 * Link-layer code generation: the link-type test of each link family (libpcap's gen_linktype with its
 * 802.2 LLC and SNAP cases, MPLS after `mpls`, PPP after `pppoes`), Ethernet addresses, broadcast and
 * multicast on the link layer, and `llc`.
 */
import { CompileError } from './errors.js';
import { BPF_JEQ, BPF_LD, BPF_LDX, BPF_MEM, BPF_X } from '../bpf/opcodes.js';
import { FALSE, TRUE, and, bitsSet, bytesEqual, cmp, cmpGreater, maskedCmp, not, or, stmt, type Cond } from './cond.js';
import { decodeOffset, linkTypeDescription, networkOffset, type CompileState } from './state.js';

/** EtherTypes and LLC SAPs that gen_linktype treats specially. */
export const EtherTypeValue = {
  IP: 0x0800, ARP: 0x0806, RARP: 0x8035, IPV6: 0x86dd, ATALK: 0x809b, AARP: 0x80f3, IPX: 0x8137,
  DECNET: 0x6003, LAT: 0x6004, SCA: 0x6007, MOPDL: 0x6001, MOPRC: 0x6002, MPLS: 0x8847,
  PPPOED: 0x8863, PPPOES: 0x8864, VLAN: 0x8100, QINQ: 0x88a8, QINQ_OLD: 0x9100,
} as const;

/** LLC service access points of pcap-filter(7) protocols. */
export const LlcSap = { IP: 0x06, ISONS: 0xfe, NETBEUI: 0xf0, IPX: 0xe0, STP: 0x42 } as const;

/** The largest 802.3 length field; larger values are EtherTypes. */
export const ETHER_MTU = 1500;

const LINUX_SLL_P_802_3 = 0x0001;
const LINUX_SLL_P_802_2 = 0x0004;

/** `(link type field) <= 1500`, i.e. an 802.3 frame. */
function isLengthField(state: CompileState): Cond {
  return not(cmpGreater(state.offLinkType, 2, ETHER_MTU));
}

/** The SNAP header check (AA AA 03, OUI, protocol) at the link payload, as gen_snap compares it. */
function snap(state: CompileState, oui: number, protocolId: number): Cond {
  return bytesEqual(state.offLinkPayload, [0xaa, 0xaa, 0x03, (oui >>> 16) & 0xff, (oui >>> 8) & 0xff, oui & 0xff, (protocolId >>> 8) & 0xff, protocolId & 0xff]);
}

function etherLinkType(state: CompileState, protocol: number): Cond {
  const type = state.offLinkType;
  switch (protocol) {
    case LlcSap.ISONS: case LlcSap.IP: case LlcSap.NETBEUI:
      return and(isLengthField(state), cmp(state.offLinkPayload, 2, (protocol << 8) | protocol));
    case LlcSap.IPX:
      return or(cmp(type, 2, EtherTypeValue.IPX), and(isLengthField(state),
        or(snap(state, 0, EtherTypeValue.IPX), or(cmp(state.offLinkPayload, 1, LlcSap.IPX), cmp(state.offLinkPayload, 2, 0xffff)))));
    case EtherTypeValue.ATALK: case EtherTypeValue.AARP:
      return or(cmp(type, 2, protocol), and(isLengthField(state),
        protocol === EtherTypeValue.ATALK ? snap(state, 0x080007, EtherTypeValue.ATALK) : snap(state, 0, EtherTypeValue.AARP)));
    default:
      if (protocol <= ETHER_MTU) return and(isLengthField(state), cmp(type + 2, 1, protocol));
      return cmp(type, 2, protocol);
  }
}

function cookedLinkType(state: CompileState, protocol: number): Cond {
  const type = state.offLinkType;
  switch (protocol) {
    case LlcSap.ISONS: case LlcSap.IP: case LlcSap.NETBEUI:
      return and(cmp(type, 2, LINUX_SLL_P_802_2), cmp(state.offLinkPayload, 2, (protocol << 8) | protocol));
    case LlcSap.IPX:
      return or(cmp(type, 2, EtherTypeValue.IPX), or(cmp(type, 2, LINUX_SLL_P_802_3),
        and(cmp(type, 2, LINUX_SLL_P_802_2), or(cmp(state.offLinkPayload, 1, LlcSap.IPX), snap(state, 0, EtherTypeValue.IPX)))));
    case EtherTypeValue.ATALK: case EtherTypeValue.AARP:
      return or(cmp(type, 2, protocol), and(cmp(type, 2, LINUX_SLL_P_802_2),
        protocol === EtherTypeValue.ATALK ? snap(state, 0x080007, EtherTypeValue.ATALK) : snap(state, 0, EtherTypeValue.AARP)));
    default:
      if (protocol <= ETHER_MTU) return and(cmp(type, 2, LINUX_SLL_P_802_2), cmp(state.offLinkPayload, 1, protocol));
      return cmp(type, 2, protocol);
  }
}

/** The address family value as DLT_NULL stores it (host byte order of this machine) or DLT_LOOP (network order). */
function loopbackFamily(state: CompileState, family: number): number {
  if (state.family === 'loop') return family;
  return (((family & 0xff) << 24) | ((family & 0xff00) << 8) | ((family >>> 8) & 0xff00) | (family >>> 24)) >>> 0;
}

function loopbackLinkType(state: CompileState, protocol: number): Cond {
  const family = (af: number): Cond => cmp(state.offLinkType, 4, loopbackFamily(state, af));
  if (protocol === EtherTypeValue.IP) return family(2);
  // pcap_compile on a handle that is not reading a savefile (pcap_open_dead, our model) tests this
  // host's AF_INET6 (10 on Linux); tcpdump -r tests the BSD values 30, 24 and 28 instead.
  if (protocol === EtherTypeValue.IPV6) return family(10);
  return FALSE;
}

/** EtherType to PPP protocol, for the link type after `pppoes`. */
function pppProtocol(protocol: number): number {
  switch (protocol) {
    case EtherTypeValue.IP: return 0x0021;
    case EtherTypeValue.IPV6: return 0x0057;
    case EtherTypeValue.DECNET: return 0x0027;
    case EtherTypeValue.ATALK: return 0x0029;
    case EtherTypeValue.IPX: return 0x002b;
    case LlcSap.ISONS: return 0x0023;
    case LlcSap.STP: return 0x0031;
    case 0x0600: return 0x0025;
    default: return protocol;
  }
}

/** The test that the packet's link-layer type is `protocol` (an EtherType or an LLC SAP <= 1500). */
export function genLinkType(state: CompileState, protocol: number): Cond {
  if (state.labelDepth > 0) {
    const nl = networkOffset(state);
    if (protocol === EtherTypeValue.IP || protocol === EtherTypeValue.IPV6) {
      return and(maskedCmp(nl - 2, 1, 0x01, 0x01), maskedCmp(nl, 1, protocol === EtherTypeValue.IP ? 0x40 : 0x60, 0xf0));
    }
    throw new CompileError(`unsupported protocol over mpls`);
  }
  switch (state.family) {
    case 'ether': return etherLinkType(state, protocol);
    case 'sll': return cookedLinkType(state, protocol);
    // libpcap 1.10 compares LINUX_SLL2's protocol field with the value as given, 802.2 SAPs included.
    case 'sll2': return cmp(state.offLinkType, 2, protocol);
    case 'null': case 'loop': return loopbackLinkType(state, protocol);
    case 'raw':
      if (protocol === EtherTypeValue.IP) return maskedCmp(state.offLinkPayload, 1, 0x40, 0xf0);
      if (protocol === EtherTypeValue.IPV6) return maskedCmp(state.offLinkPayload, 1, 0x60, 0xf0);
      return FALSE;
    case 'ipv4': return protocol === EtherTypeValue.IP ? TRUE : FALSE;
    case 'ipv6': return protocol === EtherTypeValue.IPV6 ? TRUE : FALSE;
    case 'ppp': return cmp(state.offLinkType, 2, pppProtocol(protocol));
  }
}

function requireEthernet(state: CompileState): void {
  if (state.family !== 'ether') {
    throw new CompileError('ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel');
  }
}

/**
 * After `geneve` or `gre` the payload may have no link-layer header (protocol type other than 0x6558): then
 * the link header and payload scratch words hold the same value. libpcap ANDs `ld M[header]; ldx M[payload];
 * jeq x` (negated) before link-layer address tests; `cond` comes unchanged elsewhere.
 */
function withLinkHeaderPresent(state: CompileState, cond: Cond): Cond {
  if (!state.afterGeneve) return cond;
  const header = decodeOffset(state.offLinkHeader).register;
  const payload = decodeOffset(state.offLinkPayload).register;
  if (header === undefined || payload === undefined) return cond;
  const same: Cond = { kind: 'test', stmts: [stmt(BPF_LD | BPF_MEM, header), stmt(BPF_LDX | BPF_MEM, payload)], op: BPF_JEQ, src: BPF_X, k: 0 };
  return and(not(same), cond);
}

/** `ether [src|dst] host MAC` (libpcap's gen_ehostop). */
export function genEtherHost(state: CompileState, mac: readonly number[], dir: string | undefined): Cond {
  requireEthernet(state);
  const source = (): Cond => bytesEqual(state.offLinkHeader + 6, mac);
  const destination = (): Cond => bytesEqual(state.offLinkHeader, mac);
  switch (dir) {
    case 'src': return withLinkHeaderPresent(state, source());
    case 'dst': return withLinkHeaderPresent(state, destination());
    case 'src and dst': return withLinkHeaderPresent(state, and(source(), destination()));
    default: return withLinkHeaderPresent(state, or(source(), destination()));
  }
}

/** `ether broadcast`. */
export function genEtherBroadcast(state: CompileState): Cond {
  if (state.family !== 'ether') throw new CompileError('not a broadcast link');
  return withLinkHeaderPresent(state, bytesEqual(state.offLinkHeader, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
}

/** `ether multicast`: the group bit of the destination address. */
export function genEtherMulticast(state: CompileState): Cond {
  if (state.family !== 'ether') {
    throw new CompileError('link-layer multicast filters supported only on ethernet/FDDI/token ring/ARCNET/802.11/ATM LANE/Fibre Channel');
  }
  return withLinkHeaderPresent(state, bitsSet(state.offLinkHeader, 1, 0x01));
}

/** `llc`: an 802.3 frame that is not Novell raw 802.3. */
export function genLlc(state: CompileState, subtype: string | undefined): Cond {
  if (state.family !== 'ether') throw new CompileError(`'llc' not supported for ${linkTypeDescription(state.linkType)}`);
  const base = and(not(cmpGreater(state.offLinkType, 2, ETHER_MTU)), not(cmp(state.offLinkPayload, 2, 0xffff)));
  if (subtype === undefined) return base;
  const control = state.offLinkPayload + 2;
  // Control field formats of 802.2: I (bit 0 clear), S (low bits 01), U (low bits 11).
  const uFrames: Record<string, number> = { ui: 0x03, ua: 0x63, disc: 0x43, sabme: 0x6f, test: 0xe3, xid: 0xaf, frmr: 0x87 };
  const sFrames: Record<string, number> = { rr: 0x01, rnr: 0x05, rej: 0x09 };
  if (subtype === 'i') return and(base, not(bitsSet(control, 1, 0x01)));
  if (subtype === 's') return and(base, maskedCmp(control, 1, 0x01, 0x03));
  if (subtype === 'u') return and(base, maskedCmp(control, 1, 0x03, 0x03));
  if (subtype in uFrames) return and(base, maskedCmp(control, 1, uFrames[subtype]!, 0xef));
  if (subtype in sFrames) return and(base, maskedCmp(control, 1, sFrames[subtype]!, 0x0f));
  throw new CompileError(`unknown 802.2 LLC subtype '${subtype}'`);
}

/** Linux's ancillary data offsets (SKF_AD_OFF + SKF_AD_PKTTYPE / SKF_AD_IFINDEX) for socket filters. */
export const LinuxAncillary = { PKTTYPE: 0xfffff004, IFINDEX: 0xfffff008 } as const;

/**
 * `inbound` / `outbound`: the packet type field of a Linux cooked header; on other link types, as
 * pcap_compile does for a handle that is not reading a savefile on Linux, the kernel's ancillary packet
 * type (which a socket filter sees; a savefile filter cannot, and rejects every packet).
 */
export function genDirection(state: CompileState, outbound: boolean): Cond {
  const outgoing = 4;
  let test: Cond;
  if (state.linkType === 113) test = cmp(0, 2, outgoing);
  else if (state.linkType === 276) test = cmp(10, 1, outgoing);
  else test = cmp(LinuxAncillary.PKTTYPE, 2, outgoing);
  return outbound ? test : not(test);
}

/** `ifindex N`: the LINUX_SLL2 header field, or the kernel's ancillary interface index elsewhere (see genDirection). */
export function genIfIndex(state: CompileState, index: number): Cond {
  return cmp(state.linkType === 276 ? 4 : LinuxAncillary.IFINDEX, 4, index);
}

