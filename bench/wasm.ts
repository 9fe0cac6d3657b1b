/**
 * Benchmark of the WebAssembly engine (compileToWasmBatch) beside compileToJsBatch and libpcap's bpf_filter
 * (bench/c/bpf-run.c through bench/engines.ts's runner), for bench/mix.ts's BENCHMARK_FILTERS on the
 * benchmark capture (1M frames by default).
 *   hot    - the first 10,000 records, already in the WebAssembly memory (the copy is timed separately, once);
 *            best of 5 rounds x 10 passes per side, libpcap's passes interleaved with ours.
 *   memory - every record (the whole packed capture copied into one WebAssembly memory once, copy time
 *            reported), timed per 25,000-record chunk: the sum over chunks of each chunk's best of 3 rounds,
 *            for every side (the method of bench/engines.ts, with fewer rounds).
 * Our engines run our compiled program (libpcap's when our compiler refuses the expression); libpcap runs
 * its program of the stock expression. Every pass's accepted count must equal libpcap's or the run fails.
 * Prints a table and writes bench/results/wasm.json.
 *
 *   node scripts/run-ts.mjs bench/wasm.ts [FRAMES]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { compileToJsBatch } from '../src/bpf/index.js';
import type { RawInstruction } from '../src/bpf/opcodes.js';
import { BpfWasmRecordArea, compileToWasmBatch } from '../src/bpf/compile-wasm.js';
import { compileFilter } from '../src/compiler/index.js';
import { engineBatchPass, hotEngineFrames, loadEngineFrames, startLibpcapEngineRunner } from './engines.js';
import type { EngineFrames, EnginePass } from './engines.js';
import { BENCHMARK_FILTERS, ensureBenchmarkCapture } from './mix.js';
import { libpcapAvailable, libpcapCompile } from '../test/support/libpcap.js';

const FRAMES = Number(process.argv[2] ?? 1_000_000);
if (!Number.isSafeInteger(FRAMES) || FRAMES < 10_000) { console.error(`bench wasm: FRAMES must be a whole number of at least 10000, not ${process.argv[2]}`); process.exit(2); }
if (!libpcapAvailable()) { console.error('bench wasm: needs gcc and libpcap-dev'); process.exit(1); }
const HOT_FRAMES = 10_000;
const HOT_ROUNDS = 10;
const HOT_PASSES = 10;
const MEMORY_ROUNDS = 5;
const CHUNK = 25_000;

const started = Date.now();
const capture = await ensureBenchmarkCapture(FRAMES);
const all = loadEngineFrames(capture.path);
const hot = hotEngineFrames(all, HOT_FRAMES, 1);

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
const hotArea = copyIntoArea(hot);
const memoryArea = copyIntoArea(all);

/** Best ns/record over `passes` passes of records 0 … frames - 1, checking the accepted count each time. */
function timeHot(pass: EnginePass, frames: number, passes: number, expected: number, what: string): number {
  let best = Infinity;
  for (let i = 0; i < passes; i++) {
    const begin = process.hrtime.bigint();
    const accepted = pass(0, frames);
    const ns = Number(process.hrtime.bigint() - begin) / frames;
    if (accepted !== expected) throw new Error(`${what}: accepted ${accepted}, libpcap ${expected}`);
    best = Math.min(best, ns);
  }
  return best;
}

