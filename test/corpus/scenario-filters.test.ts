/**
 * The filters of SCENARIOS.md, compiled and run by real libpcap over the committed captures, select
 * exactly the frames the story says they should (worked out here from the layers each frame was built
 * from), and every filter selects some frames and leaves others.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { CORPUS_CAPTURES } from '../../corpus/build-corpus.js';
import type { CorpusFrame } from '../../corpus/support/frames.js';
import type { BuiltLayer } from '../../src/packet/build/index.js';
import { libpcapAvailable, libpcapCompile, libpcapRun } from '../support/libpcap.js';
import { describeWithOracle } from '../support/oracle.js';
import { readCorpusFile } from './read-capture.js';

const corpusDirectory = resolve(dirname(fileURLToPath(import.meta.url)), '../../corpus');

/** The outermost network layer of a frame (after Ethernet and one VLAN tag), and whether a tag was there. */
function top(frame: CorpusFrame): { tagged: boolean; network: BuiltLayer | undefined; transport: BuiltLayer | undefined } {
  let i = 0;
  if (frame.layers[i]?.type === 'ethernet') i++;
  const tagged = frame.layers[i]?.type === 'vlan';
  if (tagged) i++;
  return { tagged, network: frame.layers[i], transport: frame.layers[i + 1] };
}

const ipv4Of = (f: CorpusFrame): Extract<BuiltLayer, { type: 'ipv4' }> | undefined => { const n = top(f).network; return n?.type === 'ipv4' ? n : undefined; };
const untaggedIpv4 = (f: CorpusFrame): Extract<BuiltLayer, { type: 'ipv4' }> | undefined => (top(f).tagged ? undefined : ipv4Of(f));
const inNet = (address: string, prefix: string, bits: number): boolean => {
  const value = (text: string): number => text.split('.').reduce((v, p) => v * 256 + Number(p), 0);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return ((value(address) & mask) >>> 0) === ((value(prefix) & mask) >>> 0);
};
const tcpOf = (f: CorpusFrame): Extract<BuiltLayer, { type: 'tcp' }> | undefined => { const ip = untaggedIpv4(f); const t = top(f).transport; return ip && ip.fragOffset === 0 && t?.type === 'tcp' ? t : undefined; };
const udpOf = (f: CorpusFrame): Extract<BuiltLayer, { type: 'udp' }> | undefined => { const ip = untaggedIpv4(f); const t = top(f).transport; return ip && ip.fragOffset === 0 && t?.type === 'udp' ? t : undefined; };
const arpOf = (f: CorpusFrame): Extract<BuiltLayer, { type: 'arp' }> | undefined => { const n = top(f).network; return !top(f).tagged && n?.type === 'arp' ? n : undefined; };
const payloadLength = (f: CorpusFrame): number => f.layers.filter((l): l is Extract<BuiltLayer, { type: 'payload' }> => l.type === 'payload').reduce((s, l) => s + l.data.length, 0);
const ethernetOf = (f: CorpusFrame): Extract<BuiltLayer, { type: 'ethernet' }> => f.layers[0] as Extract<BuiltLayer, { type: 'ethernet' }>;

