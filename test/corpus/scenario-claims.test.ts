/**
 * Every offset claim of SCENARIOS.md, checked on the committed captures by reading their bytes: the
 * layers the builder reports only say what each frame should hold; the positions are read raw.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CORPUS_CAPTURES } from '../../corpus/build-corpus.js';
import type { CorpusFrame } from '../../corpus/support/frames.js';
import type { BuiltLayer } from '../../src/packet/build/index.js';
import { load, readCorpusFile } from './read-capture.js';
import type { ReadRecord } from './read-capture.js';

const corpusDirectory = resolve(dirname(fileURLToPath(import.meta.url)), '../../corpus');

/** The committed records of a capture next to the frames the generator says they are. */
function capture(file: string): { records: ReadRecord[]; frames: CorpusFrame[]; linkType: number } {
  const entry = CORPUS_CAPTURES.find((c) => c.file === file)!;
  const read = readCorpusFile(new Uint8Array(readFileSync(join(corpusDirectory, file))));
  return { records: read.records, frames: entry.frames(), linkType: read.linkType };
}

/** Where the IPv4 header starts, read from the link header: after Ethernet (14), after one 802.1Q tag (18), or 0 for RAW. */
function ipOffset(data: Uint8Array, linkType: number): number {
  if (linkType === 101) return 0;
  return load(data, 12, 2) === 0x8100 ? 18 : 14;
}

/** A `proto[offset:size]` reader relative to a header start. */
function at(data: Uint8Array, base: number): (offset: number, size?: 1 | 2 | 4) => number | undefined {
  return (offset, size = 1) => load(data, base + offset, size);
}

function layersOf<T extends BuiltLayer['type']>(frame: CorpusFrame, type: T): Extract<BuiltLayer, { type: T }>[] {
  return frame.layers.filter((l): l is Extract<BuiltLayer, { type: T }> => l.type === type);
}

const addressValue = (text: string): number => text.split('.').reduce((v, part) => v * 256 + Number(part), 0);
const TEN_FIVE_FIVE_FIVE = 0x0a050505;