/** One pass over all records timed per chunk; returns the accepted total and each chunk's ns. */
function timeChunks(pass: EnginePass, frames: number): { accepted: number; chunks: number[] } {
  let accepted = 0;
  const chunks: number[] = [];
  for (let start = 0; start < frames; start += CHUNK) {
    const end = Math.min(frames, start + CHUNK);
    const begin = process.hrtime.bigint();
    accepted += pass(start, end);
    chunks.push(Number(process.hrtime.bigint() - begin));
  }
  return { accepted, chunks };
}

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
    const wasmHot = compileToWasmBatch(program, { area: hotArea.area });
    const wasmMemory = compileToWasmBatch(program, { area: memoryArea.area });
    const js = compileToJsBatch(program);
    const passes: Record<string, { hot: EnginePass; memory: EnginePass }> = {
      wasm: { hot: (s, e) => wasmHot.countAccepted(e - s, s), memory: (s, e) => wasmMemory.countAccepted(e - s, s) },
      'js batch': { hot: engineBatchPass(js, hot), memory: engineBatchPass(js, all) },
    };
    const cIndex = await runner.load(compiled.program);
    // Warm-up (V8 tiers WebAssembly up from Liftoff to TurboFan on hot functions, and JIT-compiles the JS loop).
    const warm = await runner.hot(cIndex, HOT_FRAMES, 1, 2);
    for (const engine of Object.values(passes)) { timeHot(engine.hot, HOT_FRAMES, 200, warm.accepted, 'warm-up'); timeChunks(engine.memory, Math.min(all.count, 4 * CHUNK)); }
    let cHot = Infinity;
    const hotBest: Record<string, number> = {};
    for (let round = 0; round < HOT_ROUNDS; round++) {
      const c = await runner.hot(cIndex, HOT_FRAMES, 1, HOT_PASSES);
      cHot = Math.min(cHot, c.ns);
      for (const [name, engine] of Object.entries(passes)) {
        hotBest[name] = Math.min(hotBest[name] ?? Infinity, timeHot(engine.hot, HOT_FRAMES, HOT_PASSES, c.accepted, `${filter.expression} ${name} hot`));
      }
    }
    const cBest: number[] = [];
    const best: Record<string, number[]> = {};
    for (let round = 0; round < MEMORY_ROUNDS; round++) {
      const c = await runner.chunks(cIndex, CHUNK);
      c.chunks.forEach((ns, i) => { cBest[i] = Math.min(cBest[i] ?? Infinity, ns); });
      for (const [name, engine] of Object.entries(passes)) {
        const { accepted, chunks } = timeChunks(engine.memory, all.count);
        if (accepted !== c.accepted) throw new Error(`${filter.expression} ${name} memory: accepted ${accepted}, libpcap ${c.accepted}`);
        const kept = (best[name] ??= []);
        chunks.forEach((ns, i) => { kept[i] = Math.min(kept[i] ?? Infinity, ns); });
      }
    }
    const perRecord = (chunks: readonly number[]): number => chunks.reduce((sum, ns) => sum + ns, 0) / all.count;
    for (const name of Object.keys(passes)) {
      rows.push({ filter: filter.expression, program: origin, data: 'hot', engine: name, ns: hotBest[name]!, libpcapNs: cHot, ratio: hotBest[name]! / cHot });
      const memoryNs = perRecord(best[name]!);
      const cMemory = perRecord(cBest);
      rows.push({ filter: filter.expression, program: origin, data: 'memory', engine: name, ns: memoryNs, libpcapNs: cMemory, ratio: memoryNs / cMemory });
    }
    process.stderr.write(`  ${filter.expression}: done\n`);
  }
} finally {
  runner.stop();
}

console.log(`${all.count} frames of bench/mix.ts; ns/record; ratio = ours / libpcap bpf_filter (C loop over the same packed records)`);
console.log(`hot = first ${HOT_FRAMES} records, best of ${HOT_ROUNDS * HOT_PASSES} passes per side; memory = all records, sum of ${CHUNK}-record chunks' best of ${MEMORY_ROUNDS} rounds`);
console.log(`copy into WebAssembly memory (once, not in the figures): hot set ${hotArea.ms.toFixed(2)} ms (${(hotArea.ms * 1e6 / HOT_FRAMES).toFixed(2)} ns/record), whole file ${memoryArea.ms.toFixed(1)} ms (${(memoryArea.ms * 1e6 / all.count).toFixed(2)} ns/record)`);
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
  frames: all.count, hotFrames: HOT_FRAMES, copyMs: { hot: +hotArea.ms.toFixed(3), memory: +memoryArea.ms.toFixed(3) },
  rows: rows.map((r) => ({ ...r, ns: +r.ns.toFixed(3), libpcapNs: +r.libpcapNs.toFixed(3), ratio: +r.ratio.toFixed(3) })), notes,
}, null, 2) + '\n');
