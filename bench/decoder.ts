/**
 * Benchmark of the packet decoder: ns/packet of the allocation-free hot path (PacketDecoder.decode,
 * every layer down to the payload), of the hot path plus reading a few fields through views, and of
 * the object API (decodePacket), over a generated capture with a realistic mix (IPv4/IPv6 TCP and
 * UDP, VLAN tags, ARP, ICMP errors, GRE, VXLAN and Geneve tunnels); beside tshark's time on the same
 * file (`tshark -r f -T fields -e frame.number`, CPU time / frames) measured in the same run. Times
 * are CPU times (user + system), not wall time: the machine is shared and wall time counts other
 * processes' turns.
 * Prints a table and writes bench/results/decoder.json.
 *
 *   node scripts/run-ts.mjs bench/decoder.ts [FRAMES]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { LinkType } from '../src/capture/linktype.js';
import { encodePcap } from '../src/capture/pcap-writer.js';
import { buildPacket } from '../src/packet/build/index.js';
import type { BuildLayerSpec } from '../src/packet/build/index.js';
import { Ipv4View, LayerKind, PacketDecoder, TcpView, decodePacket } from '../src/packet/index.js';

const FRAMES = Number(process.argv[2] ?? 50_000);
const file = `bench/results/decoder-mix-${FRAMES}.pcap`;

// ---- The mix: weights roughly like an edge router's traffic. ----
const payload = (n: number): BuildLayerSpec => ({ type: 'payload', data: new Uint8Array(n).fill(0x5a) });
const inner: BuildLayerSpec[] = [{ type: 'ethernet' }, { type: 'ipv4', source: '10.5.5.5', destination: '10.5.5.1' }, { type: 'tcp', flags: 0x18 }, payload(200)];
const mix: [number, BuildLayerSpec[]][] = [
  [40, [{ type: 'ethernet' }, { type: 'ipv4' }, { type: 'tcp', flags: 0x10, options: [{ kind: 1, data: new Uint8Array() }, { kind: 1, data: new Uint8Array() }, { kind: 8, data: new Uint8Array(8) }] }]],
  [15, [{ type: 'ethernet' }, { type: 'ipv4' }, { type: 'tcp', flags: 0x18 }, payload(1400)]],
  [12, [{ type: 'ethernet' }, { type: 'ipv4' }, { type: 'udp', sourcePort: 5353, destinationPort: 53 }, payload(40)]],
  [8, [{ type: 'ethernet' }, { type: 'ipv6' }, { type: 'tcp', flags: 0x10 }, payload(100)]],
  [6, [{ type: 'ethernet' }, { type: 'vlan', vlanId: 102 }, { type: 'ipv4' }, { type: 'udp', sourcePort: 40000, destinationPort: 1234 }, payload(2)]],
  [4, [{ type: 'ethernet' }, { type: 'vlan', vlanId: 102 }, { type: 'ipv4', dontFragment: true }, { type: 'gre', keyPresent: true, key: 1002 }, ...inner]],
  [4, [{ type: 'ethernet' }, { type: 'ipv4' }, { type: 'udp', sourcePort: 50000, destinationPort: 4789 }, { type: 'vxlan', vni: 42 }, ...inner]],
  [2, [{ type: 'ethernet' }, { type: 'ipv6' }, { type: 'udp', sourcePort: 50000, destinationPort: 6081 }, { type: 'geneve', vni: 7, options: [{ optionClass: 0x0102, type: 1, data: new Uint8Array(4) }] }, ...inner]],
  [3, [{ type: 'ethernet' }, { type: 'arp' }, payload(18)]],
  [2, [{ type: 'ethernet' }, { type: 'ipv4' }, { type: 'icmp', icmpType: 3, code: 4, restOfHeader: 1400 }, { type: 'ipv4' }, { type: 'udp' }]],
  [2, [{ type: 'ethernet' }, { type: 'ipv6' }, { type: 'icmpv6', icmpv6Type: 128 }, payload(56)]],
  [2, [{ type: 'ethernet' }, { type: 'ipv6' }, { type: 'ipv6Extension', headerType: 0 }, { type: 'ipv6Fragment' }, { type: 'udp' }, payload(64)]],
];
const templates = mix.map(([weight, stack]) => [weight, buildPacket(stack)] as const);
const totalWeight = templates.reduce((sum, [weight]) => sum + weight, 0);
let seed = 7;
const random = (n: number): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 8) % n; };
// The packets sit back to back in one buffer, as a capture reader hands them out (subarrays of its chunk).
const chosen: Uint8Array[] = [];
for (let i = 0; i < FRAMES; i++) {
  let roll = random(totalWeight);
  let index = 0;
  while (roll >= templates[index]![0]) { roll -= templates[index]![0]; index++; }
  chosen.push(templates[index]![1]);
}
const buffer = new Uint8Array(chosen.reduce((sum, p) => sum + p.length, 0));
const packets: Uint8Array[] = [];
let at = 0;
chosen.forEach((template, i) => {
  buffer.set(template, at);
  // Vary the last byte (past every header) so that packets differ.
  buffer[at + template.length - 1] = i & 0xff;
  packets.push(buffer.subarray(at, at + template.length));
  at += template.length;
});
const layerCount = (() => { const d = new PacketDecoder(); return packets.reduce((sum, p) => sum + d.decode(p, LinkType.EN10MB).count, 0); })();

/** CPU time of this process in nanoseconds (the machine is shared: wall time would count other processes' turns). */
const cpuNs = (): number => { const usage = process.cpuUsage(); return (usage.user + usage.system) * 1000; };