/** Per capture: each filter of the scenario with the frames it must select. */
const EXPECTATIONS: Record<string, [string, (f: CorpusFrame) => boolean][]> = {
  '01-gre-overlay.pcap': [
    // Without `vlan`, libpcap reads the EtherType at offset 12: only the untagged frames can match.
    ['proto gre and (ip[54:4] = 0x0a050505 or ip[58:4] = 0x0a050505)', (f) => { const ip = untaggedIpv4(f); return !!ip && ip.protocol === 47 && ip.fragOffset === 0; }],
    ['vlan and proto gre and (ip[54:4] = 0x0a050505 or ip[58:4] = 0x0a050505)', (f) => { const ip = ipv4Of(f); return top(f).tagged && !!ip && ip.protocol === 47 && ip.fragOffset === 0; }],
    ['proto gre and (ip[58:4] = 0x0a050505 or ip[62:4] = 0x0a050505)', (f) => { const ip = untaggedIpv4(f); const inner = f.layers.filter((l) => l.type === 'ipv4')[1]; return !!ip && ip.protocol === 47 && ip.fragOffset === 0 && inner?.type === 'ipv4' && inner.destination === '10.5.5.5'; }],
    ['vlan and proto gre', (f) => top(f).tagged && ipv4Of(f)?.protocol === 47],
    ['ip[6] & 0x40 != 0', (f) => !!untaggedIpv4(f)?.dontFragment],
    ['ip[6:2] & 0x3fff != 0', (f) => { const ip = untaggedIpv4(f); return !!ip && (ip.moreFragments || ip.fragOffset > 0); }],
    ['ip[6:2] & 0x1fff != 0', (f) => (untaggedIpv4(f)?.fragOffset ?? 0) > 0],
    ['icmp[icmptype] = icmp-unreach and icmp[icmpcode] = 4', (f) => { const ip = untaggedIpv4(f); const t = top(f).transport; return !!ip && ip.fragOffset === 0 && t?.type === 'icmp' && t.icmpType === 3 && t.code === 4; }],
  ],
  '02-floating-ip-udp.pcap': [
    ['udp port 1234 and ether src 00:00:5e:00:01:6e', (f) => { const u = udpOf(f); return !!u && (u.sourcePort === 1234 || u.destinationPort === 1234) && ethernetOf(f).source === '00:00:5e:00:01:6e'; }],
    ['udp and dst net 10.0.0.0/8', (f) => !!udpOf(f) && inNet(untaggedIpv4(f)!.destination, '10.0.0.0', 8)],
    ['ether[6:4] = 0x00005e00 and ether[10] = 1', (f) => ethernetOf(f).source.startsWith('00:00:5e:00:01:')],
    ['udp[4:2] = 10', (f) => udpOf(f)?.length === 10],
    ['udp port 1234 and ether src f4:a7:39:d7:8a:7d', (f) => !!udpOf(f) && ethernetOf(f).source === 'f4:a7:39:d7:8a:7d'],
  ],
  '03-arp-failover.pcap': [
    ['arp', (f) => !!arpOf(f)],
    ['arp[6:2] = 2', (f) => arpOf(f)?.operation === 2],
    ['arp and ether broadcast', (f) => !!arpOf(f) && ethernetOf(f).destination === 'ff:ff:ff:ff:ff:ff'],
    ['arp host 159.203.114.20', (f) => { const a = arpOf(f); return !!a && (a.senderProtocolAddress === '159.203.114.20' || a.targetProtocolAddress === '159.203.114.20'); }],
    ['arp host 159.203.114.10', (f) => { const a = arpOf(f); return !!a && (a.senderProtocolAddress === '159.203.114.10' || a.targetProtocolAddress === '159.203.114.10'); }],
    ['ether host 04:01:be:00:00:01', (f) => [ethernetOf(f).source, ethernetOf(f).destination].includes('04:01:be:00:00:01')],
    ['icmp and host 159.203.114.10', (f) => { const ip = untaggedIpv4(f); return !!ip && ip.protocol === 1 && [ip.source, ip.destination].includes('159.203.114.10'); }],
  ],
  '04-dhcp-dnat.pcap': [
    ['udp port 67 or udp port 68', (f) => { const u = udpOf(f); return !!u && [u.sourcePort, u.destinationPort].some((p) => p === 67 || p === 68); }],
    ['udp src port 67', (f) => udpOf(f)?.sourcePort === 67],
    ['udp and src portrange 1-512 and not src port 67', (f) => { const u = udpOf(f); return !!u && u.sourcePort >= 1 && u.sourcePort <= 512 && u.sourcePort !== 67; }],
    ['src 192.168.1.12 and dst net 10.10.0.0/16', (f) => { const ip = untaggedIpv4(f); return !!ip && ip.source === '192.168.1.12' && inNet(ip.destination, '10.10.0.0', 16); }],
    ['udp[8] = 2', (f) => { const ip = untaggedIpv4(f); return !!udpOf(f) && ip!.source === '192.168.1.12'; }],
  ],
  '05-tcp-timers.pcap': [
    ['tcp[tcpflags] == tcp-syn', (f) => (tcpOf(f)?.flags ?? 0) === 0x02],
    ['tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)', (f) => ((tcpOf(f)?.flags ?? 0) & 0x12) === 0x12],
    ['tcp[tcpflags] & tcp-rst != 0', (f) => ((tcpOf(f)?.flags ?? 0) & 0x04) !== 0],
    ['tcp[14:2] = 0', (f) => tcpOf(f)?.window === 0],
    ['tcp and (ip[2:2] - ((ip[0]&0xf)<<2) - ((tcp[12]&0xf0)>>2)) != 0', (f) => !!tcpOf(f) && payloadLength(f) > 0],
    ['tcp[tcpflags] & (tcp-syn|tcp-fin) != 0 and not src and dst net 10.0.0.0/8', (f) => {
      const t = tcpOf(f); const ip = untaggedIpv4(f);
      return !!t && (t.flags & 0x03) !== 0 && !(inNet(ip!.source, '10.0.0.0', 8) && inNet(ip!.destination, '10.0.0.0', 8));
    }],
  ],
  '06-anycast-gre.pcap': [
    ['ip proto 47 and ip[22:2] = 0x0800', (f) => ipv4Of(f)?.protocol === 47 && f.layers.some((l) => l.type === 'gre' && l.protocolType === 0x0800)],
    ['tcp[tcpflags] == tcp-syn and dst port 443', (f) => { const t = tcpOf(f); return !!t && t.flags === 0x02 && t.destinationPort === 443; }],
    ['udp dst port 53 and udp[10] & 0x80 = 0', (f) => { const u = udpOf(f); const p = f.layers.find((l) => l.type === 'payload'); return !!u && u.destinationPort === 53 && p?.type === 'payload' && (p.data[2]! & 0x80) === 0; }],
  ],
};
EXPECTATIONS['05-tcp-timers-ns.pcap'] = EXPECTATIONS['05-tcp-timers.pcap']!;
EXPECTATIONS['06-anycast-gre-raw.pcap'] = EXPECTATIONS['06-anycast-gre.pcap']!;

