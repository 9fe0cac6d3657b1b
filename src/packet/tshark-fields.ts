import { formatHex, formatIpv4, formatIpv6, formatMac, readUint16, readUint24, readUint32 } from './bytes.js';
import { internetChecksumSum } from './ipv4.js';
import { LinkType } from '../capture/linktype.js';
import { LayerKind } from './kinds.js';
import type { PacketLayers } from './packet-layers.js';

/**
 * tshark's `-T fields` output for our layers: field names as tshark 4.0 registers them and values
 * formatted as it prints them (BASE_HEX zero-padded to the field type's width, BASE_DEC and
 * BASE_DEC_HEX in decimal, BASE_HEX_DEC in hex, booleans as 1/0). Fields are collected in
 * protocol-tree order, so several occurrences (outer and inner headers) join with commas in the
 * same order tshark prints them. Like tshark, a header cut short shows the fields before the cut.
 */

/**
 * Frame-level facts tshark prints (`frame.number`, `frame.len`, `frame.cap_len`), and whether tshark
 * reassembles IP fragments (its default, `ip.defragment: TRUE`; pass false to match
 * `tshark -o ip.defragment:FALSE -o ipv6.defragment:FALSE`, which dissects each first fragment's payload).
 * Reassembly across packets itself is not reproduced: a datagram tshark completes from several frames
 * shows only this frame's headers here.
 */
export interface TsharkFrameInfo { number: number; wireLength: number; ipDefragment?: boolean; ipv6Defragment?: boolean }

class Stop {}
const stop = new Stop();

const hex = (value: number, digits: number): string => `0x${(value >>> 0).toString(16).padStart(digits, '0')}`;
const flag = (value: number): string => (value !== 0 ? '1' : '0');

/** Collects field values for one packet, bounds-checking every read against the current layer's captured end. */
class FieldCollector {
  readonly values = new Map<string, string[]>();
  data: Uint8Array = new Uint8Array(0);
  base = 0;
  end = 0;

  /** Points reads at a layer starting at `base` whose bytes end at `end`. */
  at(data: Uint8Array, base: number, end: number): this {
    this.data = data;
    this.base = base;
    this.end = Math.min(end, data.length);
    return this;
  }

  need(relative: number, size: number): void {
    if (this.base + relative + size > this.end) throw stop;
  }
  u8(relative: number): number { this.need(relative, 1); return this.data[this.base + relative]!; }
  u16(relative: number): number { this.need(relative, 2); return readUint16(this.data, this.base + relative); }
  u24(relative: number): number { this.need(relative, 3); return readUint24(this.data, this.base + relative); }
  u32(relative: number): number { this.need(relative, 4); return readUint32(this.data, this.base + relative); }
  mac(relative: number): string { this.need(relative, 6); return formatMac(this.data, this.base + relative); }
  ipv4(relative: number): string { this.need(relative, 4); return formatIpv4(this.data, this.base + relative); }
  ipv6(relative: number): string { this.need(relative, 16); return formatIpv6(this.data, this.base + relative); }
  bytes(relative: number, size: number): string { this.need(relative, size); return formatHex(this.data, this.base + relative, size, ':'); }
  put(name: string, value: string): void {
    const list = this.values.get(name);
    if (list) list.push(value);
    else this.values.set(name, [value]);
  }
}

type LayerContext = { introducedBy: number; quoted: boolean; state: EmitState };
/** What one layer's fields tell the next: tshark's 802.1ad dissector takes an S-tag and an inner 0x88a8 tag together. */
interface EmitState { customerTagNext: boolean; icmpRedirect: boolean; icmpv6Quote: boolean; reportedEnd: number; datagramEnd: number; wireLength: number; fragmented: boolean }
type FieldEmitter = (c: FieldCollector, context: LayerContext) => void;

const emitEthernet: FieldEmitter = (c) => {
  c.need(0, 14);
  const destination = c.mac(0);
  c.put('eth.dst', destination);
  c.put('eth.addr', destination);
  const source = c.mac(6);
  c.put('eth.src', source);
  c.put('eth.addr', source);
  const type = c.u16(12);
  // Type 0 is an (unknown) EtherType to tshark, not an 802.3 length.
  if (type <= 1500 && type !== 0) c.put('eth.len', String(type));
  else if (type >= 0x0600 || type === 0) c.put('eth.type', hex(type, 4));
};

