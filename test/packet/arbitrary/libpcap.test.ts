/**
 * Real libpcap judges arbitrary packets: for filters whose meaning is plain from the layers, its
 * verdict on every packet agrees with the layers the packet was built from, and the biased pools make
 * every filter both match and miss within a few hundred packets (what a differential test needs).
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { LinkType } from '../../../src/capture/linktype.js';
import { arbitraryPacket } from '../../../src/packet/arbitrary/index.js';
import type { ArbitraryPacket } from '../../../src/packet/arbitrary/index.js';
import type { BuiltLayer } from '../../../src/packet/build/index.js';
import { libpcapAvailable, libpcapCompile, libpcapRun } from '../../support/libpcap.js';
import { describeWithOracle } from '../../support/oracle.js';

type Ipv4 = Extract<BuiltLayer, { type: 'ipv4' }>;

/** The layer right after Ethernet (no VLAN skipping: libpcap does not skip tags without `vlan`). */
const second = (p: ArbitraryPacket): BuiltLayer | undefined => p.stack[1];
const ipv4 = (p: ArbitraryPacket): Ipv4 | undefined => { const l = second(p); return l?.type === 'ipv4' ? l : undefined; };
/** The transport of an unfragmented (or first-fragment) IPv4 packet, which libpcap's tcp/udp/icmp loads require. */
const transport = (p: ArbitraryPacket): BuiltLayer | undefined => { const ip = ipv4(p); return ip && ip.fragOffset === 0 ? p.stack[2] : undefined; };

/** Filters over Ethernet with what they must select, worked out from the layers. */
const FILTERS: [string, (p: ArbitraryPacket) => boolean][] = [
  ['vlan', (p) => second(p)?.type === 'vlan'],
  ['arp', (p) => { const l = second(p); return l?.type === 'arp' && l.operation !== 3 && l.operation !== 4; }],
  ['ip', (p) => second(p)?.type === 'ipv4'],
  ['ip6', (p) => second(p)?.type === 'ipv6'],
  ['mpls', (p) => second(p)?.type === 'mpls'],
  ['pppoes', (p) => { const l = second(p); return l?.type === 'pppoe' && l.code === 0; }],
  ['pppoed', (p) => { const l = second(p); return l?.type === 'pppoe' && l.code !== 0; }],
  ['rarp', (p) => { const l = second(p); return l?.type === 'arp' && (l.operation === 3 || l.operation === 4); }],
  ['ip proto 47', (p) => ipv4(p)?.protocol === 47],
  ['ip host 10.5.5.5', (p) => { const ip = ipv4(p); return !!ip && (ip.source === '10.5.5.5' || ip.destination === '10.5.5.5'); }],
  ['ip[6] & 0x40 != 0', (p) => !!ipv4(p)?.dontFragment],
  ['ip[6:2] & 0x1fff != 0', (p) => (ipv4(p)?.fragOffset ?? 0) > 0],
  ['ether broadcast', (p) => (p.stack[0] as Extract<BuiltLayer, { type: 'ethernet' }>).destination === 'ff:ff:ff:ff:ff:ff'],
  ['ether src 00:00:5e:00:01:6e', (p) => (p.stack[0] as Extract<BuiltLayer, { type: 'ethernet' }>).source === '00:00:5e:00:01:6e'],
  ['ip and tcp[tcpflags] == tcp-syn', (p) => { const t = transport(p); return t?.type === 'tcp' && ipv4(p)!.protocol === 6 && (t.flags & 0xff) === 0x02; }],
  ['ip and tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)', (p) => { const t = transport(p); return t?.type === 'tcp' && (t.flags & 0x12) === 0x12; }],
  ['ip and udp port 53', (p) => { const t = transport(p); return t?.type === 'udp' && (t.sourcePort === 53 || t.destinationPort === 53); }],
  ['ip and udp dst port 4789', (p) => { const t = transport(p); return t?.type === 'udp' && t.destinationPort === 4789; }],
  ['ip and icmp[icmptype] = icmp-unreach and icmp[icmpcode] = 4', (p) => { const t = transport(p); return t?.type === 'icmp' && t.icmpType === 3 && t.code === 4; }],
  ['ip and icmp[icmptype] = icmp-echo', (p) => { const t = transport(p); return t?.type === 'icmp' && t.icmpType === 8; }],
];

describeWithOracle('arbitrary packets judged by libpcap', libpcapAvailable(), 'gcc and libpcap-dev (test/oracle/libpcap-helper.c)', () => {
  it('agrees with the layers on every packet, and every filter both matches and misses', () => {
    const seed = Date.now();
    const packets = fc.sample(arbitraryPacket({ linkType: LinkType.EN10MB, mutations: ['none'] }), { numRuns: 1500, seed });
    const compiled = libpcapCompile(FILTERS.map(([text]) => text), { linkType: LinkType.EN10MB });
    const programs = compiled.map((c, i) => { if (!c.ok) throw new Error(`${FILTERS[i]![0]}: ${c.error}`); return c.program; });
    const verdicts = libpcapRun(programs, packets.map((p) => ({ data: p.data })), LinkType.EN10MB);
    FILTERS.forEach(([text, expected], i) => {
      const got = verdicts[i]!.map((v) => v !== 0);
      const wrong = packets.flatMap((p, j) => (expected(p) === got[j] ? [] : [`packet ${j} [${p.stack.map((l) => l.type).join('/')}]: libpcap ${got[j]}`]));
      expect(wrong.slice(0, 5), `${text} (seed ${seed})`).toEqual([]);
      expect(got.filter((v) => v).length, `${text} never matches (seed ${seed})`).toBeGreaterThan(0);
      expect(got.filter((v) => !v).length, `${text} always matches (seed ${seed})`).toBeGreaterThan(0);
    });
  });

  it('runs damaged packets of every link type through libpcap without a failure', () => {
    for (const linkType of [LinkType.EN10MB, LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.NULL, LinkType.LOOP]) {
      const packets = fc.sample(arbitraryPacket({ linkType }), { numRuns: 150, seed: Date.now() ^ linkType });
      const compiled = libpcapCompile(['ip and tcp', 'udp port 53', 'ip6'], { linkType });
      const programs = compiled.flatMap((c) => (c.ok ? [c.program] : []));
      expect(programs).toHaveLength(3);
      const verdicts = libpcapRun(programs, packets.map((p) => ({ data: p.data, wireLength: p.wireLength })), linkType);
      expect(verdicts.map((v) => v.length)).toEqual([packets.length, packets.length, packets.length]);
    }
  });
});
