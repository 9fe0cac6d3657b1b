/**
 * The raw offsets of /work/shared/SCENARIOS.md, checked on frames built byte by byte from the protocol
 * layouts: libpcap's program for each filter must accept (or reject) the frame as the protocol facts say,
 * and our interpreter and compiled JavaScript must return exactly what libpcap's bpf_filter returns.
 */
import { expect, it } from 'vitest';
import { compileToJs, createInterpreter, formatCommaForm } from '../../src/bpf/index.js';
import { describeWithOracle } from '../support/oracle.js';
import { libpcapAvailable, libpcapCompile, libpcapRun } from '../support/libpcap.js';

const bytes = (...parts: (number | number[])[]): number[] => parts.flat();
const u16 = (value: number): number[] => [value >> 8, value & 0xff];
const ethernetHeader = (etherType: number, source = [0x02, 0, 0, 0, 0, 1]): number[] => bytes([0x02, 0, 0, 0, 0, 2], source, u16(etherType));
/** An IPv4 header without options (IHL 5): flags/fragment word, protocol, source, destination. */
const ipv4Header = (protocol: number, payloadLength: number, source: number[], destination: number[], flagsAndOffset = 0x4000): number[] =>
  bytes(0x45, 0, u16(20 + payloadLength), u16(1), u16(flagsAndOffset), 64, protocol, 0, 0, source, destination);
const icmpEcho = bytes(8, 0, 0, 0, 0, 1, 0, 1);

/** Runs libpcap's program for `filter` (link type `linkType`) on `frame` with libpcap and our engines. */
function verdicts(filter: string, frame: number[], linkType = 1): { libpcap: number; interp: number; js: number } {
  const [compiled] = libpcapCompile([filter], { linkType });
  if (!compiled!.ok) throw new Error(`${filter}: ${compiled!.error}`);
  const data = Uint8Array.from(frame);
  const [[libpcap]] = libpcapRun([compiled!.program], [{ data }], linkType) as [[number]];
  return { libpcap, interp: createInterpreter(compiled!.program)(data, data.length, data.length), js: compileToJs(compiled!.program)(data, data.length, data.length) };
}

/** Asserts that the frame is accepted (or not) by libpcap and that our engines agree exactly. */
function expectMatch(filter: string, frame: number[], accepted: boolean, linkType = 1): void {
  const result = verdicts(filter, frame, linkType);
  expect(result.interp, `${filter}: interpreter`).toBe(result.libpcap);
  expect(result.js, `${filter}: compiled`).toBe(result.libpcap);
  expect(result.libpcap !== 0, `${filter} should ${accepted ? '' : 'not '}match`).toBe(accepted);
}