const emitVlan: FieldEmitter = (c, { introducedBy, state }) => {
  const tci = c.u16(0);
  if (introducedBy === 0x88a8) {
    // tshark's 802.1ad: an S-tag whose inner type is 0x88a8 again is read with that C-tag as one header (svid, cvid).
    const customerTag = state.customerTagNext;
    state.customerTagNext = false;
    c.put('ieee8021ad.priority', String(tci >> 13));
    c.put('ieee8021ad.dei', String((tci >> 12) & 1));
    const type = c.u16(2);
    if (customerTag) c.put('ieee8021ad.cvid', String(tci & 0x0fff));
    else if (type === 0x88a8) { c.put('ieee8021ad.svid', String(tci & 0x0fff)); state.customerTagNext = true; }
    else c.put('ieee8021ad.id', String(tci & 0x0fff));
    // An 802.3 length after an 802.1ad tag is an unknown EtherType to tshark: the rest is data.
    if (type <= 1500) throw stop;
    return;
  }
  c.put('vlan.priority', String(tci >> 13));
  c.put('vlan.dei', flag(tci & 0x1000));
  c.put('vlan.id', String(tci & 0x0fff));
  const type = c.u16(2);
  if (type <= 1500) c.put('vlan.len', String(type));
  else c.put('vlan.etype', hex(type, 4));
};

const emitMpls: FieldEmitter = (c) => {
  const entry = c.u32(0);
  c.put('mpls.label', String(entry >>> 12));
  c.put('mpls.exp', String((entry >> 9) & 7));
  c.put('mpls.bottom', String((entry >> 8) & 1));
  c.put('mpls.ttl', String(entry & 0xff));
};

const emitPppoe: FieldEmitter = (c, { introducedBy }) => {
  const first = c.u8(0);
  c.put('pppoe.version', String(first >> 4));
  c.put('pppoe.type', String(first & 0x0f));
  c.put('pppoe.code', hex(c.u8(1), 2));
  c.put('pppoe.session_id', hex(c.u16(2), 4));
  c.put('pppoe.payload_length', String(c.u16(4)));
  if (introducedBy === 0x8864) c.put('ppp.protocol', hex(c.u16(6), 4));
};

const emitLlc: FieldEmitter = (c) => {
  const dsap = c.u8(0);
  c.put('llc.dsap', hex(dsap, 2));
  const ssap = c.u8(1);
  c.put('llc.ssap', hex(ssap, 2));
  const first = c.u8(2);
  // tshark reads a two-byte (I or S frame) control field little-endian.
  c.put('llc.control', hex((first & 3) === 3 ? first : first | (c.u8(3) << 8), 4));
  if (dsap === 0xaa && ssap === 0xaa && (first & 3) === 3) {
    c.need(0, 8);
    const oui = c.u24(3);
    c.put('llc.oui', String(oui));
    // With an EtherType OUI the protocol id is an EtherType (llc.type); tshark names other OUIs' ids per OUI.
    if (oui === 0 || oui === 0xf8) c.put('llc.type', hex(c.u16(6), 4));
  }
};

const emitArp: FieldEmitter = (c, { state }) => {
  const hardwareType = c.u16(0);
  c.put('arp.hw.type', String(hardwareType));
  const protocolType = c.u16(2);
  c.put('arp.proto.type', hex(protocolType, 4));
  const hs = c.u8(4);
  c.put('arp.hw.size', String(hs));
  const ps = c.u8(5);
  c.put('arp.proto.size', String(ps));
  const operation = c.u16(6);
  c.put('arp.opcode', String(operation));
  // tshark checks the whole packet against the wire length first, and for requests and replies (and
  // RARP replies) reads the protocol addresses, to spot gratuitous ARP, before showing any.
  const length = 8 + 2 * (hs + ps);
  if (c.base + length > state.wireLength) throw stop;
  if (operation === 1 || operation === 2 || operation === 4) c.need(0, length);
  const macHardware = hs === 6;
  const ipv4Protocol = ps === 4 && protocolType === 0x0800;
  const address = (relative: number, prefix: string): void => {
    if (hs > 0) c.put(`arp.${prefix}.${macHardware ? 'hw_mac' : 'hw'}`, macHardware ? c.mac(relative) : c.bytes(relative, hs));
    if (ps > 0) c.put(`arp.${prefix}.${ipv4Protocol ? 'proto_ipv4' : 'proto'}`, ipv4Protocol ? c.ipv4(relative + hs) : c.bytes(relative + hs, ps));
  };
  address(8, 'src');
  address(8 + hs + ps, 'dst');
};

