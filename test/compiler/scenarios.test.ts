/**
 * The field scenarios of /work/shared/SCENARIOS.md: each scenario's frames are built with the packet
 * builders, and every scenario filter is checked twice: against the verdict the protocol facts demand
 * (so each offset the page quotes is verified, not trusted) and against libpcap's own program.
 */
import { describe, expect, it } from 'vitest';
import { compileToJs } from '../../src/bpf/index.js';
import { LinkType } from '../../src/capture/linktype.js';
import { compileFilter } from '../../src/compiler/index.js';
import { buildPacket, type BuildLayerSpec } from '../../src/packet/build/index.js';
import { libpcapAvailable, libpcapCompile, libpcapRun } from '../support/libpcap.js';
import { describeWithOracle } from '../support/oracle.js';

type Spec = BuildLayerSpec;
const ether = (source = '8a:05:1e:bd:cb:01', destination = 'f4:a7:39:d7:8a:7d'): Spec => ({ type: 'ethernet', source, destination });

/** Scenario 1: Ethernet / 802.1Q / IPv4 (GRE, DF) / GRE with key / inner Ethernet / IPv4 / ICMP echo or TCP. */
const greOverlay = (inner: Spec[]): Uint8Array => buildPacket([
  ether(), { type: 'vlan', vlanId: 100 },
  { type: 'ipv4', source: '172.16.8.3', destination: '167.99.219.77', dontFragment: true },
  { type: 'gre', keyPresent: true, key: 42, protocolType: 0x6558 },
  ether('02:00:00:00:00:01', '02:00:00:00:00:02'), ...inner,
]);
const overlayEcho = greOverlay([{ type: 'ipv4', source: '10.5.5.5', destination: '10.6.6.6' }, { type: 'icmp', icmpType: 8, code: 0 } as Spec]);
const overlayReturn = greOverlay([{ type: 'ipv4', source: '10.6.6.6', destination: '10.5.5.5' }, { type: 'tcp', sourcePort: 22, destinationPort: 40000 }]);
const overlayOther = greOverlay([{ type: 'ipv4', source: '10.7.7.7', destination: '10.8.8.8' }, { type: 'tcp' }]);
/** The same overlay without the VLAN tag, where `ip[...]` starts right after the outer Ethernet header. */
const untaggedOverlay = buildPacket([
  ether(), { type: 'ipv4', source: '172.16.8.3', destination: '167.99.219.77', dontFragment: true },
  { type: 'gre', keyPresent: true, key: 42, protocolType: 0x6558 },
  ether('02:00:00:00:00:01', '02:00:00:00:00:02'), { type: 'ipv4', source: '10.5.5.5', destination: '10.6.6.6' }, { type: 'icmp', icmpType: 8, code: 0 } as Spec,
]);
const fragmentNeeded = buildPacket([ether(), { type: 'ipv4', source: '10.0.0.1', destination: '172.16.8.3' }, { type: 'icmp', icmpType: 3, code: 4 } as Spec, { type: 'payload', data: new Uint8Array(28) }]);
const firstFragment = buildPacket([ether(), { type: 'ipv4', moreFragments: true, fragOffset: 0 }, { type: 'udp' }]);
const laterFragment = buildPacket([ether(), { type: 'ipv4', moreFragments: false, fragOffset: 185 }, { type: 'payload', data: new Uint8Array(16) }]);

/** Scenario 2: UDP to port 1234 with 2-byte payloads, from the VRRP virtual MAC or a Juniper MAC. */
const floatingVrrp = buildPacket([ether('00:00:5e:00:01:6e'), { type: 'ipv4', source: '188.166.68.46', destination: '10.18.0.26' }, { type: 'udp', sourcePort: 50000, destinationPort: 1234 }, { type: 'payload', data: new Uint8Array([0x68, 0x69]) }]);
const dropletJuniper = buildPacket([ether('f4:a7:39:d7:8a:7d'), { type: 'ipv4', source: '188.166.68.46', destination: '167.99.219.77' }, { type: 'udp', sourcePort: 50000, destinationPort: 1234 }, { type: 'payload', data: new Uint8Array([0x68, 0x69, 0x70]) }]);

/** Scenario 3: ARP request, reply and gratuitous ARP; ICMP echo to the public address. */
const arp = (operation: number, destination: string, sender: string, target: string): Uint8Array => buildPacket([
  ether('04:01:be:00:00:01', destination),
  { type: 'arp', operation, senderHardwareAddress: '04:01:be:00:00:01', senderProtocolAddress: sender, targetHardwareAddress: '00:00:00:00:00:00', targetProtocolAddress: target },
]);
const arpRequest = arp(1, 'ff:ff:ff:ff:ff:ff', '159.203.114.1', '159.203.114.10');
const arpReply = arp(2, '8a:05:1e:bd:cb:01', '159.203.114.10', '159.203.114.1');
const gratuitous = arp(1, 'ff:ff:ff:ff:ff:ff', '159.203.114.10', '159.203.114.10');
const echoPublic = buildPacket([ether(), { type: 'ipv4', source: '8.8.8.8', destination: '159.203.114.10' }, { type: 'icmp', icmpType: 8, code: 0 } as Spec]);

