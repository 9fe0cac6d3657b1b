/**
 * The benchmark capture shared by the end-to-end benchmarks: a realistic, deterministic mix of Ethernet
 * frames built with the packet builders (IPv4 TCP/UDP/ICMP, ARP, IPv6 TCP/UDP, 802.1Q, GRE carrying
 * Ethernet with a key and GRE carrying IPv4, IPv4 fragments, traffic of host 10.1.2.3), 60..1514 bytes.
 *
 * A pool of BENCHMARK_POOL_SIZE distinct frames is built once from a seeded PRNG; frame i of any capture
 * is pool frame i % BENCHMARK_POOL_SIZE with a timestamp that depends only on i, so a capture of N frames
 * is byte for byte the prefix of any longer one, and generation streams with constant memory.
 */
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PcapWriter } from '../src/capture/pcap-writer.js';
import { LinkType } from '../src/capture/linktype.js';
import { buildPacketLayers, type BuildLayerSpec } from '../src/packet/build/index.js';

/** Number of distinct frames the benchmark capture cycles through. */
export const BENCHMARK_POOL_SIZE = 4096;
/** Seed of the PRNG that builds the pool (change it and every generated capture changes). */
export const BENCHMARK_SEED = 0x5eed_2026;
/** Capture time of frame 0, in whole seconds since the epoch (2023-11-14). */
export const BENCHMARK_START_SECONDS = 1_700_000_000;
/** Mean spacing of frames in microseconds (frame i lies in [i, i+1) times this after the start). */
export const BENCHMARK_FRAME_SPACING_US = 20;
/** The inner address the GRE overlay frames carry (SCENARIOS.md scenario 1). */
export const BENCHMARK_GRE_INNER_ADDRESS = '10.5.5.5';
/** The host whose traffic `host 10.1.2.3 and not port 22` selects. */
export const BENCHMARK_HOST_ADDRESS = '10.1.2.3';
/** The smallest Ethernet frame without its FCS: shorter frames get zero padding after the IP packet. */
export const ETHERNET_MINIMUM_FRAME = 60;
/** The largest frame of a 1500-byte MTU Ethernet without its FCS. */
export const ETHERNET_MAXIMUM_FRAME = 1514;

/** What a pool frame is, as the benchmark filters see it. */
export type BenchmarkFrameKind =
  | 'ipv4-tcp' | 'ipv4-udp' | 'ipv4-icmp' | 'arp' | 'ipv6-tcp' | 'ipv6-udp' | 'vlan-ipv4-tcp' | 'vlan-ipv4-udp'
  | 'gre-ethernet' | 'gre-ipv4' | 'ipv4-fragment';

/**
 * One pool frame with what it was built to be: enough for a test to say, from this description alone,
 * which benchmark filters must match it.
 */
export interface BenchmarkFrame {
  kind: BenchmarkFrameKind;
  /** The frame's bytes (Ethernet, padded to at least 60 bytes). */
  data: Uint8Array;
  /** 802.1Q VLAN id when tagged. */
  vlanId?: number;
  /** Outer network-layer addresses (IPv4 or IPv6 text; ARP sender and target protocol addresses). */
  source?: string;
  destination?: string;
  /** IP protocol of the outer IPv4 / IPv6 header (6, 17, 1, 47). */
  ipProtocol?: number;
  /** Outer transport ports (TCP or UDP; absent in non-first fragments). */
  sourcePort?: number;
  destinationPort?: number;
  /** TCP flags (the 12 bits after the data offset). */
  tcpFlags?: number;
  /** IPv4 fragment fields of the outer header. */
  moreFragments?: boolean;
  fragOffset?: number;
  /** GRE: key present, protocol type, and the inner IPv4 addresses. */
  greKeyPresent?: boolean;
  greProtocolType?: number;
  innerSource?: string;
  innerDestination?: string;
  /** Byte offset of the outer IPv4/IPv6 header in `data` (14, or 18 after an 802.1Q tag). */
  networkOffset?: number;
  /** Byte offset of the inner IPv4 header in `data` for GRE frames. */
  innerNetworkOffset?: number;
}

