/**
 * The benchmark capture generator (bench/mix.ts): deterministic, each capture the prefix of any longer
 * one, its pool frames laid out as described (bytes checked at the offsets the RFCs give, independently
 * of the builders), and every benchmark filter matching exactly the frames the description says, by
 * real tcpdump; tshark dissects the frame kinds as intended.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BENCHMARK_FILTERS, BENCHMARK_GRE_INNER_ADDRESS, BENCHMARK_HOST_ADDRESS, BENCHMARK_POOL_SIZE, benchmarkCaptureSize, benchmarkFramePool, benchmarkTimestampNs,
  ensureBenchmarkCapture, generateBenchmarkCapture, type BenchmarkFrame,
} from '../../bench/mix.js';
import { describeWithOracle, hasCommand } from '../support/oracle.js';

let directory: string;
beforeAll(() => { directory = mkdtempSync(join(tmpdir(), 'pktfilter-mix-test-')); });
afterAll(() => { rmSync(directory, { recursive: true, force: true }); });

const u16 = (data: Uint8Array, at: number): number => (data[at]! << 8) | data[at + 1]!;
const ipv4Text = (data: Uint8Array, at: number): string => `${data[at]}.${data[at + 1]}.${data[at + 2]}.${data[at + 3]}`;

describe('generateBenchmarkCapture', () => {
  it('is deterministic, sized as announced, and a shorter capture is the prefix of a longer one', async () => {
    const a = await generateBenchmarkCapture(5000, join(directory, 'a.pcap'));
    const b = await generateBenchmarkCapture(5000, join(directory, 'b.pcap'));
    const c = await generateBenchmarkCapture(1234, join(directory, 'c.pcap'));
    const bytesA = readFileSync(a.path);
    expect(bytesA.equals(readFileSync(b.path))).toBe(true);
    expect(a.bytes).toBe(benchmarkCaptureSize(5000));
    expect(statSync(c.path).size).toBe(benchmarkCaptureSize(1234));
    expect(readFileSync(c.path).equals(bytesA.subarray(0, c.bytes))).toBe(true);
    // The classic pcap header: microsecond magic (little-endian), version 2.4, Ethernet.
    expect(bytesA.readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect(bytesA.readUInt16LE(4)).toBe(2);
    expect(bytesA.readUInt16LE(6)).toBe(4);
    expect(bytesA.readUInt32LE(20)).toBe(1);
    // Walk the records by hand: frame i is pool frame i mod the pool size, stamped as benchmarkTimestampNs(i).
    const pool = benchmarkFramePool();
    let at = 24;
    let previous = -1n;
    for (let i = 0; i < 5000; i++) {
      const seconds = BigInt(bytesA.readUInt32LE(at));
      const micros = BigInt(bytesA.readUInt32LE(at + 4));
      const captured = bytesA.readUInt32LE(at + 8);
      expect(bytesA.readUInt32LE(at + 12)).toBe(captured);
      const stamp = seconds * 1_000_000_000n + micros * 1000n;
      expect(stamp).toBe(benchmarkTimestampNs(i));
      expect(stamp > previous).toBe(true);
      previous = stamp;
      const expected = pool[i % BENCHMARK_POOL_SIZE]!.data;
      expect(captured).toBe(expected.length);
      if (i % 97 === 0) expect(Buffer.from(expected).equals(bytesA.subarray(at + 16, at + 16 + captured))).toBe(true);
      at += 16 + captured;
    }
    expect(at).toBe(bytesA.length);
  });

  it('reuses a complete capture and regenerates one of the wrong size', async () => {
    const first = await ensureBenchmarkCapture(300, directory);
    expect(first.reused).toBe(false);
    const second = await ensureBenchmarkCapture(300, directory);
    expect(second).toMatchObject({ path: first.path, reused: true, bytes: first.bytes });
    // A truncated file (an interrupted run) is not taken for the real one.
    const { truncateSync } = await import('node:fs');
    truncateSync(first.path, 1000);
    const third = await ensureBenchmarkCapture(300, directory);
    expect(third.reused).toBe(false);
    expect(statSync(first.path).size).toBe(first.bytes);
  });

  it('refuses a frame count that is not a whole number', async () => {
    await expect(generateBenchmarkCapture(-1, join(directory, 'bad.pcap'))).rejects.toThrow(/frame count -1/);
    await expect(generateBenchmarkCapture(1.5, join(directory, 'bad.pcap'))).rejects.toThrow(/frame count 1.5/);
  });
});

describe('the frame pool', () => {
  const pool = benchmarkFramePool();

  it('holds every kind, with sizes from 60 to 1514 bytes spread like real traffic', () => {
    const kinds = new Set(pool.map((f) => f.kind));
    expect([...kinds].sort()).toEqual(['arp', 'gre-ethernet', 'gre-ipv4', 'ipv4-fragment', 'ipv4-icmp', 'ipv4-tcp', 'ipv4-udp', 'ipv6-tcp', 'ipv6-udp', 'vlan-ipv4-tcp', 'vlan-ipv4-udp']);
    const sizes = pool.map((f) => f.data.length);
    expect(Math.min(...sizes)).toBe(60);
    expect(Math.max(...sizes)).toBe(1514);
    const small = sizes.filter((s) => s <= 100).length / sizes.length;
    const full = sizes.filter((s) => s === 1514).length / sizes.length;
    expect(small).toBeGreaterThan(0.2);
    expect(full).toBeGreaterThan(0.1);
    expect(new Set(pool.map((f) => Buffer.from(f.data).toString('hex'))).size).toBeGreaterThan(BENCHMARK_POOL_SIZE * 0.95);
  });

  it('lays every frame out as described, at the offsets of the RFCs', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: BENCHMARK_POOL_SIZE - 1 }), (index) => {
      const frame = pool[index]!;
      const { data } = frame;
      // Ethernet: EtherType at 12; an 802.1Q tag puts the TCI at 14 and the real EtherType at 16.
      const tagged = frame.vlanId !== undefined;
      if (tagged) {
        expect(u16(data, 12)).toBe(0x8100);
        expect(u16(data, 14) & 0x0fff).toBe(frame.vlanId);
      }
      const etherType = u16(data, tagged ? 16 : 12);
      const network = tagged ? 18 : 14;
      if (frame.kind === 'arp') {
        expect(etherType).toBe(0x0806);
        // ARP for Ethernet/IPv4: sender protocol address at 14, target at 24 of the ARP packet.
        expect(ipv4Text(data, network + 14)).toBe(frame.source);
        expect(ipv4Text(data, network + 24)).toBe(frame.destination);
        return;
      }
      expect(frame.networkOffset).toBe(network);
      if (frame.kind.startsWith('ipv6')) {
        expect(etherType).toBe(0x86dd);
        expect(data[network]! >> 4).toBe(6);
        expect(data[network + 6]).toBe(frame.ipProtocol); // next header
        expect(u16(data, network + 40)).toBe(frame.sourcePort);
        expect(u16(data, network + 42)).toBe(frame.destinationPort);
        if (frame.kind === 'ipv6-tcp') expect(data[network + 40 + 13]).toBe(frame.tcpFlags);
        return;
      }
      // IPv4 (RFC 791): version 4 and IHL 5, flags and fragment offset at 6, protocol at 9, addresses at 12 and 16.
      expect(etherType).toBe(0x0800);
      expect(data[network]).toBe(0x45);
      expect(data[network + 9]).toBe(frame.ipProtocol);
      expect(ipv4Text(data, network + 12)).toBe(frame.source);
      expect(ipv4Text(data, network + 16)).toBe(frame.destination);
      const flagsAndOffset = u16(data, network + 6);
      expect((flagsAndOffset & 0x2000) !== 0).toBe(frame.moreFragments ?? false);
      expect(flagsAndOffset & 0x1fff).toBe(frame.fragOffset ?? 0);
      // The IP packet ends where its total length says; only a minimum-size frame has bytes after it (padding, all zero).
      const ipEnd = network + u16(data, network + 2);
      expect(ipEnd).toBeLessThanOrEqual(data.length);
      if (ipEnd < data.length) {
        expect(data.length).toBe(60);
        expect(data.subarray(ipEnd).every((b) => b === 0)).toBe(true);
      }
      if (frame.sourcePort !== undefined) {
        // TCP and UDP (RFC 793, RFC 768): ports at 0 and 2 of the transport header; TCP flags at 13.
        expect(u16(data, network + 20)).toBe(frame.sourcePort);
        expect(u16(data, network + 22)).toBe(frame.destinationPort);
        if (frame.ipProtocol === 6) expect(data[network + 20 + 13]).toBe(frame.tcpFlags);
      }
      if (frame.kind === 'gre-ethernet') {
        // GRE with the key bit (RFC 2890): 8-byte header, protocol type 0x6558 at 2; inner Ethernet (14 bytes) then
        // inner IPv4, so the inner source is ip[54:4] and the inner destination ip[58:4] (SCENARIOS.md scenario 1).
        expect(u16(data, network + 20) & 0xb000).toBe(0x2000); // K set, C and S clear
        expect(u16(data, network + 22)).toBe(0x6558);
        expect(u16(data, network + 20 + 8 + 12)).toBe(0x0800); // inner EtherType
        expect(frame.innerNetworkOffset).toBe(network + 42);
        expect(ipv4Text(data, network + 54)).toBe(frame.innerSource);
        expect(ipv4Text(data, network + 58)).toBe(frame.innerDestination);
      }
      if (frame.kind === 'gre-ipv4') {
        // GRE without options (RFC 2784): 4 bytes, protocol type 0x0800, inner IPv4 right after it (SCENARIOS.md 6: ip[22:2] = 0x0800).
        expect(u16(data, network + 20)).toBe(0);
        expect(u16(data, network + 22)).toBe(0x0800);
        expect(data[network + 24]).toBe(0x45);
        expect(ipv4Text(data, network + 24 + 12)).toBe(frame.innerSource);
        expect(ipv4Text(data, network + 24 + 16)).toBe(frame.innerDestination);
        expect(frame.innerSource).not.toBe(BENCHMARK_GRE_INNER_ADDRESS);
        expect(frame.innerDestination).not.toBe(BENCHMARK_GRE_INNER_ADDRESS);
      }
    }), { numRuns: 2000 });
  });
});

/** Whether an untagged frame carries IPv4 (or IPv6) in its outer header, as BPF's `ip` (`ip6`) sees it. */
const outerIpv4 = (f: BenchmarkFrame): boolean => f.vlanId === undefined && f.kind !== 'arp' && !f.kind.startsWith('ipv6');
const outerIp = (f: BenchmarkFrame): boolean => f.vlanId === undefined && f.kind !== 'arp';
const hasPort = (f: BenchmarkFrame, port: number): boolean => f.sourcePort === port || f.destinationPort === port;
const addresses = (f: BenchmarkFrame): string[] => [f.source ?? '', f.destination ?? ''];