/** Scenario 4: DHCP from server port 67; replies whose source port was rewritten into 1..512. */
const dhcp = (sourcePort: number, source: string, destination: string, op: number): Uint8Array => buildPacket([
  ether(), { type: 'ipv4', source, destination }, { type: 'udp', sourcePort, destinationPort: 68 }, { type: 'payload', data: new Uint8Array([op, 1, 6, 0]) },
]);
const dhcpReply = dhcp(67, '192.168.1.12', '10.10.2.7', 2);
const dhcpRewritten = dhcp(300, '192.168.1.12', '10.10.0.5', 2);
const dhcpRequest = dhcp(68, '10.10.0.5', '192.168.1.12', 1);

/** Scenario 5: SYN, SYN+ACK, ACK with data, zero window, RST, FIN. */
const tcp = (flags: number, window = 64240, data = 0, source = '10.0.0.5', destination = '192.168.1.12'): Uint8Array => buildPacket([
  ether(), { type: 'ipv4', source, destination }, { type: 'tcp', sourcePort: 40000, destinationPort: 443, flags, window },
  ...(data > 0 ? [{ type: 'payload', data: new Uint8Array(data) } as Spec] : []),
]);
const syn = tcp(0x02);
const synAck = tcp(0x12);
const ackData = tcp(0x18, 64240, 100);
const zeroWindow = tcp(0x10, 0);
const reset = tcp(0x04);
const finOutside = tcp(0x11, 64240, 0, '8.8.8.8', '188.166.68.46');

/** Scenario 6: GRE without options carrying IPv4 to a router; DNS query and response. */
const greIp = buildPacket([ether(), { type: 'ipv4', source: '172.16.8.3', destination: '167.99.219.77' }, { type: 'gre', protocolType: 0x0800 }, { type: 'ipv4' }, { type: 'udp' }]);
const dns = (flags: number): Uint8Array => buildPacket([ether(), { type: 'ipv4' }, { type: 'udp', sourcePort: 5353, destinationPort: 53 }, { type: 'payload', data: new Uint8Array([0x12, 0x34, flags, 0x00]) }]);
const dnsQuery = dns(0x01);
const dnsResponse = dns(0x81);