/** A small seeded PRNG (mulberry32): deterministic across runs and platforms. */
export function createBenchmarkRandom(seed: number): { next: () => number; below: (n: number) => number } {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, below: (n: number) => Math.floor(next() * n) };
}

type Random = ReturnType<typeof createBenchmarkRandom>;

const pick = <T>(random: Random, items: readonly T[]): T => items[random.below(items.length)]!;

/** Picks a key by weight. */
function weighted<T extends string>(random: Random, weights: Readonly<Record<T, number>>): T {
  const entries = Object.entries(weights) as [T, number][];
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let roll = random.next() * total;
  for (const [key, weight] of entries) {
    roll -= weight;
    if (roll < 0) return key;
  }
  return entries[entries.length - 1]![0];
}

/** Share of each frame kind in the mix (percent). */
const KIND_WEIGHTS: Record<BenchmarkFrameKind, number> = {
  'ipv4-tcp': 42, 'ipv4-udp': 12, 'ipv4-icmp': 3, arp: 2, 'ipv6-tcp': 9, 'ipv6-udp': 5, 'vlan-ipv4-tcp': 8, 'vlan-ipv4-udp': 2,
  'gre-ethernet': 7, 'gre-ipv4': 3, 'ipv4-fragment': 7,
};

const TCP = { fin: 0x01, syn: 0x02, rst: 0x04, psh: 0x08, ack: 0x10 } as const;

/** Frame length of a TCP segment's frame: bare ACKs, small requests, mid-size and full-size segments. */
function tcpFrameLength(random: Random, flags: number): number {
  if (flags & (TCP.syn | TCP.fin | TCP.rst)) return ETHERNET_MINIMUM_FRAME;
  const roll = random.below(100);
  if (flags === TCP.ack && roll < 55) return ETHERNET_MINIMUM_FRAME; // pure ACK
  if (roll < 70) return 80 + random.below(500);
  if (roll < 80) return 580 + random.below(900);
  return ETHERNET_MAXIMUM_FRAME;
}

function randomPayload(random: Random, length: number): Uint8Array {
  const bytes = new Uint8Array(Math.max(0, length));
  for (let i = 0; i < bytes.length; i++) bytes[i] = random.below(256);
  return bytes;
}

/** A random public-looking or private IPv4 address that is never one of the benchmark's special hosts. */
function randomIpv4(random: Random): string {
  for (;;) {
    const first = pick(random, [10, 172, 192, 198, 203, 8, 93, 151]);
    const text = `${first}.${random.below(256)}.${random.below(256)}.${1 + random.below(254)}`;
    if (text !== BENCHMARK_HOST_ADDRESS && text !== BENCHMARK_GRE_INNER_ADDRESS) return text;
  }
}

function randomIpv6(random: Random): string {
  const group = (): string => random.below(0x10000).toString(16);
  return `2001:db8:${group()}:${group()}::${group()}:${group()}`;
}

const randomMac = (random: Random): string =>
  ['02', ...Array.from({ length: 5 }, () => random.below(256).toString(16).padStart(2, '0'))].join(':');

const highPort = (random: Random): number => 1024 + random.below(64512);

/** Source and destination for IPv4 traffic; about one flow in twelve involves 10.1.2.3. */
function ipv4Pair(random: Random): [string, string] {
  const roll = random.below(24);
  if (roll === 0) return [BENCHMARK_HOST_ADDRESS, randomIpv4(random)];
  if (roll === 1) return [randomIpv4(random), BENCHMARK_HOST_ADDRESS];
  return [randomIpv4(random), randomIpv4(random)];
}

/** A TCP flow's ports (client high port to a server port, either direction) and flags. */
function tcpSegment(random: Random): { sourcePort: number; destinationPort: number; flags: number } {
  const server = pick(random, [80, 80, 443, 443, 443, 22, 8080, highPort(random)]);
  const client = highPort(random);
  const toServer = random.below(2) === 0;
  const flags = pick(random, [TCP.ack, TCP.ack, TCP.ack, TCP.psh | TCP.ack, TCP.psh | TCP.ack, TCP.syn, TCP.syn | TCP.ack, TCP.fin | TCP.ack, TCP.rst | TCP.ack]);
  return toServer ? { sourcePort: client, destinationPort: server, flags } : { sourcePort: server, destinationPort: client, flags };
}