/**
 * The benchmark filters and which frames each must match, said from the frame descriptions alone with
 * pcap-filter(7)'s rules: protocol keywords look at the outer, untagged headers; port tests need the
 * first fragment; `host` covers ARP's protocol addresses; `tcp[...]` is IPv4 TCP.
 */
const EXPECTATIONS: { filter: string; matches: (f: BenchmarkFrame) => boolean }[] = [
  { filter: 'ip', matches: outerIpv4 },
  { filter: 'tcp port 80', matches: (f) => outerIp(f) && f.ipProtocol === 6 && hasPort(f, 80) },
  { filter: 'udp port 53 or udp port 67 or udp port 68', matches: (f) => outerIp(f) && f.ipProtocol === 17 && (hasPort(f, 53) || hasPort(f, 67) || hasPort(f, 68)) },
  { filter: 'vlan and tcp', matches: (f) => f.vlanId !== undefined && f.ipProtocol === 6 },
  { filter: 'ip[6:2] & 0x1fff != 0', matches: (f) => outerIpv4(f) && (f.fragOffset ?? 0) > 0 },
  { filter: 'tcp[tcpflags] & (tcp-syn|tcp-fin) != 0', matches: (f) => outerIpv4(f) && f.ipProtocol === 6 && ((f.tcpFlags ?? 0) & 0x03) !== 0 },
  {
    filter: 'proto gre and (ip[54:4] = 0x0a050505 or ip[58:4] = 0x0a050505)',
    matches: (f) => outerIpv4(f) && f.ipProtocol === 47 && (f.innerSource === BENCHMARK_GRE_INNER_ADDRESS || f.innerDestination === BENCHMARK_GRE_INNER_ADDRESS),
  },
  { filter: 'ip6 and tcp dst port 443', matches: (f) => f.kind === 'ipv6-tcp' && f.destinationPort === 443 },
  { filter: 'arp or icmp', matches: (f) => f.kind === 'arp' || (outerIpv4(f) && f.ipProtocol === 1) },
  { filter: 'host 10.1.2.3 and not port 22', matches: (f) => f.vlanId === undefined && addresses(f).includes(BENCHMARK_HOST_ADDRESS) && !hasPort(f, 22) },
];

