/**
 * Benchmark of the packet builders: CPU ns/packet of buildPacket for two shapes (a TCP SYN with
 * options; the scenario-1 GRE overlay frame with an ICMP echo inside), beside a hand-written C
 * builder of the same bytes (bench/c/builders.c, gcc -O2) measured in the same run (no libpcap
 * function builds packets), plus the cost of drawing one arbitraryPacket. The C and TypeScript bytes
 * must be identical, which also cross-checks every length and checksum. Times are CPU times.
 * Prints a table and writes bench/results/builders.json.
 *
 *   node scripts/run-ts.mjs bench/builders.ts [PACKETS]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { arbitraryPacket } from '../src/packet/arbitrary/index.js';
import { buildPacket } from '../src/packet/build/index.js';
import type { BuildLayerSpec } from '../src/packet/build/index.js';

const PACKETS = Number(process.argv[2] ?? 50_000);
const cpuNs = (): number => { const usage = process.cpuUsage(); return (usage.user + usage.system) * 1000; };

const synOptions = [
  { kind: 2, data: Uint8Array.of(0x05, 0xb4) }, { kind: 4, data: new Uint8Array(0) },
  { kind: 8, data: Uint8Array.of(0, 0, 0, 1, 0, 0, 0, 0) }, { kind: 1, data: new Uint8Array(0) }, { kind: 3, data: Uint8Array.of(7) },
];
const shapes: { name: string; stack: (i: number) => BuildLayerSpec[] }[] = [
  {
    name: 'syn',
    stack: (i) => [
      { type: 'ethernet' }, { type: 'ipv4', source: '10.0.0.2', destination: '10.0.0.1', dontFragment: true },
      { type: 'tcp', sourcePort: 40000, destinationPort: 443, sequenceNumber: i >>> 0, flags: 0x02, window: 64240, options: synOptions },
    ],
  },
  {
    name: 'gre',
    stack: (i) => [
      { type: 'ethernet' }, { type: 'vlan', vlanId: 102 }, { type: 'ipv4', source: '172.20.0.11', destination: '172.20.0.12', dontFragment: true },
      { type: 'gre', keyPresent: true, key: 1002 }, { type: 'ethernet' }, { type: 'ipv4', source: '10.5.5.1', destination: '10.5.5.5', dontFragment: true },
      { type: 'icmp', icmpType: 8, restOfHeader: (0x0b1c << 16) | (i & 0xffff) }, { type: 'payload', data: Uint8Array.from({ length: 56 }, (_, k) => k) },
    ],
  },
];

function measure(rounds: number, count: number, pass: () => number): number {
  let best = Infinity;
  for (let round = 0; round < rounds; round++) {
    const start = cpuNs();
    pass();
    best = Math.min(best, (cpuNs() - start) / count);
  }
  return best;
}

// The C baseline, compiled now.
const directory = mkdtempSync(join(tmpdir(), 'pktfilter-bench-builders-'));
let c: Map<string, { ns: number; hex: string }> | undefined;
try {
  const binary = join(directory, 'builders');
  execFileSync('gcc', ['-O2', '-o', binary, 'bench/c/builders.c']);
  const output = execFileSync(binary, [String(PACKETS * 5)], { encoding: 'utf8' });
  c = new Map(output.trim().split('\n').map((line) => { const [name, ns, hex] = line.split(' '); return [name!, { ns: Number(ns), hex: hex! }]; }));
} catch (error) {
  console.error(`C baseline unavailable: ${(error as Error).message}`);
} finally {
  rmSync(directory, { recursive: true, force: true });
}

const rows = shapes.map(({ name, stack }) => {
  const ours = Buffer.from(buildPacket(stack(0))).toString('hex');
  const baseline = c?.get(name);
  if (baseline && baseline.hex !== ours) throw new Error(`${name}: C and TypeScript bytes differ\n C  ${baseline.hex}\n TS ${ours}`);
  const ns = measure(5, PACKETS, () => { let sum = 0; for (let i = 0; i < PACKETS; i++) sum += buildPacket(stack(i)).length; return sum; });
  return { measure: `buildPacket: ${name} (${ours.length / 2} bytes)`, ns: Number(ns.toFixed(1)), cNs: baseline ? baseline.ns : null, ratio: baseline ? Number((ns / baseline.ns).toFixed(1)) : null };
});
const samples = 5_000;
const arbitraryNs = measure(3, samples, () => fc.sample(arbitraryPacket(), { numRuns: samples, seed: 1 }).length);
rows.push({ measure: 'arbitraryPacket: one sample (any link type)', ns: Number(arbitraryNs.toFixed(0)), cNs: null, ratio: null });

console.log(`builders: ${PACKETS} packets per shape; C baseline ${c ? 'built and byte-identical' : 'missing'}`);
console.log(['measure'.padEnd(46), 'ns/pkt'.padStart(9), 'C ns/pkt'.padStart(9), 'ratio'.padStart(7)].join(' '));
for (const row of rows) console.log([row.measure.padEnd(46), row.ns.toFixed(1).padStart(9), String(row.cNs ?? 'n/a').padStart(9), String(row.ratio ?? 'n/a').padStart(7)].join(' '));
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/builders.json', JSON.stringify({ packets: PACKETS, rows }, null, 2) + '\n');
console.log('wrote bench/results/builders.json');