describe('scenario 1: GRE that carries Ethernet (01-gre-overlay.pcap)', () => {
  const { records, frames, linkType } = capture('01-gre-overlay.pcap');
  const all = records.map((r, i) => ({ r, f: frames[i]!, ip: at(r.data, ipOffset(r.data, linkType)) }));
  // Whole (unfragmented) GRE packets, and first fragments, which also start with the GRE header.
  const tunnel = all.filter(({ ip }) => ip(9) === 47 && (ip(6, 2)! & 0x3fff) === 0);
  const firstFragments = all.filter(({ ip }) => ip(9) === 47 && (ip(6, 2)! & 0x3fff) === 0x2000);

  it('has tagged (802.1Q, VLAN 102) and untagged GRE frames', () => {
    const tagged = records.filter((r) => load(r.data, 12, 2) === 0x8100);
    expect(tagged.length).toBeGreaterThan(0);
    expect(tagged.length).toBeLessThan(records.length);
    for (const r of tagged) { expect((load(r.data, 14, 2)! & 0x0fff)).toBe(102); expect(load(r.data, 16, 2)).toBe(0x0800); }
    expect(tunnel.length).toBe(frames.filter((f) => { const o = layersOf(f, 'ipv4')[0]!; return o.protocol === 47 && !o.moreFragments && o.fragOffset === 0; }).length);
    expect(firstFragments.length).toBeGreaterThan(0);
  });

  it('GRE frames: 20-byte outer header, GRE with only K set (8 bytes), protocol 0x6558, inner Ethernet then IPv4 at ip[42]', () => {
    for (const { ip } of [...tunnel, ...firstFragments]) {
      expect(ip(0)! & 0x0f).toBe(5);
      expect(ip(20, 2)! & 0xb000).toBe(0x2000);
      expect(ip(22, 2)).toBe(0x6558);
      expect(ip(24, 4)).toBe(1002);
      expect(ip(40, 2)).toBe(0x0800);
      expect(ip(42)).toBe(0x45);
    }
  });

  it('the inner source is ip[54:4] and the inner destination ip[58:4], one of them 10.5.5.5', () => {
    for (const { ip, f } of tunnel) {
      const innerIp = layersOf(f, 'ipv4')[1]!;
      expect(ip(54, 4)).toBe(addressValue(innerIp.source));
      expect(ip(58, 4)).toBe(addressValue(innerIp.destination));
      expect([ip(54, 4), ip(58, 4)]).toContain(TEN_FIVE_FIVE_FIVE);
    }
    // A first fragment starts with the same headers: the instance 10.5.5.5 is its inner source.
    for (const { ip } of firstFragments) expect(ip(54, 4)).toBe(TEN_FIVE_FIVE_FIVE);
  });

  it('the guesses are wrong: ip[58:4]/ip[62:4] are off by one address, and "GRE carries IP" (ip[40:4]/ip[44:4]) is off by the 14-byte Ethernet header', () => {
    for (const { ip, f } of tunnel) {
      const innerIp = layersOf(f, 'ipv4')[1]!;
      expect(ip(58, 4)).not.toBe(addressValue(innerIp.source));
      expect(ip(62, 4)).not.toBe(addressValue(innerIp.destination));
      expect(ip(40, 4)).not.toBe(addressValue(innerIp.source));
      expect(ip(44, 4)).not.toBe(addressValue(innerIp.destination));
      // 14 bytes later than "GRE carries IP" says, the inner IPv4 header really starts.
      expect(ip(28)).not.toBe(0x45);
    }
  });

  it('DF and TTL of unfragmented GRE frames are copied from the inner header (ip[6] & 0x40 against ip[48] & 0x40)', () => {
    const whole = tunnel.filter(({ ip }) => ((ip(6, 2)! & 0x3fff) === 0));
    expect(whole.some(({ ip }) => (ip(6)! & 0x40) !== 0)).toBe(true);
    expect(whole.some(({ ip }) => (ip(6)! & 0x40) === 0)).toBe(true);
    for (const { ip } of whole) { expect(ip(6)! & 0x40).toBe(ip(42 + 6)! & 0x40); expect(ip(8)).toBe(ip(42 + 8)); }
  });

  it('the 1514-byte outer packet carries DF; fragments: ip[6:2] & 0x3fff != 0 marks all, ip[6:2] & 0x1fff != 0 only the 14-byte tails', () => {
    const ips = records.map((r) => at(r.data, ipOffset(r.data, linkType)));
    const big = ips.filter((ip) => ip(9) === 47 && ip(2, 2) === 1514);
    expect(big).toHaveLength(1);
    expect(big[0]!(6)! & 0x40).toBe(0x40);
    const anyFragment = ips.filter((ip) => ip(0) !== undefined && (ip(6, 2)! & 0x3fff) !== 0);
    const nonFirst = ips.filter((ip) => ip(0) !== undefined && (ip(6, 2)! & 0x1fff) !== 0);
    const fromLayers = frames.filter((f) => { const o = layersOf(f, 'ipv4')[0]!; return o.moreFragments || o.fragOffset > 0; });
    expect(anyFragment).toHaveLength(fromLayers.length);
    expect(nonFirst).toHaveLength(fromLayers.filter((f) => layersOf(f, 'ipv4')[0]!.fragOffset > 0).length);
    expect(nonFirst.length).toBeGreaterThan(0);
    for (const tail of nonFirst) {
      expect(tail(2, 2)! - 20).toBe(14);
      expect((tail(6, 2)! & 0x1fff) * 8).toBe(1480);
    }
    for (const first of anyFragment.filter((ip) => (ip(6, 2)! & 0x1fff) === 0)) {
      expect(first(6)! & 0x20).toBe(0x20);
      expect(first(2, 2)! - 20).toBe(1480);
      // Reassembled, the 1494 bytes are GRE (8) + inner Ethernet (14) + the 1472-byte inner packet: 14 more than planned.
      expect(first(42 + 2, 2)).toBe(1472);
      expect(8 + 14 + first(42 + 2, 2)!).toBe(1480 + 14);
    }
  });

  it('ICMP fragmentation needed: icmp[0] = 3, icmp[1] = 4, MTU 1500, quoting the outer header (proto 47, DF, 1514) and the 8-byte keyed GRE header', () => {
    const icmp = records.filter((r) => at(r.data, ipOffset(r.data, linkType))(9) === 1);
    expect(icmp.length).toBeGreaterThanOrEqual(2);
    for (const r of icmp) {
      const base = ipOffset(r.data, linkType);
      const ip = at(r.data, base);
      const header = at(r.data, base + (ip(0)! & 0x0f) * 4);
      expect(header(0)).toBe(3);
      expect(header(1)).toBe(4);
      expect(header(6, 2)).toBe(1500);
      const quote = at(r.data, base + (ip(0)! & 0x0f) * 4 + 8);
      expect(quote(9)).toBe(47);
      expect(quote(6)! & 0x40).toBe(0x40);
      expect(quote(2, 2)).toBe(1514);
      expect(quote(20, 2)! & 0x2000).toBe(0x2000);
      expect(quote(24, 4)).toBe(1002);
      expect(ip(2, 2)).toBe(20 + 8 + 20 + 8);
    }
  });
});