/** A UDP datagram's ports and frame length: DNS, DHCP, NTP or something else. */
function udpDatagram(random: Random): { sourcePort: number; destinationPort: number; frameLength: number } {
  const service = weighted(random, { dns: 45, dhcp: 10, ntp: 10, other: 35 });
  const flip = random.below(2) === 0;
  const pair = (a: number, b: number): [number, number] => (flip ? [a, b] : [b, a]);
  let ports: [number, number];
  let frameLength: number;
  if (service === 'dns') { ports = pair(highPort(random), 53); frameLength = 70 + random.below(300); }
  else if (service === 'dhcp') { ports = pair(68, 67); frameLength = 342 + random.below(250); }
  else if (service === 'ntp') { ports = pair(123, random.below(2) ? 123 : highPort(random)); frameLength = 90; }
  else { ports = [highPort(random), highPort(random)]; frameLength = 60 + random.below(1455); }
  return { sourcePort: ports[0], destinationPort: ports[1], frameLength };
}

/** Builds a stack and pads it with zeros to the Ethernet minimum (bytes after the IP packet, as on the wire). */
function finish(stack: BuildLayerSpec[]): { data: Uint8Array; offsets: number[] } {
  const built = buildPacketLayers(stack);
  if (built.data.length >= ETHERNET_MINIMUM_FRAME) return { data: built.data, offsets: built.offsets };
  const padded = new Uint8Array(ETHERNET_MINIMUM_FRAME);
  padded.set(built.data);
  return { data: padded, offsets: built.offsets };
}

/**
 * Payload bytes so that headers plus payload make `frameLength`; a minimum-size frame carries no payload
 * at all (a bare ACK: the bytes up to 60 are Ethernet padding, outside the IP packet).
 */
const fill = (random: Random, frameLength: number, headers: number): Uint8Array =>
  randomPayload(random, frameLength <= ETHERNET_MINIMUM_FRAME ? 0 : frameLength - headers);