describeWithOracle('SCENARIOS.md offsets', libpcapAvailable(), 'gcc with libpcap-dev', () => {
  // 1. Outer IPv4 (20 bytes) / GRE with the Key bit (8 bytes: flags 0x2000, protocol 0x6558, key) /
  //    inner Ethernet (14 bytes) / inner IPv4 from 10.5.5.5 to 10.9.9.9 / ICMP echo.
  //    From the start of the outer IP header: inner IP at 20 + 8 + 14 = 42, its source at 42 + 12 = 54,
  //    its destination at 58.
  const innerIp = bytes(ipv4Header(1, 8, [10, 5, 5, 5], [10, 9, 9, 9]), icmpEcho);
  const greKeyed = bytes(u16(0x2000), u16(0x6558), [0, 0, 0, 42], ethernetHeader(0x0800), innerIp);
  const outer = bytes(ipv4Header(47, greKeyed.length, [192, 0, 2, 1], [192, 0, 2, 2]), greKeyed);
  const untagged = bytes(ethernetHeader(0x0800), outer);
  const tagged = bytes([0x02, 0, 0, 0, 0, 2], [0x02, 0, 0, 0, 0, 1], u16(0x8100), u16(100), u16(0x0800), outer);

  it('GRE carrying Ethernet: the inner source is ip[54:4] and the destination ip[58:4]', () => {
    expect(outer.slice(54, 58)).toEqual([10, 5, 5, 5]);
    expect(outer.slice(58, 62)).toEqual([10, 9, 9, 9]);
    expectMatch('proto gre and (ip[54:4] = 0x0a050505 or ip[58:4] = 0x0a050505)', untagged, true);
    expectMatch('proto gre and ip[58:4] = 0x0a090909', untagged, true);
    // The guess one header off (inner source at 58) does not find 10.5.5.5.
    expectMatch('proto gre and (ip[58:4] = 0x0a050505 or ip[62:4] = 0x0a050505)', untagged, false);
    // With the 802.1Q tag, plain `ip` filters do not look past it; `vlan and ...` does.
    expectMatch('proto gre and ip[54:4] = 0x0a050505', tagged, false);
    expectMatch('vlan and proto gre', tagged, true);
    expectMatch('vlan and proto gre and ip[54:4] = 0x0a050505', tagged, true);
    expectMatch('ip[6] & 0x40 != 0', untagged, true);
    expectMatch('ip[6:2] & 0x3fff != 0', untagged, false);
  });

  it('fragments and ICMP fragmentation-needed', () => {
    const nonFirst = bytes(ethernetHeader(0x0800), ipv4Header(17, 8, [10, 0, 0, 1], [10, 0, 0, 2], 0x2000 | 185), [0, 53, 0, 53, 0, 8, 0, 0]);
    expectMatch('ip[6:2] & 0x1fff != 0', nonFirst, true);
    expectMatch('ip[6:2] & 0x3fff != 0', nonFirst, true);
    // Type 3 (unreachable) code 4 (fragmentation needed).
    const fragNeeded = bytes(ethernetHeader(0x0800), ipv4Header(1, 8, [10, 0, 0, 1], [10, 0, 0, 2]), [3, 4, 0, 0, 0, 0, 0x05, 0xdc]);
    expectMatch('icmp[icmptype] = icmp-unreach and icmp[icmpcode] = 4', fragNeeded, true);
    expectMatch('icmp[icmptype] = icmp-unreach and icmp[icmpcode] = 4', bytes(ethernetHeader(0x0800), ipv4Header(1, 8, [10, 0, 0, 1], [10, 0, 0, 2]), icmpEcho), false);
  });

  it('VRRP MAC, UDP length and BOOTREPLY offsets', () => {
    const vrrp = [0x00, 0x00, 0x5e, 0x00, 0x01, 0x6e];
    // UDP to port 1234 with a 2-byte payload: UDP length 8 + 2 = 10 at udp[4:2].
    const udp1234 = bytes(ethernetHeader(0x0800, vrrp), ipv4Header(17, 10, [192, 0, 2, 9], [10, 18, 0, 5]), u16(40000), u16(1234), u16(10), u16(0), [0x68, 0x69]);
    expectMatch('udp port 1234 and ether src 00:00:5e:00:01:6e', udp1234, true);
    expectMatch('ether[6:4] = 0x00005e00 and ether[10] = 1', udp1234, true);
    expectMatch('udp[4:2] = 10', udp1234, true);
    expectMatch('udp and dst net 10.0.0.0/8', udp1234, true);
    // DHCP: the BOOTP op byte is the first payload byte, udp[8]; 2 = BOOTREPLY.
    const bootReply = bytes(ethernetHeader(0x0800), ipv4Header(17, 8 + 4, [192, 168, 1, 12], [10, 10, 3, 4]), u16(67), u16(68), u16(12), u16(0), [2, 1, 6, 0]);
    expectMatch('udp[8] = 2', bootReply, true);
    expectMatch('udp src port 67', bootReply, true);
    expectMatch('src 192.168.1.12 and dst net 10.10.0.0/16', bootReply, true);
  });

  it('ARP reply opcode at arp[6:2]', () => {
    // htype 1, ptype 0x0800, hlen 6, plen 4, oper 2 (reply), sender MAC/IP, target MAC/IP.
    const reply = bytes(ethernetHeader(0x0806, [0x04, 0x01, 0xbe, 0, 0, 1]), u16(1), u16(0x0800), 6, 4, u16(2), [0x04, 0x01, 0xbe, 0, 0, 1], [159, 203, 114, 10], [2, 0, 0, 0, 0, 2], [159, 203, 114, 1]);
    expectMatch('arp[6:2] = 2', reply, true);
    expectMatch('arp host 159.203.114.10', reply, true);
    expectMatch('ether host 04:01:be:00:00:01', reply, true);
  });

  it('TCP window, flags and payload-length arithmetic', () => {
    // Data offset 5 (20 bytes), flags at tcp[13], window at tcp[14:2].
    const tcp = (flags: number, window: number, payload: number[]): number[] => bytes(
      ethernetHeader(0x0800), ipv4Header(6, 20 + payload.length, [10, 0, 0, 1], [10, 0, 0, 2]),
      u16(40000), u16(443), [0, 0, 0, 1], [0, 0, 0, 0], 0x50, flags, u16(window), [0, 0, 0, 0], payload);
    expectMatch('tcp[14:2] = 0', tcp(0x10, 0, []), true);
    expectMatch('tcp[14:2] = 0', tcp(0x10, 512, []), false);
    expectMatch('tcp[tcpflags] == tcp-syn and dst port 443', tcp(0x02, 64240, []), true);
    expectMatch('tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)', tcp(0x12, 64240, []), true);
    expectMatch('tcp[tcpflags] & tcp-rst != 0', tcp(0x04, 0, []), true);
    const carriesData = 'tcp and (ip[2:2] - ((ip[0]&0xf)<<2) - ((tcp[12]&0xf0)>>2)) != 0';
    expectMatch(carriesData, tcp(0x18, 512, [1, 2, 3]), true);
    expectMatch(carriesData, tcp(0x10, 512, []), false);
  });

  it('iptables comma form for raw IP (no Ethernet): GRE protocol at ip[22:2], DNS QR bit at udp[10]', () => {
    const greIp = bytes(ipv4Header(47, 4 + 28, [192, 0, 2, 1], [198, 51, 100, 7]), u16(0), u16(0x0800), ipv4Header(1, 8, [10, 0, 0, 1], [10, 0, 0, 2]), icmpEcho);
    const raw = 12; // DLT_RAW as pcap_open_dead takes it on Linux (LINKTYPE_RAW 101 in files)
    expectMatch('ip proto 47 and ip[22:2] = 0x0800', greIp, true, raw);
    const [compiled] = libpcapCompile(['ip proto 47 and ip[22:2] = 0x0800'], { linkType: raw });
    if (!compiled!.ok) throw new Error(compiled!.error);
    // No Ethernet: the first load of a raw-IP program reads the IP header itself, never ether type at 12.
    expect(formatCommaForm(compiled!.program)).toMatch(/^\d+,/);
    expect(compiled!.program.some((insn) => insn.code === 0x28 && insn.k === 12)).toBe(false);
    // DNS: UDP header 8 bytes, DNS flags byte 2 of the DNS header: udp[10]; QR (0x80) clear on queries.
    const dns = (flags: number): number[] => bytes(ethernetHeader(0x0800), ipv4Header(17, 8 + 12, [10, 0, 0, 1], [8, 8, 8, 8]), u16(5353), u16(53), u16(20), u16(0), u16(0x1234), flags, 0, [0, 1, 0, 0, 0, 0, 0, 0]);
    expectMatch('udp dst port 53 and udp[10] & 0x80 = 0', dns(0x01), true);
    expectMatch('udp dst port 53 and udp[10] & 0x80 = 0', dns(0x81), false);
  });
});