/** Reads the IPv4 options as tshark's search for a loose or strict source route does, so a cut option list stops it where it stops tshark. */
function scanSourceRoute(c: FieldCollector, headerLength: number): void {
  let at = 20;
  while (at < headerLength) {
    const type = c.u8(at);
    if (type === 0) return;
    if (type === 1) { at += 1; continue; }
    if (at + 1 >= headerLength) return;
    const length = c.u8(at + 1);
    if (length < 2) return;
    at += length;
  }
}

const emitIpv4: FieldEmitter = (c, { quoted, state }) => {
  const first = c.u8(0);
  if (quoted && first >> 4 !== 4) throw stop;
  c.put('ip.version', String(first >> 4));
  if (first >> 4 !== 4) throw stop;
  const headerLength = (first & 0x0f) * 4;
  c.put('ip.hdr_len', String(headerLength));
  if (headerLength < 20) throw stop;
  const dsfield = c.u8(1);
  c.put('ip.dsfield', hex(dsfield, 2));
  c.put('ip.dsfield.dscp', String(dsfield >> 2));
  c.put('ip.dsfield.ecn', String(dsfield & 3));
  const totalLength = c.u16(2);
  c.put('ip.len', String(totalLength));
  state.reportedEnd = Math.min(c.base + totalLength, state.wireLength);
  state.datagramEnd = c.base + totalLength;
  // A total length below the header length is bogus to tshark: it stops there.
  if (totalLength < headerLength) throw stop;
  c.put('ip.id', hex(c.u16(4), 4));
  c.need(6, 2);
  const flags = c.u8(6);
  state.fragmented = (c.u16(6) & 0x3fff) !== 0;
  c.put('ip.flags', hex(flags >> 5, 2));
  c.put('ip.flags.rb', flag(flags & 0x80));
  c.put('ip.flags.df', flag(flags & 0x40));
  c.put('ip.flags.mf', flag(flags & 0x20));
  c.put('ip.frag_offset', String(c.u16(6) & 0x1fff));
  c.put('ip.ttl', String(c.u8(8)));
  c.put('ip.proto', String(c.u8(9)));
  c.put('ip.checksum', hex(c.u16(10), 4));
  c.put('ip.checksum.status', '2');
  const source = c.ipv4(12);
  c.put('ip.src', source);
  c.put('ip.addr', source);
  // Before the destination tshark walks the options for a source route (not inside ICMP quotes).
  if (!quoted) scanSourceRoute(c, headerLength);
  const destination = c.ipv4(16);
  c.put('ip.dst', destination);
  c.put('ip.addr', destination);
};

const emitIpv6: FieldEmitter = (c, { quoted, state }) => {
  const version = c.u8(0) >> 4;
  if (quoted && version !== 6) throw stop;
  c.put('ipv6.version', String(version));
  c.put('ip.version', String(version));
  if (version !== 6) throw stop;
  const word = c.u32(0);
  const trafficClass = (word >>> 20) & 0xff;
  c.put('ipv6.tclass', hex(trafficClass, 8));
  c.put('ipv6.tclass.dscp', String(trafficClass >> 2));
  c.put('ipv6.tclass.ecn', String(trafficClass & 3));
  c.put('ipv6.flow', hex(word & 0xfffff, 6));
  // tshark reads the next header before it shows the payload length.
  c.need(0, 7);
  c.put('ipv6.plen', String(c.u16(4)));
  c.put('ipv6.nxt', String(c.u8(6)));
  c.put('ipv6.hlim', String(c.u8(7)));
  const source = c.ipv6(8);
  c.put('ipv6.src', source);
  c.put('ipv6.addr', source);
  const destination = c.ipv6(24);
  c.put('ipv6.dst', destination);
  c.put('ipv6.addr', destination);
};