/** Best CPU ns/packet of `rounds` passes over every packet. */
function measure(rounds: number, pass: () => number): { ns: number; check: number } {
  let best = Infinity;
  let check = 0;
  for (let round = 0; round < rounds; round++) {
    const start = cpuNs();
    check = pass();
    best = Math.min(best, (cpuNs() - start) / packets.length);
  }
  return { ns: best, check };
}

// How loaded the shared machine is: a loop of two byte loads and an add (well under 1 ns on an idle core).
const calibration = (() => {
  const bytes = new Uint8Array(64).map((_, i) => i);
  let best = Infinity;
  let sum = 0;
  for (let round = 0; round < 5; round++) {
    const start = cpuNs();
    for (let i = 0; i < 5_000_000; i++) sum += bytes[i & 63]! + bytes[(i + 1) & 63]!;
    best = Math.min(best, (cpuNs() - start) / 5_000_000);
  }
  return sum > 0 ? best : best;
})();

const decoder = new PacketDecoder();
const hot = measure(7, () => {
  let layers = 0;
  for (let i = 0; i < packets.length; i++) layers += decoder.decode(packets[i]!, LinkType.EN10MB).count;
  return layers;
});
const ipv4 = new Ipv4View();
const tcp = new TcpView();
const hotFields = measure(7, () => {
  let sum = 0;
  for (let i = 0; i < packets.length; i++) {
    const layers = decoder.decode(packets[i]!, LinkType.EN10MB);
    for (let j = 0; j < layers.count; j++) {
      const kind = layers.kinds[j];
      if (kind === LayerKind.ipv4) sum += ipv4.point(layers.data, layers.offsets[j]!, layers.ends[j]!).ttl;
      else if (kind === LayerKind.tcp) sum += tcp.point(layers.data, layers.offsets[j]!, layers.ends[j]!).destinationPort;
    }
  }
  return sum;
});
const objects = measure(3, () => {
  let layers = 0;
  for (let i = 0; i < packets.length; i++) layers += decodePacket(packets[i]!, LinkType.EN10MB).layers.length;
  return layers;
});
if (hot.check !== layerCount || objects.check !== layerCount) throw new Error(`layer counts differ: ${hot.check} ${objects.check} ${layerCount}`);

// ---- tshark on the same packets, in the same run. ----
mkdirSync('bench/results', { recursive: true });
writeFileSync(file, encodePcap(packets.map((data, i) => ({ data, timestampNs: BigInt(i) * 1000n })), { linkType: LinkType.EN10MB }));
// tshark's CPU time (user + system of the child, from bash's `times`), as ours is CPU time too.
let tsharkNs: number | undefined;
const tshark = spawnSync('bash', ['-c', 'tshark -n -r "$1" -T fields -e frame.number | wc -l; times', 'bash', file], { encoding: 'utf8' });
const lines = tshark.stdout.trim().split('\n');
const children = lines[2]?.match(/(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/);
if (tshark.status === 0 && Number(lines[0]) === packets.length && children) {
  const seconds = Number(children[1]) * 60 + Number(children[2]) + Number(children[3]) * 60 + Number(children[4]);
  tsharkNs = (seconds * 1e9) / packets.length;
} else console.error(`tshark unavailable or failed: ${tshark.stderr ?? tshark.error}`);
rmSync(file, { force: true });

const rows = [
  { measure: 'hot path: PacketDecoder.decode (all layers)', ns: hot.ns, target: 100 as number | undefined },
  { measure: 'hot path + ttl/port through views', ns: hotFields.ns },
  { measure: 'object API: decodePacket', ns: objects.ns },
].map((row) => ({ ...row, ns: Number(row.ns.toFixed(1)), tsharkNs: tsharkNs === undefined ? null : Number(tsharkNs.toFixed(0)), ratio: tsharkNs === undefined ? null : Number((row.ns / tsharkNs).toFixed(4)) }));

console.log(`decoder: ${packets.length} frames, ${(layerCount / packets.length).toFixed(2)} layers/frame on average; calibration loop ${calibration.toFixed(2)} ns/iteration`);
console.log(['measure'.padEnd(46), 'ns/pkt'.padStart(9), 'tshark ns/pkt'.padStart(14), 'ratio'.padStart(8), 'target'.padStart(8)].join(' '));
for (const row of rows) {
  console.log([row.measure.padEnd(46), row.ns.toFixed(1).padStart(9), String(row.tsharkNs ?? 'n/a').padStart(14), String(row.ratio ?? 'n/a').padStart(8), String(row.target ?? '').padStart(8)].join(' '));
}
writeFileSync('bench/results/decoder.json', JSON.stringify({ frames: packets.length, layersPerFrame: layerCount / packets.length, calibrationNsPerIteration: calibration, rows }, null, 2) + '\n');
console.log('wrote bench/results/decoder.json');