describe('scenario 2: floating IP and UDP replies (02-floating-ip-udp.pcap)', () => {
  const { records, frames } = capture('02-floating-ip-udp.pcap');

  it('ether[6:4] = 0x00005e00 and ether[10] = 1 holds exactly for the VRRP-sourced frames, which go to 10.18.0.x', () => {
    records.forEach((r, i) => {
      const vrrp = layersOf(frames[i]!, 'ethernet')[0]!.source === '00:00:5e:00:01:6e';
      expect(load(r.data, 6, 4) === 0x00005e00 && load(r.data, 10, 1) === 1).toBe(vrrp);
      if (vrrp) expect([load(r.data, 14 + 16), load(r.data, 14 + 17), load(r.data, 14 + 18)]).toEqual([10, 18, 0]);
    });
    expect(records.some((r) => load(r.data, 6, 4) === 0x00005e00)).toBe(true);
    expect(records.some((r) => load(r.data, 6, 4) !== 0x00005e00)).toBe(true);
  });

  it('udp[4:2] = 10 is a 2-byte payload; the frames are padded to 60 bytes; port 1234 on one side', () => {
    for (const r of records) {
      const udp = at(r.data, 14 + 20);
      expect(udp(4, 2)).toBe(10);
      expect(load(r.data, 14 + 2, 2)! - 20 - 8).toBe(2);
      expect(r.data.length).toBe(60);
      expect([udp(0, 2), udp(2, 2)]).toContain(1234);
    }
  });
});

describe('scenario 3: ARP after a failover (03-arp-failover.pcap)', () => {
  const { records, frames } = capture('03-arp-failover.pcap');

  it('arp[6:2] is the operation (2 = reply); gratuitous ARP has sender = target protocol address; broadcast frames are ff:ff:ff:ff:ff:ff', () => {
    let replies = 0;
    let gratuitous = 0;
    records.forEach((r, i) => {
      const arp = layersOf(frames[i]!, 'arp')[0];
      expect(load(r.data, 12, 2) === 0x0806).toBe(arp !== undefined);
      if (!arp) return;
      const header = at(r.data, 14);
      expect(header(0, 2)).toBe(1);
      expect(header(2, 2)).toBe(0x0800);
      expect(header(6, 2)).toBe(arp.operation);
      if (header(6, 2) === 2) replies++;
      expect(header(14, 4)).toBe(addressValue(arp.senderProtocolAddress));
      expect(header(24, 4)).toBe(addressValue(arp.targetProtocolAddress));
      if (header(14, 4) === header(24, 4)) gratuitous++;
    });
    expect(replies).toBeGreaterThan(0);
    expect(gratuitous).toBeGreaterThan(0);
    expect(records.filter((r) => load(r.data, 0, 4) === 0xffffffff && load(r.data, 4, 2) === 0xffff).length).toBeGreaterThan(0);
  });

  it('159.203.114.10 and 04:01:be:00:00:01 appear in ARP and ICMP frames', () => {
    const ten = addressValue('159.203.114.10');
    expect(records.some((r) => load(r.data, 12, 2) === 0x0806 && (load(r.data, 14 + 14, 4) === ten || load(r.data, 14 + 24, 4) === ten))).toBe(true);
    expect(records.some((r) => load(r.data, 14 + 9) === 1 && (load(r.data, 14 + 12, 4) === ten || load(r.data, 14 + 16, 4) === ten))).toBe(true);
    expect(records.some((r) => load(r.data, 0, 4) === 0x0401be00 && load(r.data, 4, 2) === 0x0001)).toBe(true);
  });
});