const extensionPrefix = new Map<number, string>([[0, 'ipv6.hopopts'], [43, 'ipv6.routing'], [60, 'ipv6.dstopts']]);

const emitIpv6Extension: FieldEmitter = (c, { introducedBy }) => {
  if (introducedBy === 51) {
    c.put('ah.next_header', String(c.u8(0)));
    c.put('ah.length', String(c.u8(1)));
    c.put('ah.spi', hex(c.u32(4), 8));
    c.put('ah.sequence', String(c.u32(8)));
    return;
  }
  const prefix = extensionPrefix.get(introducedBy) ?? 'ipv6.hopopts';
  c.put(`${prefix}.nxt`, String(c.u8(0)));
  c.put(`${prefix}.len`, String(c.u8(1)));
};

const emitIpv6Fragment: FieldEmitter = (c) => {
  c.need(0, 8);
  c.put('ipv6.fraghdr.nxt', String(c.u8(0)));
  const word = c.u16(2);
  c.put('ipv6.fraghdr.offset', String(word >> 3));
  c.put('ipv6.fraghdr.more', flag(word & 1));
  c.put('ipv6.fraghdr.ident', hex(c.u32(4), 8));
};

const emitGre: FieldEmitter = (c) => {
  const word = c.u16(0);
  c.put('gre.flags_and_version', hex(word, 4));
  c.put('gre.flags.checksum', flag(word & 0x8000));
  c.put('gre.flags.routing', flag(word & 0x4000));
  c.put('gre.flags.key', flag(word & 0x2000));
  c.put('gre.flags.sequence_number', flag(word & 0x1000));
  c.put('gre.flags.strict_source_route', flag(word & 0x0800));
  c.put('gre.flags.recursion_control', String((word >> 8) & 7));
  c.put('gre.flags.reserved', String((word & 0xf8) >> 3));
  c.put('gre.flags.version', String(word & 7));
  c.put('gre.proto', hex(c.u16(2), 4));
  let at = 4;
  if (word & 0xc000) {
    c.put('gre.checksum', hex(c.u16(4), 4));
    c.put('gre.offset', String(c.u16(6)));
    at = 8;
  }
  if (word & 0x2000) { c.put('gre.key', hex(c.u32(at), 8)); at += 4; }
  if (word & 0x1000) c.put('gre.sequence_number', String(c.u32(at)));
};

const emitUdp: FieldEmitter = (c, { quoted, state }) => {
  const source = c.u16(0);
  c.put('udp.srcport', String(source));
  const destination = c.u16(2);
  c.put('udp.dstport', String(destination));
  c.put('udp.port', String(source));
  c.put('udp.port', String(destination));
  c.put('udp.length', String(c.u16(4)));
  c.put('udp.checksum', hex(c.u16(6), 4));
  // An ICMP redirect's quote ends 8 bytes after the IP header: nothing after the UDP header is dissected.
  if (quoted && state.icmpRedirect) throw stop;
};

const tcpFlagNames: [string, number][] = [
  ['tcp.flags.res', 0xe00], ['tcp.flags.ae', 0x100], ['tcp.flags.cwr', 0x80], ['tcp.flags.ece', 0x40], ['tcp.flags.urg', 0x20],
  ['tcp.flags.ack', 0x10], ['tcp.flags.push', 0x08], ['tcp.flags.reset', 0x04], ['tcp.flags.syn', 0x02], ['tcp.flags.fin', 0x01],
];