/** Builds one pool frame of the given kind. */
function buildFrame(random: Random, kind: BenchmarkFrameKind): BenchmarkFrame {
  const ethernet: BuildLayerSpec = { type: 'ethernet', source: randomMac(random), destination: randomMac(random) };
  switch (kind) {
    case 'ipv4-tcp':
    case 'vlan-ipv4-tcp': {
      const vlanId = kind === 'vlan-ipv4-tcp' ? 1 + random.below(4094) : undefined;
      // SSH sessions of 10.1.2.3 come on top of its share of ordinary flows, so `not port 22` matters.
      const ssh = random.below(25) === 0;
      const [source, destination] = ssh ? [randomIpv4(random), BENCHMARK_HOST_ADDRESS] : ipv4Pair(random);
      const segment = tcpSegment(random);
      if (ssh) { segment.sourcePort = highPort(random); segment.destinationPort = 22; }
      const headers = 14 + (vlanId === undefined ? 0 : 4) + 20 + 20;
      const stack: BuildLayerSpec[] = [ethernet, ...(vlanId === undefined ? [] : [{ type: 'vlan', vlanId } as BuildLayerSpec]),
        { type: 'ipv4', source, destination, identification: random.below(0x10000), dontFragment: true, ttl: pick(random, [64, 128, 57]) },
        { type: 'tcp', ...segment, sequenceNumber: random.below(2 ** 32), acknowledgmentNumber: segment.flags & TCP.ack ? random.below(2 ** 32) : 0, window: random.below(0x10000) },
        { type: 'payload', data: fill(random, tcpFrameLength(random, segment.flags), headers) }];
      const { data } = finish(stack);
      return { kind, data, vlanId, source, destination, ipProtocol: 6, sourcePort: segment.sourcePort, destinationPort: segment.destinationPort, tcpFlags: segment.flags, networkOffset: headers - 40 };
    }
    case 'ipv4-udp':
    case 'vlan-ipv4-udp': {
      const vlanId = kind === 'vlan-ipv4-udp' ? 1 + random.below(4094) : undefined;
      const [source, destination] = ipv4Pair(random);
      const datagram = udpDatagram(random);
      const headers = 14 + (vlanId === undefined ? 0 : 4) + 20 + 8;
      const stack: BuildLayerSpec[] = [ethernet, ...(vlanId === undefined ? [] : [{ type: 'vlan', vlanId } as BuildLayerSpec]),
        { type: 'ipv4', source, destination, identification: random.below(0x10000) },
        { type: 'udp', sourcePort: datagram.sourcePort, destinationPort: datagram.destinationPort },
        { type: 'payload', data: fill(random, datagram.frameLength, headers) }];
      const { data } = finish(stack);
      return { kind, data, vlanId, source, destination, ipProtocol: 17, sourcePort: datagram.sourcePort, destinationPort: datagram.destinationPort, networkOffset: headers - 28 };
    }
    case 'ipv4-icmp': {
      const [source, destination] = ipv4Pair(random);
      const icmpType = pick(random, [8, 8, 0, 0, 3, 11]);
      const echo = icmpType === 8 || icmpType === 0;
      // Echo carries 56 bytes of data (ping's default); an error quotes the IPv4 header and 8 bytes (a UDP header) of the packet it answers.
      const stack: BuildLayerSpec[] = [ethernet, { type: 'ipv4', source, destination, identification: random.below(0x10000) },
        { type: 'icmp', icmpType, code: icmpType === 3 ? pick(random, [1, 3, 4]) : 0, restOfHeader: echo ? random.below(2 ** 32) : 0 },
        ...(echo ? [{ type: 'payload', data: randomPayload(random, 56) } as BuildLayerSpec]
          : [{ type: 'ipv4', source: destination, destination: randomIpv4(random), identification: random.below(0x10000) } as BuildLayerSpec,
            { type: 'udp', sourcePort: highPort(random), destinationPort: pick(random, [53, 123, highPort(random)]) } as BuildLayerSpec])];
      return { kind, data: finish(stack).data, source, destination, ipProtocol: 1, networkOffset: 14 };
    }
    case 'arp': {
      const source = randomIpv4(random);
      const destination = random.below(8) === 0 ? BENCHMARK_HOST_ADDRESS : randomIpv4(random);
      const stack: BuildLayerSpec[] = [{ ...ethernet, destination: 'ff:ff:ff:ff:ff:ff' },
        { type: 'arp', operation: pick(random, [1, 1, 2]), senderProtocolAddress: source, targetProtocolAddress: destination }];
      return { kind, data: finish(stack).data, source, destination };
    }
    case 'ipv6-tcp':
    case 'ipv6-udp': {
      const source = randomIpv6(random);
      const destination = randomIpv6(random);
      const isTcp = kind === 'ipv6-tcp';
      // Most IPv6 traffic here is HTTPS (TCP 443) and QUIC (UDP 443), in both directions.
      const toServer = random.below(2) === 0;
      const server = random.below(4) === 0 ? pick(random, [80, 22, 53]) : 443;
      const client = highPort(random);
      const [sourcePort, destinationPort] = toServer ? [client, server] : [server, client];
      const flags = isTcp ? tcpSegment(random).flags : undefined;
      const headers = 14 + 40 + (isTcp ? 20 : 8);
      const frameLength = isTcp ? tcpFrameLength(random, flags!) : 80 + random.below(1400);
      const stack: BuildLayerSpec[] = [ethernet, { type: 'ipv6', source, destination, flowLabel: random.below(0x100000) },
        isTcp ? { type: 'tcp', sourcePort, destinationPort, flags, sequenceNumber: random.below(2 ** 32), acknowledgmentNumber: random.below(2 ** 32) } : { type: 'udp', sourcePort, destinationPort },
        { type: 'payload', data: fill(random, frameLength, headers) }];
      return { kind, data: finish(stack).data, source, destination, ipProtocol: isTcp ? 6 : 17, sourcePort, destinationPort, tcpFlags: flags, networkOffset: 14 };
    }
    case 'gre-ethernet': {
      // SCENARIOS.md 1: outer IPv4 (20 bytes) / GRE with the key bit (8 bytes) / inner Ethernet (14) / inner IPv4,
      // so the inner source is at ip[54:4] and the inner destination at ip[58:4].
      const source = randomIpv4(random);
      const destination = randomIpv4(random);
      const roll = random.below(3);
      const innerSource = roll === 0 ? BENCHMARK_GRE_INNER_ADDRESS : randomIpv4(random);
      const innerDestination = roll === 1 ? BENCHMARK_GRE_INNER_ADDRESS : randomIpv4(random);
      const innerTcp = random.below(2) === 0;
      const headers = 14 + 20 + 8 + 14 + 20 + (innerTcp ? 20 : 8);
      const frameLength = innerTcp ? 120 + random.below(1395) : 98 + 42;
      const stack: BuildLayerSpec[] = [ethernet, { type: 'ipv4', source, destination, identification: random.below(0x10000), dontFragment: true },
        { type: 'gre', keyPresent: true, key: random.below(2 ** 32) },
        { type: 'ethernet', source: randomMac(random), destination: randomMac(random) },
        { type: 'ipv4', source: innerSource, destination: innerDestination, identification: random.below(0x10000) },
        innerTcp ? { type: 'tcp', ...tcpSegment(random), flags: TCP.psh | TCP.ack } : { type: 'icmp', icmpType: 8 },
        { type: 'payload', data: fill(random, Math.min(frameLength, ETHERNET_MAXIMUM_FRAME), headers) }];
      const { data, offsets } = finish(stack);
      return { kind, data, source, destination, ipProtocol: 47, greKeyPresent: true, greProtocolType: 0x6558, innerSource, innerDestination, networkOffset: offsets[1], innerNetworkOffset: offsets[4] };
    }
    case 'gre-ipv4': {
      // SCENARIOS.md 6: GRE without options (4 bytes) carrying IPv4 (protocol type 0x0800); never 10.5.5.5 inside.
      const source = randomIpv4(random);
      const destination = randomIpv4(random);
      const innerSource = randomIpv4(random);
      const innerDestination = randomIpv4(random);
      const headers = 14 + 20 + 4 + 20 + 8;
      const stack: BuildLayerSpec[] = [ethernet, { type: 'ipv4', source, destination, identification: random.below(0x10000) },
        { type: 'gre' },
        { type: 'ipv4', source: innerSource, destination: innerDestination, identification: random.below(0x10000) },
        { type: 'udp', sourcePort: highPort(random), destinationPort: pick(random, [53, 4500, highPort(random)]) },
        { type: 'payload', data: fill(random, 100 + random.below(1400), headers) }];
      const { data, offsets } = finish(stack);
      return { kind, data, source, destination, ipProtocol: 47, greKeyPresent: false, greProtocolType: 0x0800, innerSource, innerDestination, networkOffset: offsets[1], innerNetworkOffset: offsets[3] };
    }
    case 'ipv4-fragment': {
      // A large UDP datagram cut at 1480 bytes: the first fragment carries the UDP header, later ones do not.
      const [source, destination] = ipv4Pair(random);
      const first = random.below(2) === 0;
      const moreFragments = first || random.below(2) === 0;
      const fragOffset = first ? 0 : 185 * (1 + random.below(4)); // 185 * 8 = 1480 bytes per full fragment
      const identification = random.below(0x10000);
      if (first) {
        const ports = { sourcePort: highPort(random), destinationPort: pick(random, [4789, 500, highPort(random)]) };
        const stack: BuildLayerSpec[] = [ethernet, { type: 'ipv4', source, destination, identification, moreFragments },
          { type: 'udp', ...ports, length: 8 + 1472 + 1480 },
          { type: 'payload', data: randomPayload(random, ETHERNET_MAXIMUM_FRAME - 14 - 20 - 8) }];
        return { kind, data: finish(stack).data, source, destination, ipProtocol: 17, ...ports, moreFragments, fragOffset, networkOffset: 14 };
      }
      const length = moreFragments ? ETHERNET_MAXIMUM_FRAME - 34 : 8 * (1 + random.below(180));
      const stack: BuildLayerSpec[] = [ethernet, { type: 'ipv4', source, destination, identification, moreFragments, fragOffset, protocol: 17 },
        { type: 'payload', data: randomPayload(random, length) }];
      return { kind, data: finish(stack).data, source, destination, ipProtocol: 17, moreFragments, fragOffset, networkOffset: 14 };
    }
  }
}