describeWithOracle('scenario filters run by libpcap over the corpus', libpcapAvailable(), 'gcc and libpcap-dev (test/oracle/libpcap-helper.c)', () => {
  for (const [file, filters] of Object.entries(EXPECTATIONS)) {
    it(`${file}: each filter selects exactly the frames of the story`, () => {
      const entry = CORPUS_CAPTURES.find((c) => c.file === file)!;
      const frames = entry.frames();
      const read = readCorpusFile(new Uint8Array(readFileSync(join(corpusDirectory, file))));
      // pcap_compile takes a DLT: LINKTYPE_RAW (101, in the file header) is DLT_RAW, 12 on Linux.
      const compiled = libpcapCompile(filters.map(([text]) => text), { linkType: entry.linkType === 101 ? 12 : entry.linkType });
      const programs = compiled.map((c, i) => {
        if (!c.ok) throw new Error(`libpcap rejects ${filters[i]![0]}: ${c.error}`);
        return c.program;
      });
      const verdicts = libpcapRun(programs, read.records.map((r) => ({ data: r.data, wireLength: r.wireLength })), entry.linkType);
      filters.forEach(([text, expected], i) => {
        const want = frames.map((f) => expected(f));
        const got = verdicts[i]!.map((v) => v !== 0);
        const wrong = want.flatMap((w, j) => (w === got[j] ? [] : [`frame ${j + 1} (${frames[j]!.note}): libpcap ${got[j]}, story ${w}`]));
        expect(wrong, text).toEqual([]);
        expect(got.some((v) => v), `${text} selects nothing`).toBe(true);
        if (frames.length > 1 && !['udp port 67 or udp port 68', 'udp[4:2] = 10', 'arp host 159.203.114.10'].includes(text)) {
          expect(got.some((v) => !v), `${text} selects everything`).toBe(true);
        }
      });
    });
  }
});