const emitTcp: FieldEmitter = (c, { quoted, state }) => {
  const source = c.u16(0);
  c.put('tcp.srcport', String(source));
  const destination = c.u16(2);
  c.put('tcp.dstport', String(destination));
  c.put('tcp.port', String(source));
  c.put('tcp.port', String(destination));
  // Inside an ICMP (v4) error tshark shows the sequence number as tcp.seq (not printed here), and an ICMP
  // redirect's quote is read as the IP header and 8 bytes only; inside ICMPv6 errors it is tcp.seq_raw as usual.
  if (quoted && !state.icmpv6Quote) {
    c.u32(4);
    if (state.icmpRedirect) throw stop;
  } else {
    c.put('tcp.seq_raw', String(c.u32(4)));
  }
  c.put('tcp.ack_raw', String(c.u32(8)));
  const word = c.u16(12);
  const flags = word & 0x0fff;
  const headerLength = (word >> 12) * 4;
  c.put('tcp.hdr_len', String(headerLength));
  c.put('tcp.flags', hex(flags, 4));
  for (const [name, mask] of tcpFlagNames) c.put(name, flag(flags & mask));
  c.put('tcp.window_size_value', String(c.u16(14)));
  c.put('tcp.checksum', hex(c.u16(16), 4));
  c.put('tcp.urgent_pointer', String(c.u16(18)));
  let at = 20;
  while (at < headerLength) {
    const kind = c.u8(at);
    if (kind === 0 || kind === 1) {
      c.put('tcp.option_kind', String(kind));
      if (kind === 0) break;
      at += 1;
      continue;
    }
    // An option whose length is missing, below 2 or past the header is not shown at all.
    if (at + 1 >= headerLength) break;
    const length = c.u8(at + 1);
    if (length < 2 || at + length > headerLength) break;
    c.put('tcp.option_kind', String(kind));
    c.put('tcp.option_len', String(length));
    if (kind === 2 && length === 4) c.put('tcp.options.mss_val', String(c.u16(at + 2)));
    if (kind === 3 && length === 3) {
      const shift = c.u8(at + 2);
      c.put('tcp.options.wscale.shift', String(shift));
      c.put('tcp.options.wscale.multiplier', String(2 ** Math.min(shift, 14)));
    }
    if (kind === 8 && length === 10) {
      c.put('tcp.options.timestamp.tsval', String(c.u32(at + 2)));
      c.put('tcp.options.timestamp.tsecr', String(c.u32(at + 6)));
    }
    at += length;
  }
};

const emitIcmp: FieldEmitter = (c, { state }) => {
  const type = c.u8(0);
  state.icmpRedirect = type === 5;
  state.icmpv6Quote = false;
  c.put('icmp.type', String(type));
  const code = c.u8(1);
  c.put('icmp.code', String(code));
  c.put('icmp.checksum', hex(c.u16(2), 4));
  // tshark verifies the checksum only when the whole message was captured and is not an IP fragment (else: 2, unverified).
  const whole = state.reportedEnd <= c.end && !state.fragmented;
  c.put('icmp.checksum.status', !whole ? '2' : internetChecksumSum(c.data, c.base, c.end - c.base) === 0xffff ? '1' : '0');
  if (type === 0 || type === 8 || type === 13 || type === 14 || type === 15 || type === 16 || type === 17 || type === 18) {
    const identifier = c.u16(4);
    c.put('icmp.ident', String(identifier));
    c.put('icmp.ident_le', String(((identifier & 0xff) << 8) | (identifier >> 8)));
    const sequence = c.u16(6);
    c.put('icmp.seq', String(sequence));
    c.put('icmp.seq_le', String(((sequence & 0xff) << 8) | (sequence >> 8)));
  } else if (type === 3 && code === 4) {
    c.put('icmp.mtu', String(c.u16(6)));
  }
};

const emitIcmpv6: FieldEmitter = (c, { state }) => {
  const type = c.u8(0);
  state.icmpv6Quote = true;
  state.icmpRedirect = false;
  c.put('icmpv6.type', String(type));
  c.put('icmpv6.code', String(c.u8(1)));
  c.put('icmpv6.checksum', hex(c.u16(2), 4));
  if (type === 128 || type === 129) {
    c.put('icmpv6.echo.identifier', hex(c.u16(4), 4));
    c.put('icmpv6.echo.sequence_number', String(c.u16(6)));
  } else if (type === 2) {
    c.put('icmpv6.mtu', String(c.u32(4)));
  }
};

const emitVxlan: FieldEmitter = (c) => {
  const flags = c.u16(0);
  c.put('vxlan.flags', hex(flags, 4));
  c.put('vxlan.flag_i', flag(flags & 0x0800));
  c.put('vxlan.vni', String(c.u24(4)));
  c.put('vxlan.reserved8', String(c.u8(7)));
};