describe('the benchmark filter list', () => {
  it('has an expectation above for every stock expression the benchmark runs', () => {
    const covered = new Set(EXPECTATIONS.map((e) => e.filter));
    for (const filter of BENCHMARK_FILTERS) expect(covered.has(filter.stock), filter.stock).toBe(true);
  });
});

describeWithOracle('the benchmark filters on the mix (tcpdump)', hasCommand('tcpdump'), 'tcpdump', () => {
  it('match exactly the frames the descriptions say, and each filter matches some but not all', async () => {
    const capture = await generateBenchmarkCapture(BENCHMARK_POOL_SIZE, join(directory, 'pool.pcap'));
    const pool = benchmarkFramePool();
    // Each record's timestamp names its frame (benchmarkTimestampNs is strictly increasing).
    const timestamps = new Map<bigint, number>();
    pool.forEach((_, i) => timestamps.set(benchmarkTimestampNs(i), i));
    for (const { filter, matches } of EXPECTATIONS) {
      const result = spawnSync('tcpdump', ['-n', '-r', capture.path, '-w', '-', filter], { maxBuffer: 1 << 26 });
      expect(result.status, `${filter}: ${result.stderr}`).toBe(0);
      // Read back tcpdump's selection: which pool frames it wrote.
      const out = result.stdout;
      const selected: number[] = [];
      for (let at = 24; at < out.length;) {
        const stamp = BigInt(out.readUInt32LE(at)) * 1_000_000_000n + BigInt(out.readUInt32LE(at + 4)) * 1000n;
        selected.push(timestamps.get(stamp)!);
        at += 16 + out.readUInt32LE(at + 8);
      }
      const expected = pool.flatMap((f, i) => (matches(f) ? [i] : []));
      expect(expected.length, filter).toBeGreaterThan(0);
      expect(expected.length, filter).toBeLessThan(pool.length);
      const missing = expected.filter((i) => !selected.includes(i)).slice(0, 5);
      const extra = selected.filter((i) => !expected.includes(i)).slice(0, 5);
      expect({ filter, missing: missing.map((i) => pool[i]), extra: extra.map((i) => pool[i]) }).toEqual({ filter, missing: [], extra: [] });
      expect(selected.length, filter).toBe(expected.length);
    }
  });
});