describe('scenario 4: DHCP behind DNAT (04-dhcp-dnat.pcap)', () => {
  const { records, frames } = capture('04-dhcp-dnat.pcap');

  it('udp[8] is the BOOTP op (2 = BOOTREPLY), sent by the server; the DHCP magic cookie sits at udp[244:4]', () => {
    records.forEach((r, i) => {
      const udp = at(r.data, 14 + 20);
      const fromServer = layersOf(frames[i]!, 'ipv4')[0]!.source === '192.168.1.12';
      expect(udp(8)).toBe(fromServer ? 2 : 1);
      expect(udp(8 + 236, 4)).toBe(0x63825363);
    });
  });

  it('replies leave from port 67 and, once rewritten, from ports 1..512 other than 67, to clients in 10.10.0.0/16', () => {
    const replyPorts = records.map((r) => at(r.data, 14 + 20)).filter((udp) => udp(8) === 2).map((udp) => udp(0, 2)!);
    expect(replyPorts).toContain(67);
    const rewritten = replyPorts.filter((p) => p !== 67);
    expect(rewritten.length).toBeGreaterThan(0);
    for (const p of rewritten) { expect(p).toBeGreaterThanOrEqual(1); expect(p).toBeLessThanOrEqual(512); }
    for (const r of records.filter((rec) => load(rec.data, 14 + 12, 4) === addressValue('192.168.1.12'))) {
      expect(load(r.data, 14 + 16, 2)).toBe(0x0a0a);
    }
  });
});

describe('scenario 5: TCP timers (05-tcp-timers*.pcap, .pcapng)', () => {
  const micro = capture('05-tcp-timers.pcap');
  const nano = capture('05-tcp-timers-ns.pcap');
  const ng = capture('05-tcp-timers.pcapng');

  it('tcp[13] holds the flags, tcp[14:2] the window, and ip[2:2] - ihl*4 - (tcp[12] & 0xf0) >> 2 the data length', () => {
    micro.records.forEach((r, i) => {
      const ip = at(r.data, 14);
      const headerLength = (ip(0)! & 0x0f) << 2;
      const tcp = at(r.data, 14 + headerLength);
      const layer = layersOf(micro.frames[i]!, 'tcp')[0]!;
      expect(tcp(13)).toBe(layer.flags & 0xff);
      expect(tcp(14, 2)).toBe(layer.window);
      const payload = layersOf(micro.frames[i]!, 'payload')[0]?.data.length ?? 0;
      expect(ip(2, 2)! - headerLength - ((tcp(12)! & 0xf0) >> 2)).toBe(payload);
    });
    const flags = micro.records.map((r) => load(r.data, 14 + 20 + 13)!);
    for (const wanted of [0x02, 0x12, 0x10, 0x04, 0x11, 0x18]) expect(flags).toContain(wanted);
    expect(micro.records.some((r) => load(r.data, 14 + 20 + 14, 2) === 0 && (load(r.data, 14 + 20 + 13)! & 0x04) === 0)).toBe(true);
  });

  it('SYN retries are spaced exponentially (each gap about twice the one before)', () => {
    const syns = nano.records.filter((r) => load(r.data, 14 + 20 + 13) === 0x02 && load(r.data, 14 + 12, 4) === addressValue('10.0.0.2') && load(r.data, 14 + 20, 2) === 2);
    expect(syns.length).toBe(7);
    const gaps = syns.slice(1).map((r, i) => Number(r.timestampNs - syns[i]!.timestampNs) / 1e9);
    expect(gaps[0]).toBeCloseTo(1.028, 3);
    for (let i = 1; i < gaps.length; i++) { expect(gaps[i]! / gaps[i - 1]!).toBeGreaterThan(1.8); expect(gaps[i]! / gaps[i - 1]!).toBeLessThan(2.2); }
  });

  it('the nanosecond pcap and the pcapng keep nanoseconds; the microsecond pcap keeps them truncated', () => {
    expect(nano.records.some((r) => r.timestampNs % 1000n !== 0n)).toBe(true);
    expect(micro.records.every((r) => r.timestampNs % 1000n === 0n)).toBe(true);
    nano.records.forEach((r, i) => {
      expect(ng.records[i]!.timestampNs).toBe(r.timestampNs);
      expect(micro.records[i]!.timestampNs).toBe((r.timestampNs / 1000n) * 1000n);
      expect(Buffer.from(ng.records[i]!.data).equals(Buffer.from(r.data))).toBe(true);
    });
  });
});