const emitGeneve: FieldEmitter = (c) => {
  const first = c.u8(0);
  c.put('geneve.version', String(first >> 6));
  c.put('geneve.option.length', String((first & 0x3f) * 4));
  const flags = c.u8(1);
  c.put('geneve.flags', hex(flags, 2));
  c.put('geneve.flags.oam', flag(flags & 0x80));
  c.put('geneve.flags.critical', flag(flags & 0x40));
  c.put('geneve.proto_type', hex(c.u16(2), 4));
  c.put('geneve.vni', hex(c.u24(4), 6));
  c.put('geneve.reserved', hex(c.u8(7), 2));
  const headerLength = 8 + (first & 0x3f) * 4;
  let at = 8;
  while (at + 4 <= headerLength) {
    c.put('geneve.option.class', hex(c.u16(at), 4));
    c.put('geneve.option.type', hex(c.u8(at + 2), 2));
    const length = (c.u8(at + 3) & 0x1f) * 4;
    c.put('geneve.option.length', String(4 + length));
    at += 4 + length;
  }
};

const emitLinuxSll: FieldEmitter = (c) => {
  c.put('sll.pkttype', String(c.u16(0)));
  const hatype = c.u16(2);
  c.put('sll.hatype', String(hatype));
  const halen = c.u16(4);
  c.put('sll.halen', String(halen));
  if (halen === 6 && (hatype === 1 || hatype === 772)) c.put('sll.src.eth', c.mac(6));
  const protocol = c.u16(14);
  c.put(protocol < 0x0600 ? 'sll.ltype' : 'sll.etype', hex(protocol, 4));
};

const emitLinuxSll2: FieldEmitter = (c) => {
  c.need(0, 12);
  const protocol = c.u16(0);
  c.put(protocol < 0x0600 ? 'sll.ltype' : 'sll.etype', hex(protocol, 4));
  c.put('sll.ifindex', String(c.u32(4)));
  const hatype = c.u16(8);
  c.put('sll.hatype', String(hatype));
  c.put('sll.pkttype', String(c.u8(10)));
  const halen = c.u8(11);
  c.put('sll.halen', String(halen));
  if (halen === 6 && (hatype === 1 || hatype === 772)) c.put('sll.src.eth', c.mac(12));
};

const emitLoopback: FieldEmitter = (c) => {
  c.need(0, 4);
  const little = (c.data[c.base]! | (c.data[c.base + 1]! << 8) | (c.data[c.base + 2]! << 16) | (c.data[c.base + 3]! << 24)) >>> 0;
  c.put('null.family', String(little > 0xffff ? readUint32(c.data, c.base) : little));
};

const emitLoop: FieldEmitter = (c) => {
  c.put('null.family', String(c.u32(0)));
};

const emitters: (FieldEmitter | undefined)[] = [];
emitters[LayerKind.ethernet] = emitEthernet;
emitters[LayerKind.vlan] = emitVlan;
emitters[LayerKind.mpls] = emitMpls;
emitters[LayerKind.pppoe] = emitPppoe;
emitters[LayerKind.llc] = emitLlc;
emitters[LayerKind.arp] = emitArp;
emitters[LayerKind.ipv4] = emitIpv4;
emitters[LayerKind.ipv6] = emitIpv6;
emitters[LayerKind.ipv6Extension] = emitIpv6Extension;
emitters[LayerKind.ipv6Fragment] = emitIpv6Fragment;
emitters[LayerKind.gre] = emitGre;
emitters[LayerKind.udp] = emitUdp;
emitters[LayerKind.tcp] = emitTcp;
emitters[LayerKind.icmp] = emitIcmp;
emitters[LayerKind.icmpv6] = emitIcmpv6;
emitters[LayerKind.vxlan] = emitVxlan;
emitters[LayerKind.geneve] = emitGeneve;
emitters[LayerKind.linuxSll] = emitLinuxSll;
emitters[LayerKind.linuxSll2] = emitLinuxSll2;
emitters[LayerKind.null] = emitLoopback;
emitters[LayerKind.loop] = emitLoop;

/**
 * True when tshark (with its default IP reassembly on) would not dissect past layer `index`: an
 * IPv4 or IPv6 fragment whose whole payload was captured is held for reassembly, not dissected.
 */
