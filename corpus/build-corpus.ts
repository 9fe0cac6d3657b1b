/**
 * Builds the scenario corpus of /work/shared/SCENARIOS.md with our packet builders: one small capture
 * per scenario (fixed timestamps, no randomness, so re-running reproduces the bytes exactly), plus
 * corpus/README.md. Run with `npm run corpus` (node scripts/run-ts.mjs corpus/build-corpus.ts).
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LinkType } from '../src/capture/linktype.js';
import { greOverlayFrames } from './scenarios/01-gre-overlay.js';
import { floatingIpFrames } from './scenarios/02-floating-ip-udp.js';
import { arpFailoverFrames } from './scenarios/03-arp-failover.js';
import { dhcpDnatFrames } from './scenarios/04-dhcp-dnat.js';
import { tcpTimersFrames } from './scenarios/05-tcp-timers.js';
import { anycastGreFrames, anycastGreRawFrames } from './scenarios/06-anycast-gre.js';
import type { CorpusFrame } from './support/frames.js';
import { encodePcap } from '../src/capture/pcap-writer.js';
import { encodePcapng } from '../src/capture/pcapng-writer.js';

/** One committed capture: its file name, scenario, format, link type, frames and story. */
export interface CorpusCapture {
  file: string;
  scenario: number;
  format: 'pcap' | 'pcapng';
  nanosecond: boolean;
  linkType: number;
  frames: () => CorpusFrame[];
  story: string;
}

/** Every capture of the corpus, in scenario order. */
export const CORPUS_CAPTURES: readonly CorpusCapture[] = [
  { file: '01-gre-overlay.pcap', scenario: 1, format: 'pcap', nanosecond: false, linkType: LinkType.EN10MB, frames: greOverlayFrames, story: 'Ethernet / 802.1Q 102 / IPv4 proto 47 (DF and TTL copied from inside) / GRE key 1002, 0x6558 / Ethernet / IPv4 / ICMP echo or ssh TCP to 10.5.5.5; a 1514-byte DF packet and its ICMP frag-needed (MTU 1500); the old fragmented form (1480-byte main packet, 14-byte tail); a few frames untagged.' },
  { file: '02-floating-ip-udp.pcap', scenario: 2, format: 'pcap', nanosecond: false, linkType: LinkType.EN10MB, frames: floatingIpFrames, story: 'UDP to port 1234 with 2-byte payloads (60-byte padded frames): to the droplet 188.166.68.46 from a Juniper MAC, to the floating IP rewritten to the anchor 10.18.0.26 from the VRRP MAC 00:00:5e:00:01:6e, and the replies.' },
  { file: '03-arp-failover.pcap', scenario: 3, format: 'pcap', nanosecond: false, linkType: LinkType.EN10MB, frames: arpFailoverFrames, story: 'Gratuitous ARP (request and reply) from the new balancer 159.203.114.10 / 04:01:be:00:00:01, a SYN still sent to the old MAC, ARP request/reply and ICMP echo to the public address refreshing the neighbour entries.' },
  { file: '04-dhcp-dnat.pcap', scenario: 4, format: 'pcap', nanosecond: false, linkType: LinkType.EN10MB, frames: dhcpDnatFrames, story: 'DHCP server 192.168.1.12: a relayed exchange (port 67 to 67, giaddr 10.10.0.1), unicast renewals from 10.10.0.0/16 clients, and DHCPACKs whose source port was rewritten to 1, 2 and 511.' },
  { file: '05-tcp-timers.pcap', scenario: 5, format: 'pcap', nanosecond: false, linkType: LinkType.EN10MB, frames: tcpTimersFrames, story: 'TCP timers, microsecond stamps: SYN retries at 1, 3, 7, 15, 31, 64 s, SYN+ACK retries and the final ACK, data, zero window and window probes, keepalives, retransmitted data, RST, and a FIN close.' },
  { file: '05-tcp-timers-ns.pcap', scenario: 5, format: 'pcap', nanosecond: true, linkType: LinkType.EN10MB, frames: tcpTimersFrames, story: 'The same frames as 05-tcp-timers.pcap with nanosecond stamps (pcap magic a1b23c4d).' },
  { file: '05-tcp-timers.pcapng', scenario: 5, format: 'pcapng', nanosecond: true, linkType: LinkType.EN10MB, frames: tcpTimersFrames, story: 'The same frames as pcapng: one section, one interface with if_tsresol 9 (nanoseconds), Enhanced Packet Blocks.' },
  { file: '06-anycast-gre.pcap', scenario: 6, format: 'pcap', nanosecond: false, linkType: LinkType.EN10MB, frames: anycastGreFrames, story: 'Magic Transit edge: anycast GRE without options (4-byte header) carrying IPv4 (0x0800) and one IPv6 SYN (0x86dd) to Acme router 198.51.100.1; a SYN flood to 203.0.113.80:443; DNS queries and responses (QR bit at udp[10]).' },
  { file: '06-anycast-gre-raw.pcap', scenario: 6, format: 'pcap', nanosecond: false, linkType: LinkType.RAW, frames: anycastGreRawFrames, story: 'The same IP packets as iptables and xt_bpf see them: LINKTYPE_RAW, no link-layer header.' },
];

/** Encodes one capture's bytes. */
export function encodeCorpusCapture(capture: CorpusCapture): Uint8Array {
  const frames = capture.frames();
  if (capture.format === 'pcap') return encodePcap(frames, { linkType: capture.linkType, nanosecond: capture.nanosecond });
  const timestampResolution = { base: 10 as const, exponent: capture.nanosecond ? 9 : 6 };
  return encodePcapng(frames.map((frame) => ({ ...frame, interfaceIndex: 0 })), { interfaces: [{ linkType: capture.linkType, timestampResolution }] });
}

/** Every capture of the corpus by file name (relative to corpus/). */
export function buildCorpus(): Map<string, Uint8Array> {
  return new Map(CORPUS_CAPTURES.map((capture) => [capture.file, encodeCorpusCapture(capture)]));
}

/** The text of corpus/README.md: one line per capture with its story. */
export function corpusReadme(): string {
  return [
    '# Scenario corpus',
    '',
    'One small capture per scenario of the field stories (SCENARIOS.md), written by `corpus/build-corpus.ts`',
    'with the packet builders of `src/packet/build` (`npm run corpus`; fixed timestamps, no randomness: re-running',
    'it reproduces these bytes, and `test/corpus` checks that they do and that every offset claim holds).',
    'Filter lists live in `corpus/filters/`.',
    '',
    ...CORPUS_CAPTURES.map((c) => `- \`${c.file}\` (scenario ${c.scenario}, ${c.format}${c.nanosecond ? ' ns' : ''}, ${c.linkType === LinkType.RAW ? 'RAW' : 'EN10MB'}, ${c.frames().length} frames): ${c.story}`),
    '',
  ].join('\n');
}

/** Writes every capture and the README into `directory`. */
export function writeCorpus(directory: string): void {
  for (const [file, bytes] of buildCorpus()) writeFileSync(join(directory, file), bytes);
  writeFileSync(join(directory, 'README.md'), corpusReadme());
}

// Run as a script (scripts/run-ts.mjs puts the bundle's path in argv[1]) from the repository root, as `npm run corpus` does.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const directory = resolve(process.env.PKTFILTER_CORPUS_DIR ?? 'corpus');
  writeCorpus(directory);
  console.log(`wrote ${CORPUS_CAPTURES.length} captures and README.md to ${directory}`);
}
