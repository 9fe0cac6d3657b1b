/**
 * Benchmark of the WebAssembly engine (compileToWasmBatch) beside compileToJsBatch and libpcap's bpf_filter,
 * for bench/mix.ts's BENCHMARK_FILTERS on the benchmark capture (1M frames by default), by the shared method of
 * bench/engines.ts (measureEngines: hot = the first 10,000 records, memory = every record timed per chunk,
 * libpcap's passes interleaved with ours, best of N on both sides). The WebAssembly engine runs over records
 * already in its WebAssembly memory: each record set is copied in once, before timing, and the copy of the
 * hot set and of the whole file is timed and reported apart. Our engines run our compiled program (libpcap's
 * when our compiler refuses the expression); libpcap runs its program of the stock expression. Every pass's
 * accepted count must equal libpcap's or the run fails. Prints a table and writes bench/results/wasm.json.
 *
 *   node scripts/run-ts.mjs bench/wasm.ts [FRAMES]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { compileToJsBatch } from '../src/bpf/index.js';
import type { RawInstruction } from '../src/bpf/opcodes.js';
import { BpfWasmRecordArea, compileToWasmBatch } from '../src/bpf/compile-wasm.js';
import { compileFilter } from '../src/compiler/index.js';
import { ENGINE_METHOD_DEFAULTS, describeEngineMethod, engineBatchPass, hotEngineFrames, loadEngineFrames, measureEngines, startLibpcapEngineRunner } from './engines.js';
import type { EngineFrames, EnginePass } from './engines.js';
import { BENCHMARK_FILTERS, ensureBenchmarkCapture } from './mix.js';
import { libpcapAvailable, libpcapCompile } from '../test/support/libpcap.js';

const FRAMES = Number(process.argv[2] ?? 1_000_000);
if (!Number.isSafeInteger(FRAMES) || FRAMES < 10_000) { console.error(`bench wasm: FRAMES must be a whole number of at least 10000, not ${process.argv[2]}`); process.exit(2); }
if (!libpcapAvailable()) { console.error('bench wasm: needs gcc and libpcap-dev'); process.exit(1); }
const method = ENGINE_METHOD_DEFAULTS;

const started = Date.now();
const capture = await ensureBenchmarkCapture(FRAMES);
const all = loadEngineFrames(capture.path);

/** Copies records into a fresh area (only the bytes up to the last record's end) and returns the area and the ms it took. */
function copyIntoArea(frames: EngineFrames): { area: BpfWasmRecordArea; ms: number } {
  const begin = process.hrtime.bigint();
  let end = 0;
  for (let r = 0; r < frames.count; r++) end = Math.max(end, frames.offsets[r]! + frames.caps[r]!);
  const area = new BpfWasmRecordArea();
  const views = area.reserve(frames.count, end);
  views.bytes.set(frames.bytes.subarray(0, end));
  views.offsets.set(frames.offsets.subarray(0, frames.count));
  views.capturedLengths.set(frames.caps.subarray(0, frames.count));
  views.wireLengths.set(frames.wires.subarray(0, frames.count));
  area.clampRecords();
  return { area, ms: Number(process.hrtime.bigint() - begin) / 1e6 };
}
// The whole file and the hot set are copied once and shared by every filter: measureEngines hands the engines
// the file itself and, for the hot passes, hotEngineFrames(file, hotFrames, hotRepeats), whose records these are.
const memoryArea = copyIntoArea(all);
const hotSet = hotEngineFrames(all, Math.min(method.hotFrames, all.count), method.hotRepeats);
const hotCopy = copyIntoArea(hotSet);
const areaFor = (frames: EngineFrames): BpfWasmRecordArea => {
  if (frames === all) return memoryArea.area;
  if (frames.count !== hotSet.count) throw new Error(`bench wasm: unexpected record set of ${frames.count} records`);
  return hotCopy.area;
};