describe('scenario 6: anycast GRE and BPF in the kernel (06-anycast-gre.pcap, 06-anycast-gre-raw.pcap)', () => {
  const ether = capture('06-anycast-gre.pcap');
  const raw = capture('06-anycast-gre-raw.pcap');

  it('GRE frames have a 4-byte GRE header (no C, K, S) and ip[22:2] is its protocol type: 0x0800, once 0x86dd', () => {
    const gre = ether.records.map((r, i) => ({ ip: at(r.data, 14), f: ether.frames[i]! })).filter(({ ip }) => ip(9) === 47);
    expect(gre.length).toBeGreaterThan(1);
    for (const { ip, f } of gre) {
      expect(ip(0)! & 0x0f).toBe(5);
      expect(ip(20, 2)).toBe(0);
      expect(ip(22, 2)).toBe(layersOf(f, 'gre')[0]!.protocolType);
      expect(ip(24)! >> 4).toBe(ip(22, 2) === 0x0800 ? 4 : 6);
    }
    expect(gre.filter(({ ip }) => ip(22, 2) === 0x0800).length).toBeGreaterThan(0);
    expect(gre.filter(({ ip }) => ip(22, 2) === 0x86dd).length).toBe(1);
  });

  it('udp[10] & 0x80 is the DNS QR bit: 0 for queries, 0x80 for responses', () => {
    let queries = 0;
    let responses = 0;
    ether.records.forEach((r) => {
      const ip = at(r.data, 14);
      if (ip(9) !== 17) return;
      const udp = at(r.data, 14 + 20);
      const toPort53 = udp(2, 2) === 53;
      const qr = udp(10)! & 0x80;
      if (qr === 0) queries++; else responses++;
      if (toPort53 && udp(0, 2) === 53 && ip(12, 4) === addressValue('203.0.113.53')) expect(qr).toBe(0x80);
      expect(udp(8, 2)).toBe([0x4a21, 0x1b77].includes(udp(8, 2)!) ? udp(8, 2) : -1);
    });
    expect(queries).toBeGreaterThan(0);
    expect(responses).toBeGreaterThan(0);
  });

  it('the RAW capture holds the same IP packets without the Ethernet header (and without its padding), at the same times', () => {
    expect(raw.linkType).toBe(101);
    expect(raw.records).toHaveLength(ether.records.length);
    raw.records.forEach((r, i) => {
      const e = ether.records[i]!;
      const totalLength = load(e.data, 14 + 2, 2)!;
      expect(Buffer.from(r.data).equals(Buffer.from(e.data.subarray(14, 14 + totalLength)))).toBe(true);
      expect(r.timestampNs).toBe(e.timestampNs);
    });
  });
});
