/**
 * Benchmark of the tunnels stage: how long deriving a field's stock expression, assumptions and guards
 * takes (deriveStockExpression: decode, list fields, pin the layout), against how long libpcap takes to
 * compile the guarded filter that results (pcap_compile in C, bench/c/compile-time.c built here with
 * gcc -O2 -lpcap): the user's next step, so the ratio says whether deriving is ever the slow part.
 * Frames: seed 001's shape plus VXLAN and Geneve frames, built with our builders. Prints a table and
 * writes bench/results/tunnel.json.
 *
 *   node scripts/run-ts.mjs bench/tunnel.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPacket } from '../src/packet/build/index.js';
import type { BuildLayerSpec } from '../src/packet/build/index.js';
import { deriveStockExpression } from '../src/tunnel/index.js';

/** Run from the repository root (the script is bundled into .cache before it runs). */
const root = process.cwd();
const cases: { name: string; field: string; stack: BuildLayerSpec[] }[] = [
  {
    name: 'GRE/TEB over 802.1Q (seed 001)', field: 'ipv4.destination',
    stack: [{ type: 'ethernet' }, { type: 'vlan', vlanId: 102 }, { type: 'ipv4' }, { type: 'gre', key: 1002 }, { type: 'ethernet' }, { type: 'ipv4', destination: '10.5.5.5' }, { type: 'icmp', icmpType: 8, code: 0 }, { type: 'payload', data: new Uint8Array(56) }],
  },
  {
    name: 'GRE C+K+S over IPv6 + ext', field: 'ipv6.destination',
    stack: [{ type: 'ethernet' }, { type: 'ipv6' }, { type: 'ipv6Extension', headerType: 0 }, { type: 'gre', checksumPresent: true, key: 7, sequenceNumber: 9 }, { type: 'ipv6', destination: '2001:db8::5' }, { type: 'tcp' }],
  },
  {
    name: 'VXLAN, inner 802.1Q', field: 'tcp.destinationPort',
    stack: [{ type: 'ethernet' }, { type: 'ipv4' }, { type: 'udp', destinationPort: 4789 }, { type: 'vxlan', vni: 100 }, { type: 'ethernet' }, { type: 'vlan' }, { type: 'ipv4' }, { type: 'tcp', destinationPort: 22 }],
  },
  {
    name: 'Geneve with 2 options', field: 'ipv4.source',
    stack: [{ type: 'ethernet' }, { type: 'ipv4' }, { type: 'udp', destinationPort: 6081 }, { type: 'geneve', options: [{ optionClass: 0x0101, type: 1, data: new Uint8Array(8) }, { optionClass: 0x0102, type: 2, data: new Uint8Array(4) }] }, { type: 'ipv4', source: '10.0.0.1' }, { type: 'udp' }],
  },
];

/** Median nanoseconds per call of `run` over `rounds` rounds of `batch` calls. */
function measure(run: () => void, batch = 2000, rounds = 9): number {
  for (let i = 0; i < batch; i++) run(); // warm up
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) run();
    times.push(Number(process.hrtime.bigint() - start) / batch);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(rounds / 2)]!;
}

const directory = mkdtempSync(join(tmpdir(), 'pktfilter-bench-tunnel-'));
try {
  const binary = join(directory, 'compile-time');
  execFileSync('gcc', ['-O2', '-o', binary, join(root, 'bench/c/compile-time.c'), '-lpcap']);
  const rows: { case: string; field: string; guards: number; oursNs: number; libpcapNs: number; ratio: number }[] = [];
  const derived = cases.map((c) => ({ c, frame: buildPacket(c.stack) })).map(({ c, frame }) => ({ c, frame, derivation: deriveStockExpression(frame, 1, c.field) }));
  const libpcap = execFileSync(binary, ['1', '201'], { input: derived.map((d) => d.derivation.guardedFilter + '\n').join(''), encoding: 'utf8' }).trim().split('\n');
  derived.forEach(({ c, frame, derivation }, i) => {
    const line = libpcap[i]!;
    if (line.startsWith('ERR')) throw new Error(`libpcap refuses ${derivation.guardedFilter}: ${line}`);
    const oursNs = measure(() => { deriveStockExpression(frame, 1, c.field); });
    const libpcapNs = Number(line.split(' ')[0]); // median ns, then the instruction count
    rows.push({ case: c.name, field: c.field, guards: derivation.guards.length, oursNs: Math.round(oursNs), libpcapNs, ratio: Number((oursNs / libpcapNs).toFixed(3)) });
  });
  console.log('derive (ours) vs pcap_compile of the guarded filter (libpcap), median ns per call');
  console.log(['case'.padEnd(32), 'field'.padEnd(20), 'guards'.padStart(6), 'ours ns'.padStart(10), 'libpcap ns'.padStart(11), 'ratio'.padStart(7)].join(' '));
  for (const r of rows) console.log([r.case.padEnd(32), r.field.padEnd(20), String(r.guards).padStart(6), String(r.oursNs).padStart(10), String(r.libpcapNs).padStart(11), r.ratio.toFixed(3).padStart(7)].join(' '));
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/tunnel.json'), JSON.stringify(rows, null, 2) + '\n');
} finally {
  rmSync(directory, { recursive: true, force: true });
}