interface Row { filter: string; program: 'pktfilter' | 'libpcap'; data: 'hot' | 'memory'; engine: string; ns: number; libpcapNs: number; ratio: number }
const rows: Row[] = [];
const notes: string[] = [];
const stock = libpcapCompile(BENCHMARK_FILTERS.map((f) => f.stock), { linkType: all.linkType, snaplen: 262144 });
const runner = await startLibpcapEngineRunner(capture.path, '.cache/bench');
try {
  for (const [index, filter] of BENCHMARK_FILTERS.entries()) {
    const compiled = stock[index]!;
    if (!compiled.ok) { notes.push(`${filter.expression}: libpcap refuses it: ${compiled.error}`); continue; }
    let program: RawInstruction[];
    let origin: 'pktfilter' | 'libpcap' = 'pktfilter';
    try { program = compileFilter(filter.expression, { linkType: all.linkType }); } catch {
      program = compiled.program; origin = 'libpcap';
    }
    const js = compileToJsBatch(program);
    const engines = {
      wasm: (frames: EngineFrames): EnginePass => {
        const wasm = compileToWasmBatch(program, { area: areaFor(frames) });
        return (start, end) => wasm.countAccepted(end - start, start);
      },
      'js batch': (frames: EngineFrames): EnginePass => engineBatchPass(js, frames),
    };
    const figures = await measureEngines(runner, await runner.load(compiled.program), engines, all, method, filter.expression);
    for (const [data, measured] of [['hot', figures.hot], ['memory', figures.memory]] as const) {
      if (!measured) continue;
      for (const [name, ns] of Object.entries(measured.ours)) {
        rows.push({ filter: filter.expression, program: origin, data, engine: name, ns, libpcapNs: measured.libpcap, ratio: ns / measured.libpcap });
      }
    }
    process.stderr.write(`  ${filter.expression}: done\n`);
  }
} finally {
  runner.stop();
}

console.log(`${all.count} frames of bench/mix.ts; ns/record; ratio = ours / libpcap bpf_filter`);
for (const line of describeEngineMethod(method, all.count)) console.log(line);
console.log(`copy into WebAssembly memory (once, not in the figures): hot set ${hotCopy.ms.toFixed(2)} ms (${(hotCopy.ms * 1e6 / method.hotFrames).toFixed(2)} ns/record), whole file ${memoryArea.ms.toFixed(1)} ms (${(memoryArea.ms * 1e6 / all.count).toFixed(2)} ns/record)`);
console.log('wasm = compileToWasmBatch(our program).countAccepted over records already in its memory (clamped once with clampRecords, included in the copy time); js batch = compileToJsBatch(our program), one call per pass');
console.log();
const width = Math.max(...BENCHMARK_FILTERS.map((f) => f.expression.length));
console.log(['filter'.padEnd(width), 'data  ', 'libpcap'.padStart(8), 'wasm'.padStart(8), 'ratio'.padStart(6), 'js batch'.padStart(9), 'ratio'.padStart(6)].join(' '));
for (let i = 0; i < rows.length; i += 4) {
  for (const data of ['hot', 'memory'] as const) {
    const wasm = rows.slice(i, i + 4).find((r) => r.data === data && r.engine === 'wasm')!;
    const js = rows.slice(i, i + 4).find((r) => r.data === data && r.engine === 'js batch')!;
    console.log([wasm.filter.padEnd(width), data.padEnd(6), wasm.libpcapNs.toFixed(2).padStart(8), wasm.ns.toFixed(2).padStart(8), wasm.ratio.toFixed(2).padStart(6), js.ns.toFixed(2).padStart(9), js.ratio.toFixed(2).padStart(6)].join(' '));
  }
}
for (const note of notes) console.log(`note: ${note}`);
console.log(`(${((Date.now() - started) / 1000).toFixed(0)} s)`);
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/wasm.json', JSON.stringify({
  frames: all.count, method, copyMs: { hot: +hotCopy.ms.toFixed(3), memory: +memoryArea.ms.toFixed(3) },
  rows: rows.map((r) => ({ ...r, ns: +r.ns.toFixed(3), libpcapNs: +r.libpcapNs.toFixed(3), ratio: +r.ratio.toFixed(3) })), notes,
}, null, 2) + '\n');