/** Each scenario filter with the frames it must accept and those it must reject. */
const CASES: { filter: string; accept: Uint8Array[]; reject: Uint8Array[] }[] = [
  // Inner source at ip[54:4] only behind the VLAN tag (`vlan` moves ip[...] by 4): 20 outer IPv4 + 8 GRE + 14 inner Ethernet + 12.
  { filter: 'vlan and ip proto 47 and (ip[54:4] = 0x0a050505 or ip[58:4] = 0x0a050505)', accept: [overlayEcho, overlayReturn], reject: [overlayOther] },
  { filter: 'vlan and ip[62:4] = 0x0a050505', accept: [], reject: [overlayEcho, overlayReturn] },
  { filter: 'proto gre and (ip[54:4] = 0x0a050505 or ip[58:4] = 0x0a050505)', accept: [untaggedOverlay], reject: [overlayEcho, overlayReturn] },
  { filter: 'vlan and proto gre', accept: [overlayEcho, overlayOther], reject: [untaggedOverlay, fragmentNeeded] },
  { filter: 'ip[6] & 0x40 != 0', accept: [untaggedOverlay], reject: [fragmentNeeded, overlayEcho] },
  { filter: 'ip[6:2] & 0x3fff != 0', accept: [firstFragment, laterFragment], reject: [fragmentNeeded, untaggedOverlay] },
  { filter: 'ip[6:2] & 0x1fff != 0', accept: [laterFragment], reject: [firstFragment, fragmentNeeded] },
  { filter: 'icmp[icmptype] = icmp-unreach and icmp[icmpcode] = 4', accept: [fragmentNeeded], reject: [echoPublic, untaggedOverlay] },
  { filter: 'udp port 1234 and ether src 00:00:5e:00:01:6e', accept: [floatingVrrp], reject: [dropletJuniper] },
  { filter: 'udp and dst net 10.0.0.0/8', accept: [floatingVrrp], reject: [dropletJuniper] },
  { filter: 'ether[6:4] = 0x00005e00 and ether[10] = 1', accept: [floatingVrrp], reject: [dropletJuniper] },
  { filter: 'udp[4:2] = 10', accept: [floatingVrrp], reject: [dropletJuniper] },
  { filter: 'arp', accept: [arpRequest, arpReply, gratuitous], reject: [echoPublic] },
  { filter: 'arp[6:2] = 2', accept: [arpReply], reject: [arpRequest, gratuitous] },
  { filter: 'arp and ether broadcast', accept: [arpRequest, gratuitous], reject: [arpReply, echoPublic] },
  { filter: 'arp host 159.203.114.10', accept: [arpRequest, arpReply, gratuitous], reject: [echoPublic] },
  { filter: 'ether host 04:01:be:00:00:01', accept: [arpRequest, arpReply], reject: [echoPublic] },
  { filter: 'icmp and host 159.203.114.10', accept: [echoPublic], reject: [arpRequest] },
  { filter: 'udp port 67 or udp port 68', accept: [dhcpReply, dhcpRewritten, dhcpRequest], reject: [dnsQuery] },
  { filter: 'udp src port 67', accept: [dhcpReply], reject: [dhcpRewritten, dhcpRequest] },
  { filter: 'udp and src portrange 1-512 and not src port 67', accept: [dhcpRewritten, dhcpRequest], reject: [dhcpReply, dnsQuery] },
  { filter: 'src 192.168.1.12 and dst net 10.10.0.0/16', accept: [dhcpReply, dhcpRewritten], reject: [dhcpRequest] },
  { filter: 'udp[8] = 2', accept: [dhcpReply, dhcpRewritten], reject: [dhcpRequest] },
  { filter: 'tcp[tcpflags] == tcp-syn', accept: [syn], reject: [synAck, ackData, reset] },
  { filter: 'tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)', accept: [synAck], reject: [syn, ackData] },
  { filter: 'tcp[tcpflags] & tcp-rst != 0', accept: [reset], reject: [syn, finOutside] },
  { filter: 'tcp[14:2] = 0', accept: [zeroWindow], reject: [syn, ackData] },
  { filter: 'tcp and (ip[2:2] - ((ip[0]&0xf)<<2) - ((tcp[12]&0xf0)>>2)) != 0', accept: [ackData], reject: [syn, zeroWindow, reset] },
  { filter: 'tcp[tcpflags] & (tcp-syn|tcp-fin) != 0 and not src and dst net 10.0.0.0/8', accept: [syn, synAck, finOutside], reject: [reset, ackData] },
  { filter: 'ip proto 47 and ip[22:2] = 0x0800', accept: [greIp], reject: [untaggedOverlay, dnsQuery] },
  { filter: 'tcp[tcpflags] == tcp-syn and dst port 443', accept: [syn], reject: [synAck, finOutside] },
  { filter: 'udp dst port 53 and udp[10] & 0x80 = 0', accept: [dnsQuery], reject: [dnsResponse, dhcpReply] },
];

/** Scenario 1's "what no stock tool does": our `gre` names the inner fields instead of raw offsets (no libpcap to compare). */
const GRE_CASES: { filter: string; accept: Uint8Array[]; reject: Uint8Array[] }[] = [
  { filter: 'vlan and gre and host 10.5.5.5', accept: [overlayEcho, overlayReturn], reject: [overlayOther, untaggedOverlay, greIp] },
  { filter: 'gre and host 10.5.5.5', accept: [untaggedOverlay], reject: [overlayEcho, greIp] },
  { filter: 'vlan and gre 42 and icmp', accept: [overlayEcho], reject: [overlayReturn, overlayOther] },
  { filter: 'vlan and gre 43 and icmp', accept: [], reject: [overlayEcho, overlayReturn] },
  { filter: 'gre and ip and udp', accept: [greIp], reject: [untaggedOverlay, dnsQuery] },
];

describe('compiler gre on the scenario 1 overlay', () => {
  for (const { filter, accept, reject } of GRE_CASES) {
    it(filter, () => {
      const run = compileToJs(compileFilter(filter));
      expect([...accept, ...reject].map((p) => run(p, p.length, p.length) !== 0)).toEqual([...accept.map(() => true), ...reject.map(() => false)]);
    });
  }
});

describeWithOracle('compiler on the SCENARIOS.md filters', libpcapAvailable(), 'gcc and libpcap-dev', () => {
  for (const { filter, accept, reject } of CASES) {
    it(filter, () => {
      const packets = [...accept, ...reject];
      const expected = [...accept.map(() => true), ...reject.map(() => false)];
      for (const optimize of [true, false]) {
        const program = compileFilter(filter, { linkType: LinkType.EN10MB, optimize });
        const run = compileToJs(program);
        expect(packets.map((p) => run(p, p.length, p.length) !== 0), `ours, optimize=${optimize}`).toEqual(expected);
        const theirs = libpcapCompile([filter], { linkType: LinkType.EN10MB, optimize });
        expect(theirs[0]!.ok).toBe(true);
        const results = libpcapRun([program, theirs[0]!.ok ? theirs[0]!.program : []], packets.map((data) => ({ data })));
        expect(results[0], 'our program in bpf_filter').toEqual(results[1]);
        expect(results[1]!.map((r) => r !== 0), "libpcap's program").toEqual(expected);
      }
    });
  }
});
