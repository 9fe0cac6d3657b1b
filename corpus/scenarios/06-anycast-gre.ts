/**
 * Scenario 6 (seeds/004, later parts): Magic Transit. Traffic for Acme's prefix 203.0.113.0/24 lands
 * on an edge server, which forwards what survives DoS mitigation to Acme's router through an anycast
 * GRE tunnel: GRE without options (4-byte header) carrying IPv4 (0x0800), and one IPv6 packet
 * (0x86dd). Around it: a SYN flood to port 443, DNS queries over UDP and DNS responses. The edge
 * runs classic BPF in iptables (xt_bpf), which sees raw IP packets: the same packets without their
 * Ethernet header make the RAW capture.
 */
import type { BuildLayerSpec } from '../../src/packet/build/index.js';
import { encodeDns } from '../support/dns.js';
import { frame } from '../support/frames.js';
import type { CorpusFrame } from '../support/frames.js';
import { secondsNs, utcNs } from '../support/time.js';

/** The hosts of scenario 6 (documentation addresses standing in for the story's). */
export const ANYCAST_GRE = {
  edgeMac: '0c:c4:7a:00:00:01', routerMac: '3c:fd:fe:00:00:02',
  anycastTunnelAddress: '192.0.2.254', acmeRouterAddress: '198.51.100.1',
  ftpServer: '203.0.113.100', webServer: '203.0.113.80', dnsServer: '203.0.113.53', webServerV6: '2001:db8:ac3e::80',
  client: '192.0.2.77', clientV6: '2001:db8:c1::77', resolver: '198.51.100.53',
} as const;

const S = ANYCAST_GRE;
const mssOptions = [{ kind: 2, data: Uint8Array.of(0x05, 0xb4) }];

/** The SYN flood's spoofed sources: fixed, so the corpus never changes. */
export const SYN_FLOOD_SOURCES: readonly string[] = ['45.12.7.19', '91.200.14.3', '185.22.61.240', '103.77.5.88', '5.188.10.176', '179.43.128.9'];

/** One packet of the story: `inner` is the IP packet; `tunnelled` wraps it in the anycast GRE tunnel to Acme's router. */
interface StoryPacket { at: bigint; note: string; inner: BuildLayerSpec[]; tunnelled: boolean; inbound: boolean }