function tsharkStopsAfter(layers: PacketLayers, index: number, frame: TsharkFrameInfo | undefined): boolean {
  const kind = layers.kinds[index]!;
  if (layers.quoted[index]) return kind === LayerKind.tcp;
  const data = layers.data;
  const offset = layers.offsets[index]!;
  if (kind === LayerKind.ipv4) {
    if (frame?.ipDefragment === false) return false;
    const fragment = readUint16(data, offset + 6) & 0x3fff;
    if (fragment === 0) return false;
    const totalLength = readUint16(data, offset + 2);
    return offset + totalLength <= data.length;
  }
  if (kind === LayerKind.ipv6Fragment) {
    if (frame?.ipv6Defragment === false) return false;
    const word = readUint16(data, offset + 2);
    return (word & 0xfff9) !== 0;
  }
  return false;
}

const transportMinimum = new Map<number, number>([[LayerKind.udp, 8], [LayerKind.icmp, 8], [LayerKind.icmpv6, 8]]);

/** Every tshark field tshark would print for a decoded packet, in tree order (name -> occurrences). */
export function tsharkFieldsOfLayers(layers: PacketLayers, frame?: TsharkFrameInfo): Map<string, string[]> {
  const c = new FieldCollector();
  if (frame) {
    c.put('frame.number', String(frame.number));
    c.put('frame.len', String(frame.wireLength));
  }
  c.put('frame.cap_len', String(layers.data.length));
  const wireLength = frame?.wireLength ?? layers.data.length;
  const state: EmitState = { customerTagNext: false, icmpRedirect: false, icmpv6Quote: false, reportedEnd: Number.MAX_SAFE_INTEGER, datagramEnd: Number.MAX_SAFE_INTEGER, wireLength, fragmented: false };
  // tshark's raw-IP dissector shows nothing for fewer than 8 bytes.
  if (layers.linkType === LinkType.RAW && layers.data.length < 8) return c.values;
  let index = 0;
  try {
    for (; index < layers.count; index++) {
      const emit = emitters[layers.kinds[index]!];
      if (!emit) continue;
      c.at(layers.data, layers.offsets[index]!, layers.ends[index]!);
      emit(c, { introducedBy: layers.introducedBy[index]!, quoted: layers.quoted[index] === 1, state });
      if (tsharkStopsAfter(layers, index, frame)) return c.values;
    }
    // The header where decoding stopped: tshark shows its fields up to the first one cut off.
    if (layers.cutKind !== 0) {
      const emit = emitters[layers.cutKind];
      if (emit) {
        c.at(layers.data, layers.cutOffset, layers.cutEnd);
        emit(c, { introducedBy: layers.cutIntroducedBy, quoted: true, state });
      }
    } else if (layers.errorKind !== 0 && layers.errorLayerOffset >= 0) {
      const emit = emitters[layers.errorKind];
      // A UDP or ICMP header whose IP datagram is too short to hold it at all is not dissected by tshark (TCP is, up to the cut).
      const minimum = transportMinimum.get(layers.errorKind) ?? 0;
      if (emit && state.datagramEnd - layers.errorLayerOffset >= minimum) {
        c.at(layers.data, layers.errorLayerOffset, layers.errorEnd >= 0 ? layers.errorEnd : layers.data.length);
        emit(c, { introducedBy: layers.errorIntroducedBy, quoted: layers.quoting, state });
      }
    }
  } catch (error) {
    if (error !== stop) throw error;
  }
  return c.values;
}