describeWithOracle('the mix as tshark dissects it', hasCommand('tshark', ['--version']), 'tshark', () => {
  it('shows each frame kind with the protocols and addresses it was built with', async () => {
    const capture = await generateBenchmarkCapture(BENCHMARK_POOL_SIZE, join(directory, 'pool-tshark.pcap'));
    const result = spawnSync('tshark', ['-n', '-r', capture.path, '-T', 'fields', '-E', 'separator=/t', '-e', 'frame.protocols', '-e', 'ip.src', '-e', 'ip.dst', '-e', 'vlan.id', '-e', 'gre.key', '-e', 'arp.dst.proto_ipv4'],
      { encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(result.status, result.stderr).toBe(0);
    const rows = result.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
    const pool = benchmarkFramePool();
    expect(rows).toHaveLength(pool.length);
    const protocolsOf: Record<string, RegExp> = {
      'ipv4-tcp': /^eth:ethertype:ip:tcp/, 'ipv4-udp': /^eth:ethertype:ip:udp/, 'ipv4-icmp': /^eth:ethertype:ip:icmp/, arp: /^eth:ethertype:arp$/,
      'ipv6-tcp': /^eth:ethertype:ipv6:tcp/, 'ipv6-udp': /^eth:ethertype:ipv6:udp/, 'vlan-ipv4-tcp': /^eth:ethertype:vlan:ethertype:ip:tcp/,
      'vlan-ipv4-udp': /^eth:ethertype:vlan:ethertype:ip:udp/, 'gre-ethernet': /^eth:ethertype:ip:gre:eth:ethertype:ip:(tcp|icmp)/,
      'gre-ipv4': /^eth:ethertype:ip:gre:ip:udp/, 'ipv4-fragment': /^eth:ethertype:ip(:udp)?/,
    };
    pool.forEach((frame, i) => {
      const [protocols, ipSource, ipDestination, vlanId, greKey, arpTarget] = rows[i]!;
      expect(protocols, `frame ${i + 1} ${frame.kind}`).toMatch(protocolsOf[frame.kind]!);
      if (frame.kind === 'gre-ethernet' || frame.kind === 'gre-ipv4') {
        // Both IPv4 headers, outer first: the inner ones are what ip[54:4] / ip[58:4] and the 0x0800 offsets read.
        expect(ipSource).toBe(`${frame.source},${frame.innerSource}`);
        expect(ipDestination).toBe(`${frame.destination},${frame.innerDestination}`);
        expect(greKey !== '').toBe(frame.kind === 'gre-ethernet');
      } else if (frame.kind.startsWith('ipv4') || frame.kind.startsWith('vlan')) {
        expect(ipSource!.split(',')[0]).toBe(frame.source);
        expect(ipDestination!.split(',')[0]).toBe(frame.destination);
      }
      if (frame.vlanId !== undefined) expect(Number(vlanId)).toBe(frame.vlanId);
      if (frame.kind === 'arp') expect(arpTarget).toBe(frame.destination);
    });
    // Fragments: tshark sees the later ones as fragments without a UDP header.
    const later = pool.flatMap((f, i) => (f.kind === 'ipv4-fragment' && (f.fragOffset ?? 0) > 0 ? [i] : []));
    expect(later.length).toBeGreaterThan(0);
    for (const i of later) expect(rows[i]![0]).toMatch(/^eth:ethertype:ip(:data)?$/);
    expect(pool.some((f) => addresses(f).includes(BENCHMARK_HOST_ADDRESS) && hasPort(f, 22))).toBe(true);
  });
});

describeWithOracle('the hand-written display filters (tshark against tcpdump)', hasCommand('tshark', ['--version']) && hasCommand('tcpdump'), 'tshark and tcpdump', () => {
  it('select the same frames of the mix as the stock BPF expressions', async () => {
    const capture = await generateBenchmarkCapture(BENCHMARK_POOL_SIZE, join(directory, 'pool-display.pcap'));
    const displays = [...new Map(BENCHMARK_FILTERS.map((f) => [f.display, f])).values()];
    const frameByTimestamp = new Map<bigint, number>();
    for (let i = 0; i < BENCHMARK_POOL_SIZE; i++) frameByTimestamp.set(benchmarkTimestampNs(i), i);
    for (const filter of displays) {
      const tshark = spawnSync('tshark', ['-n', '-r', capture.path, '-Y', filter.display, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', maxBuffer: 1 << 26 });
      expect(tshark.status, `${filter.display}: ${tshark.stderr}`).toBe(0);
      const tsharkFrames = tshark.stdout.split('\n').filter((l) => l !== '').map(Number);
      // tcpdump's selection as frame numbers: each printed line starts with its timestamp (-tt), which names the frame.
      const tcpdump = spawnSync('tcpdump', ['-n', '-tt', '-q', '-r', capture.path, filter.stock], { encoding: 'utf8', maxBuffer: 1 << 26 });
      expect(tcpdump.status, `${filter.stock}: ${tcpdump.stderr}`).toBe(0);
      const tcpdumpFrames = tcpdump.stdout.split('\n').filter((l) => l !== '').map((line) => {
        const [seconds, micros] = line.split(' ')[0]!.split('.');
        return frameByTimestamp.get(BigInt(seconds!) * 1_000_000_000n + BigInt(micros!) * 1000n)! + 1;
      });
      expect({ filter: filter.display, frames: tsharkFrames }).toEqual({ filter: filter.display, frames: tcpdumpFrames });
      expect(tsharkFrames.length, filter.display).toBeGreaterThan(0);
    }
  });
});