/** The IP packets of scenario 6, in capture order, with their Ethernet direction. */
function storyPackets(): StoryPacket[] {
  const start = utcNs('2019-08-13T16:04:55', 120_000_000n);
  const t = (seconds: number): bigint => start + secondsNs(seconds);
  const packets: StoryPacket[] = [];
  const syn = (source: string, destination: string, sourcePort: number, destinationPort: number, identification: number): BuildLayerSpec[] => [
    { type: 'ipv4', source, destination, ttl: 57, identification, dontFragment: true },
    { type: 'tcp', sourcePort, destinationPort, sequenceNumber: (identification * 2654435761) >>> 0, flags: 0x02, window: 64240, options: mssOptions },
  ];
  // The FTP connection from the story: the SYN arrives at the edge, then leaves through the tunnel.
  packets.push({ at: t(0), note: 'SYN 192.0.2.77 -> Acme FTP 203.0.113.100:21 arrives at the edge', inner: syn(S.client, S.ftpServer, 50112, 21, 0x1001), tunnelled: false, inbound: true });
  packets.push({ at: t(0.000031), note: 'the same SYN leaves in anycast GRE (no options, protocol 0x0800) to Acme router 198.51.100.1', inner: syn(S.client, S.ftpServer, 50112, 21, 0x1001), tunnelled: true, inbound: false });
  // A SYN flood to port 443: most arrive, the ones that pass mitigation are tunnelled.
  SYN_FLOOD_SOURCES.forEach((source, i) => {
    const packet = syn(source, S.webServer, 1024 + i * 977, 443, 0x2000 + i);
    packets.push({ at: t(1 + i * 0.000113), note: `SYN flood to 203.0.113.80:443 from ${source}`, inner: packet, tunnelled: false, inbound: true });
    if (i % 3 === 0) packets.push({ at: t(1 + i * 0.000113 + 0.000029), note: `flood SYN from ${source} passed mitigation, tunnelled`, inner: packet, tunnelled: true, inbound: false });
  });
  // An IPv6 SYN through the same tunnel (GRE protocol 0x86dd).
  packets.push({
    at: t(1.5), note: 'IPv6 SYN to [2001:db8:ac3e::80]:443 tunnelled (GRE protocol 0x86dd)', tunnelled: true, inbound: false,
    inner: [{ type: 'ipv6', source: S.clientV6, destination: S.webServerV6, hopLimit: 57 }, { type: 'tcp', sourcePort: 50200, destinationPort: 443, sequenceNumber: 0x0badcafe, flags: 0x02, window: 64800, options: mssOptions }],
  });
  // DNS: a query from a client, tunnelled; the answer comes back from Acme directly (not through the tunnel).
  const query = encodeDns({ id: 0x4a21, response: false, name: 'ftp.acme.example' });
  const answer = encodeDns({ id: 0x4a21, response: true, name: 'ftp.acme.example', answer: { address: S.ftpServer, ttl: 300 } });
  const dnsQuery: BuildLayerSpec[] = [{ type: 'ipv4', source: S.client, destination: S.dnsServer, ttl: 57, identification: 0x3001 }, { type: 'udp', sourcePort: 53001, destinationPort: 53 }, { type: 'payload', data: query }];
  packets.push({ at: t(2), note: 'DNS query (QR 0) 192.0.2.77:53001 -> 203.0.113.53:53', inner: dnsQuery, tunnelled: false, inbound: true });
  packets.push({ at: t(2.000027), note: 'the DNS query tunnelled to Acme', inner: dnsQuery, tunnelled: true, inbound: false });
  packets.push({ at: t(2.0121), note: 'DNS response (QR 1) 203.0.113.53:53 -> 192.0.2.77:53001, straight from Acme', inner: [{ type: 'ipv4', source: S.dnsServer, destination: S.client, ttl: 54, identification: 0x7001 }, { type: 'udp', sourcePort: 53, destinationPort: 53001 }, { type: 'payload', data: answer }], tunnelled: false, inbound: true });
  // A resolver that queries from port 53: its query and the response both go to port 53.
  const resolverQuery = encodeDns({ id: 0x1b77, response: false, recursionDesired: false, name: 'www.acme.example' });
  const resolverAnswer = encodeDns({ id: 0x1b77, response: true, recursionDesired: false, name: 'www.acme.example', answer: { address: S.webServer, ttl: 300 } });
  packets.push({ at: t(3), note: 'DNS query from resolver 198.51.100.53:53 -> 203.0.113.53:53', inner: [{ type: 'ipv4', source: S.resolver, destination: S.dnsServer, ttl: 60, identification: 0x3101 }, { type: 'udp', sourcePort: 53, destinationPort: 53 }, { type: 'payload', data: resolverQuery }], tunnelled: false, inbound: true });
  packets.push({ at: t(3.0102), note: 'DNS response to port 53 (QR 1): 203.0.113.53:53 -> 198.51.100.53:53', inner: [{ type: 'ipv4', source: S.dnsServer, destination: S.resolver, ttl: 54, identification: 0x7002 }, { type: 'udp', sourcePort: 53, destinationPort: 53 }, { type: 'payload', data: resolverAnswer }], tunnelled: false, inbound: true });
  return packets;
}

/** The outer IPv4 and GRE headers of the anycast tunnel: GRE without checksum, key or sequence number. */
function tunnel(inner: BuildLayerSpec[], identification: number): BuildLayerSpec[] {
  return [{ type: 'ipv4', source: S.anycastTunnelAddress, destination: S.acmeRouterAddress, ttl: 64, identification }, { type: 'gre' }, ...inner];
}

/** The frames of 06-anycast-gre.pcap (Ethernet), in capture order. */
export function anycastGreFrames(): CorpusFrame[] {
  return storyPackets().map((p, i) => frame(p.at, p.note, [
    { type: 'ethernet', source: p.inbound ? S.routerMac : S.edgeMac, destination: p.inbound ? S.edgeMac : S.routerMac },
    ...(p.tunnelled ? tunnel(p.inner, 0x6000 + i) : p.inner),
  ]));
}

/** The frames of 06-anycast-gre-raw.pcap (LINKTYPE_RAW): the same IP packets as iptables sees them, no link-layer header. */
export function anycastGreRawFrames(): CorpusFrame[] {
  return storyPackets().map((p, i) => frame(p.at, p.note, p.tunnelled ? tunnel(p.inner, 0x6000 + i) : p.inner));
}