let cachedPool: BenchmarkFrame[] | undefined;

/** The pool of distinct frames every benchmark capture cycles through (built once, deterministic). */
export function benchmarkFramePool(): readonly BenchmarkFrame[] {
  if (cachedPool) return cachedPool;
  const random = createBenchmarkRandom(BENCHMARK_SEED);
  const pool: BenchmarkFrame[] = [];
  for (let i = 0; i < BENCHMARK_POOL_SIZE; i++) pool.push(buildFrame(random, weighted(random, KIND_WEIGHTS)));
  cachedPool = pool;
  return pool;
}

/** The pool frame that frame `index` of a benchmark capture carries. */
export function benchmarkFrameAt(index: number): BenchmarkFrame {
  return benchmarkFramePool()[index % BENCHMARK_POOL_SIZE]!;
}

/** The capture time of frame `index`: increasing, microsecond resolution, with a deterministic jitter. */
export function benchmarkTimestampNs(index: number): bigint {
  // A multiplicative hash of the index gives the jitter, so the stamp of frame i never depends on N.
  const jitter = (Math.imul(index + 1, 0x9e3779b1) >>> 0) % BENCHMARK_FRAME_SPACING_US;
  const micros = index * BENCHMARK_FRAME_SPACING_US + jitter;
  const seconds = BENCHMARK_START_SECONDS + Math.floor(micros / 1_000_000);
  return BigInt(seconds) * 1_000_000_000n + BigInt((micros % 1_000_000) * 1000);
}