/** The names of every tshark field this module can print. */
export const TSHARK_FIELD_NAMES: readonly string[] = [
  'frame.number', 'frame.len', 'frame.cap_len',
  'eth.dst', 'eth.src', 'eth.addr', 'eth.type', 'eth.len',
  'vlan.priority', 'vlan.dei', 'vlan.id', 'vlan.etype', 'vlan.len', 'ieee8021ad.priority', 'ieee8021ad.dei', 'ieee8021ad.id',
  'ieee8021ad.svid', 'ieee8021ad.cvid',
  'mpls.label', 'mpls.exp', 'mpls.bottom', 'mpls.ttl',
  'pppoe.version', 'pppoe.type', 'pppoe.code', 'pppoe.session_id', 'pppoe.payload_length', 'ppp.protocol',
  'llc.dsap', 'llc.ssap', 'llc.control', 'llc.oui', 'llc.type',
  'arp.hw.type', 'arp.proto.type', 'arp.hw.size', 'arp.proto.size', 'arp.opcode', 'arp.src.hw_mac', 'arp.src.proto_ipv4',
  'arp.dst.hw_mac', 'arp.dst.proto_ipv4', 'arp.src.hw', 'arp.src.proto', 'arp.dst.hw', 'arp.dst.proto',
  'ip.version', 'ip.hdr_len', 'ip.dsfield', 'ip.dsfield.dscp', 'ip.dsfield.ecn', 'ip.len', 'ip.id', 'ip.flags', 'ip.flags.rb',
  'ip.flags.df', 'ip.flags.mf', 'ip.frag_offset', 'ip.ttl', 'ip.proto', 'ip.checksum', 'ip.checksum.status', 'ip.src', 'ip.dst', 'ip.addr',
  'ipv6.version', 'ipv6.tclass', 'ipv6.tclass.dscp', 'ipv6.tclass.ecn', 'ipv6.flow', 'ipv6.plen', 'ipv6.nxt', 'ipv6.hlim',
  'ipv6.src', 'ipv6.dst', 'ipv6.addr', 'ipv6.hopopts.nxt', 'ipv6.hopopts.len', 'ipv6.routing.nxt', 'ipv6.routing.len',
  'ipv6.dstopts.nxt', 'ipv6.dstopts.len', 'ipv6.fraghdr.nxt', 'ipv6.fraghdr.offset', 'ipv6.fraghdr.more', 'ipv6.fraghdr.ident',
  'ah.next_header', 'ah.length', 'ah.spi', 'ah.sequence',
  'gre.flags_and_version', 'gre.flags.checksum', 'gre.flags.routing', 'gre.flags.key', 'gre.flags.sequence_number',
  'gre.flags.strict_source_route', 'gre.flags.recursion_control', 'gre.flags.reserved', 'gre.flags.version', 'gre.proto',
  'gre.checksum', 'gre.offset', 'gre.key', 'gre.sequence_number',
  'udp.srcport', 'udp.dstport', 'udp.port', 'udp.length', 'udp.checksum',
  'tcp.srcport', 'tcp.dstport', 'tcp.port', 'tcp.seq_raw', 'tcp.ack_raw', 'tcp.hdr_len', 'tcp.flags',
  ...tcpFlagNames.map(([name]) => name),
  'tcp.window_size_value', 'tcp.checksum', 'tcp.urgent_pointer', 'tcp.option_kind', 'tcp.option_len', 'tcp.options.mss_val',
  'tcp.options.wscale.shift', 'tcp.options.wscale.multiplier', 'tcp.options.timestamp.tsval', 'tcp.options.timestamp.tsecr',
  'icmp.type', 'icmp.code', 'icmp.checksum', 'icmp.checksum.status', 'icmp.ident', 'icmp.ident_le', 'icmp.seq', 'icmp.seq_le', 'icmp.mtu',
  'icmpv6.type', 'icmpv6.code', 'icmpv6.checksum', 'icmpv6.echo.identifier', 'icmpv6.echo.sequence_number', 'icmpv6.mtu',
  'vxlan.flags', 'vxlan.flag_i', 'vxlan.vni', 'vxlan.reserved8',
  'geneve.version', 'geneve.flags', 'geneve.flags.oam', 'geneve.flags.critical', 'geneve.proto_type', 'geneve.vni', 'geneve.reserved',
  'geneve.option.class', 'geneve.option.type', 'geneve.option.length',
  'sll.pkttype', 'sll.hatype', 'sll.halen', 'sll.src.eth', 'sll.etype', 'sll.ltype', 'sll.ifindex', 'null.family',
];

const known = new Set(TSHARK_FIELD_NAMES);

/** True when `name` is a tshark field this module prints. */
export function isKnownTsharkField(name: string): boolean {
  return known.has(name);
}

/** One `tshark -T fields` line's cells for `fieldNames` (occurrences joined by commas, absent fields empty). */
export function tsharkFieldRow(layers: PacketLayers, fieldNames: readonly string[], frame?: TsharkFrameInfo): string[] {
  const values = tsharkFieldsOfLayers(layers, frame);
  return fieldNames.map((name) => (values.get(name) ?? []).join(','));
}
