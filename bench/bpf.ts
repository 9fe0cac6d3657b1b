/**
 * Benchmark of the filter engines: ns/packet of our interpreter, our BPF->JS and our direct JS against
 * libpcap's bpf_filter in C, for bench/mix.ts's BENCHMARK_FILTERS on the benchmark capture (bench/mix.ts,
 * 1M frames by default) held in memory ("memory") and on its first records looped ("hot", cache-resident).
 * The method is bench/engines.ts's, the same as the engines section of bench/filter.ts: both benchmarks
 * give the same figures for the same engine (this one adds the single-packet APIs and the batch interpreter).
 *
 * Programs: libpcap runs its own program of the stock expression; our BPF engines run our compiled program
 * of our expression; direct JS compiles our expression with no BPF program. Where our expression is our own
 * extension (`gre and ip host 10.5.5.5`: libpcap has no such filter, and the stock equivalent reads fixed
 * offsets, less work than our variable GRE header), libpcap also runs OUR program: that row gets a second
 * line, "same program", whose ratios are the ones held to the targets. Every pass's accepted count must
 * equal libpcap's or the benchmark fails. Prints a table and writes bench/results/bpf.json.
 *
 *   node scripts/run-ts.mjs bench/bpf.ts [FRAMES] [--hot-only] [--hot-frames N] [--hot-repeats N]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { ENGINE_APIS, ENGINE_METHOD_DEFAULTS, describeEngineMethod, measureBenchmarkFilters } from './engines.js';
import type { EngineName } from './engines.js';
import { BENCHMARK_FILTERS, ensureBenchmarkCapture } from './mix.js';
import { libpcapAvailable } from '../test/support/libpcap.js';

const args = process.argv.slice(2);
const hotOnly = args.includes('--hot-only');
/** The value of `--NAME N` (a whole number of at least 1), or the default. */
const option = (name: string, fallback: number): number => {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isSafeInteger(value) || value < 1) { console.error(`bench bpf: ${name} takes a whole number of at least 1, not ${String(args[at + 1])}`); process.exit(2); }
  return value;
};
const hotFrames = option('--hot-frames', ENGINE_METHOD_DEFAULTS.hotFrames);
const hotRepeats = option('--hot-repeats', ENGINE_METHOD_DEFAULTS.hotRepeats);
const FRAMES = Number(args.find((a, i) => !a.startsWith('--') && !['--hot-frames', '--hot-repeats'].includes(args[i - 1] ?? '')) ?? 1_000_000);
if (!Number.isSafeInteger(FRAMES) || FRAMES < 1000) { console.error(`bench bpf: FRAMES must be a whole number of at least 1000, not ${String(FRAMES)}`); process.exit(2); }
const ENGINES: readonly EngineName[] = ['interp call', 'interp batch', 'js call', 'js batch', 'direct batch'];
/** Targets (ratio to libpcap): BPF->JS and direct JS 0.4 hot, 0.85 in memory; the interpreter 2. */
const target = (engine: EngineName, data: 'hot' | 'memory'): number => (engine.startsWith('interp') ? 2 : data === 'hot' ? 0.4 : 0.85);

if (!libpcapAvailable()) { console.error('bench bpf: needs gcc and libpcap-dev'); process.exit(1); }
const started = Date.now();
const method = { ...ENGINE_METHOD_DEFAULTS, hotOnly, hotFrames, hotRepeats };
const capture = await ensureBenchmarkCapture(FRAMES);
const { rows, notes, frames } = await measureBenchmarkFilters({ capture: capture.path, filters: BENCHMARK_FILTERS, engines: ENGINES, method, buildDirectory: '.cache/bench' });

console.log(`${frames} frames of bench/mix.ts (${(capture.bytes / 1e6).toFixed(0)} MB pcap); ns/packet, ratio = ours / libpcap bpf_filter`);
for (const line of describeEngineMethod(method, frames)) console.log(line);
for (const engine of ENGINES) console.log(`${engine.padEnd(13)} = ${ENGINE_APIS[engine]}`);
console.log();
const width = Math.max(...BENCHMARK_FILTERS.map((f) => f.expression.length));
console.log(['filter'.padEnd(width), 'data  ', 'libpcap', ...ENGINES.flatMap((engine) => [engine.padStart(12), ' ratio'])].join(' '));
/**
 * One JSON row per engine and data set. `libpcapProgram` says which program libpcap's figure ran: `stock` (its
 * own program of the stock expression) or `same` (our program); `targetAgainst` which ratio the target holds:
 * the same-program one where it was measured, the stock one otherwise.
 */
const json: {
  filter: string; stock: string; program: string; data: string; engine: string; api: string; libpcapApi: string; libpcapProgram: 'stock';
  ns: number; libpcapNs: number; ratio: number; libpcapSameProgramNs: number | null; ratioSameProgram: number | null; targetAgainst: 'stock' | 'same'; target: number;
}[] = [];
const mark = (ratio: number, goal: number, held: boolean): string => `${ratio.toFixed(2)}${held && ratio > goal ? '!' : ' '}`.padStart(6);
for (const row of rows) {
  const cells: string[] = [];
  const sameCells: string[] = [];
  const same = row.libpcapSameNs;
  for (const engine of ENGINES) {
    const ns = row.ns[engine] ?? null;
    if (ns === null) { cells.push('-'.padStart(12), '     -'); sameCells.push('-'.padStart(12), '     -'); continue; }
    const ratio = ns / row.libpcapNs;
    const ratioSame = same === null ? null : ns / same;
    const goal = target(engine, row.data);
    json.push({
      filter: row.filter, stock: row.stock, program: row.program, data: row.data, engine, api: ENGINE_APIS[engine], libpcapApi: 'bpf_filter per record', libpcapProgram: 'stock',
      ns: +ns.toFixed(3), libpcapNs: +row.libpcapNs.toFixed(3), ratio: +ratio.toFixed(3),
      libpcapSameProgramNs: same === null ? null : +same.toFixed(3), ratioSameProgram: ratioSame === null ? null : +ratioSame.toFixed(3),
      targetAgainst: same === null ? 'stock' : 'same', target: goal,
    });
    cells.push(ns.toFixed(2).padStart(12), mark(ratio, goal, same === null));
    if (ratioSame !== null) sameCells.push(''.padStart(12), mark(ratioSame, goal, true));
  }
  console.log([row.filter.padEnd(width), row.data.padEnd(6), row.libpcapNs.toFixed(2).padStart(7), ...cells].join(' ') + (same === null ? '' : '  (libpcap: stock program)'));
  if (same !== null) console.log([`  libpcap on our ${row.instructions}-instruction program`.padEnd(width), row.data.padEnd(6), same.toFixed(2).padStart(7), ...sameCells].join(' ') + '  (libpcap: same program)');
}
for (const note of notes) console.log(`note: ${note}`);
console.log('\nA filter that is our own extension has a second line: libpcap running our program ("same program"), against which');
console.log('that row is held to its targets; its first line compares with libpcap running the stock expression\'s program.');
console.log(`! marks a ratio above its target (JS engines <= 0.4 hot, <= 0.85 in memory; interpreter <= 2). ${((Date.now() - started) / 1000).toFixed(1)} s`);
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/bpf.json', JSON.stringify({ frames, method, rows: json, notes }, null, 2) + '\n');