/** The exact size in bytes of a benchmark capture of `frames` frames (24-byte header, 16 per record). */
export function benchmarkCaptureSize(frames: number): number {
  const pool = benchmarkFramePool();
  let cycle = 0;
  for (const frame of pool) cycle += 16 + frame.data.length;
  const whole = Math.floor(frames / pool.length);
  let size = 24 + whole * cycle;
  for (let i = 0; i < frames % pool.length; i++) size += 16 + pool[i]!.data.length;
  return size;
}

/** What a generated capture holds. */
export interface BenchmarkCaptureSummary { path: string; frames: number; bytes: number; reused: boolean }

/**
 * Writes a benchmark capture of `frames` frames to `path` (classic pcap, microsecond, Ethernet) by
 * streaming through PcapWriter: memory stays constant for any frame count. The file appears under its
 * name only when complete.
 */
export async function generateBenchmarkCapture(frames: number, path: string): Promise<BenchmarkCaptureSummary> {
  if (!Number.isSafeInteger(frames) || frames < 0) throw new RangeError(`generateBenchmarkCapture: frame count ${frames} is not a non-negative integer`);
  const pool = benchmarkFramePool();
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.partial-${process.pid}`;
  const writer = new PcapWriter(partial, { linkType: LinkType.EN10MB, snaplen: 262144 });
  try {
    for (let i = 0; i < frames; i++) {
      writer.append({ data: pool[i % pool.length]!.data, timestampNs: benchmarkTimestampNs(i) });
      if ((i & 1023) === 1023) await writer.drained();
    }
    await writer.close();
  } catch (error) {
    await writer.close().catch(() => undefined);
    rmSync(partial, { force: true });
    throw error;
  }
  renameSync(partial, path);
  return { path, frames, bytes: statSync(path).size, reused: false };
}

/** The conventional path of the benchmark capture of `frames` frames (bench/results is gitignored for *.pcap). */
export function benchmarkCapturePath(frames: number, directory = 'bench/results'): string {
  return join(directory, `mix-${frames}.pcap`);
}

/**
 * The benchmark capture of `frames` frames under `directory`: reused when a file of exactly the expected
 * size is there (same frame count and same pool), generated otherwise.
 */
export async function ensureBenchmarkCapture(frames: number, directory = 'bench/results'): Promise<BenchmarkCaptureSummary> {
  const path = benchmarkCapturePath(frames, directory);
  const expected = benchmarkCaptureSize(frames);
  if (existsSync(path) && statSync(path).size === expected) return { path, frames, bytes: expected, reused: true };
  return generateBenchmarkCapture(frames, path);
}

/**
 * One benchmark filter: the expression pktfilter runs, the stock expression tcpdump and libpcap run (the
 * same unless ours is an extension), and a hand-written Wireshark display filter that selects the same
 * frames of this mix. BPF tests the outer headers only (`ip` is the untagged EtherType 0x0800, `tcp[...]`
 * is IPv4 TCP, `host` covers ARP), while display filters look into VLAN tags, GRE payloads and the packet an
 * ICMP error quotes; the display filters below exclude those on purpose.
 */
export interface BenchmarkFilter { expression: string; stock: string; display: string; note?: string }

const UNTAGGED_IP = '(eth.type == 0x0800 or eth.type == 0x86dd)';
/** The filters bench/filter.ts times, with their stock and display-filter equivalents. */
export const BENCHMARK_FILTERS: readonly BenchmarkFilter[] = [
  { expression: 'ip', stock: 'ip', display: 'eth.type == 0x0800' },
  { expression: 'tcp port 80', stock: 'tcp port 80', display: `${UNTAGGED_IP} and not gre and not icmp and tcp.port == 80` },
  {
    expression: 'udp port 53 or udp port 67 or udp port 68', stock: 'udp port 53 or udp port 67 or udp port 68',
    display: `${UNTAGGED_IP} and not gre and not icmp and (udp.port == 53 or udp.port == 67 or udp.port == 68)`,
  },
  { expression: 'vlan and tcp', stock: 'vlan and tcp', display: 'vlan and tcp' },
  { expression: 'ip[6:2] & 0x1fff != 0', stock: 'ip[6:2] & 0x1fff != 0', display: 'eth.type == 0x0800 and not icmp and ip.frag_offset > 0', note: 'raw offset: fragment offset field' },
  { expression: 'tcp[tcpflags] & (tcp-syn|tcp-fin) != 0', stock: 'tcp[tcpflags] & (tcp-syn|tcp-fin) != 0', display: 'eth.type == 0x0800 and not gre and (tcp.flags.syn == 1 or tcp.flags.fin == 1)' },
  {
    expression: 'proto gre and (ip[54:4] = 0x0a050505 or ip[58:4] = 0x0a050505)', stock: 'proto gre and (ip[54:4] = 0x0a050505 or ip[58:4] = 0x0a050505)',
    display: 'ip.addr == 10.5.5.5 and gre', note: 'raw offsets equal the inner addresses only for GRE with a key carrying Ethernet',
  },
  { expression: 'ip6 and tcp dst port 443', stock: 'ip6 and tcp dst port 443', display: 'eth.type == 0x86dd and tcp.dstport == 443' },
  { expression: 'arp or icmp', stock: 'arp or icmp', display: 'arp or (eth.type == 0x0800 and icmp and not gre)' },
  {
    expression: 'host 10.1.2.3 and not port 22', stock: 'host 10.1.2.3 and not port 22',
    display: 'not vlan and (ip.addr == 10.1.2.3 or arp.src.proto_ipv4 == 10.1.2.3 or arp.dst.proto_ipv4 == 10.1.2.3) and not (tcp.port == 22 or udp.port == 22)',
  },
  {
    expression: 'gre and ip host 10.5.5.5', stock: 'proto gre and (ip[54:4] = 0x0a050505 or ip[58:4] = 0x0a050505)',
    display: 'ip.addr == 10.5.5.5 and gre', note: 'our extension; tcpdump, libpcap and tshark run the stock equivalent',
  },
];
