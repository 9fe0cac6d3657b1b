/**
 * One method for timing filter engines in memory against libpcap's bpf_filter, shared by bench/bpf.ts and
 * the engines section of bench/filter.ts so that both report the same figures for the same engine.
 *
 * Data: one capture file, read by both sides into the same layout: every record's captured bytes packed
 * into one buffer, with parallel offset / captured length / wire length arrays (Uint32). The C side is
 * bench/c/bpf-run.c (built with gcc -O2 -lpcap), which stays running and is driven one command at a time.
 *   hot    - the first `hotFrames` records, `hotRepeats` times over, as one sequence of records (arrays
 *            whose record i is record i % hotFrames of the file): cache-resident (in L3 with the defaults,
 *            see ENGINE_HOT_FRAMES), and long enough that a pass is one batch call and one C loop, with no
 *            per-call cost on either side.
 *   memory - every record of the file, timed per chunk of `chunkFrames` records (a pass over a large file
 *            takes long enough to be preempted on a shared machine; a chunk is evicted again by the rest of
 *            the pass before its next round).
 * Loop treatment: libpcap's side is bpf_filter called on each record from a C loop over the arrays,
 * unrolled four records a step with a branchless count (the tightest loop its API allows); our batch APIs
 * are called once per pass (or chunk) over the same arrays; our single-packet APIs are called per record
 * from a generated loop (one per engine, so each has its own type feedback).
 * Timing: per filter, a warm-up of every side (the JIT), then rounds in which a libpcap pass set and each
 * of our engines' pass sets alternate; hot keeps every side's best pass, memory the sum over chunks of each
 * chunk's best round. Both sides get the same number of passes. Every pass's accepted count must equal
 * libpcap's or the benchmark fails (a mismatch is an error, never a figure).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { compileToJs, compileToJsBatch, createBatchInterpreter, createInterpreter, formatCommaForm } from '../src/bpf/index.js';
import type { BpfBatchFilterFunction, BpfFilterFunction } from '../src/bpf/index.js';
import type { RawInstruction } from '../src/bpf/opcodes.js';
import { walkCapture } from '../src/capture/walk.js';
import { compileFilter } from '../src/compiler/index.js';
import { compileDirectFilter } from '../src/direct/index.js';
import { libpcapCompile } from '../test/support/libpcap.js';

/**
 * Records in the hot set: the issues' definition, "its first 10k frames looped (cache-resident)". 10,000
 * records of the benchmark mix (bench/mix.ts, ~470 bytes each) hold ~4.7 MB and live in L3: every side is
 * slower there than in L2, our batch loops (which wait on memory more than bpf_filter does) relatively more.
 * `--hot-frames 1000 --hot-repeats 10` measures an L2-resident set (~470 KB) instead, for comparison.
 */
export const ENGINE_HOT_FRAMES = 10_000;
/** The hot sequence runs the hot set this many times (one timed pass). */
export const ENGINE_HOT_REPEATS = 1;

/** The method's parameters (defaults in ENGINE_METHOD_DEFAULTS). */
export interface EngineMethod {
  /** Records in the hot set (the first ones of the file). */
  hotFrames: number;
  /** Times the hot set recurs in the hot sequence (one timed pass). */
  hotRepeats: number;
  /** Interleaved rounds of hot pass sets. */
  hotRounds: number;
  /** Timed hot passes per side per round. */
  hotPasses: number;
  /** Interleaved rounds of memory passes (one pass per side per round). */
  memoryRounds: number;
  /** Records per timed chunk of a memory pass. */
  chunkFrames: number;
  /** Skip the memory passes (hot only). */
  hotOnly: boolean;
}

/** The default method, used by bench/bpf.ts and bench/filter.ts alike. */
export const ENGINE_METHOD_DEFAULTS: EngineMethod = {
  hotFrames: ENGINE_HOT_FRAMES, hotRepeats: ENGINE_HOT_REPEATS, hotRounds: 5, hotPasses: 10, memoryRounds: 5, chunkFrames: 25_000, hotOnly: false,
};

/** The records of a capture in the batch layout. */
export interface EngineFrames { bytes: Uint8Array; offsets: Uint32Array; caps: Uint32Array; wires: Uint32Array; count: number; linkType: number }

/** Reads a capture file into the batch layout (captured bytes packed, as bench/c/bpf-run.c packs them). */
export function loadEngineFrames(path: string): EngineFrames {
  const file = readFileSync(path);
  let count = 0;
  let total = 0;
  let linkType = -1;
  walkCapture(file, (record) => {
    count++;
    total += record.capturedLength;
    if (linkType === -1) linkType = record.linkType;
    else if (record.linkType !== linkType) throw new Error(`${path}: record ${count - 1} has link type ${record.linkType}, not ${linkType}`);
  });
  const bytes = new Uint8Array(total);
  const offsets = new Uint32Array(count);
  const caps = new Uint32Array(count);
  const wires = new Uint32Array(count);
  let index = 0;
  let used = 0;
  walkCapture(file, (record) => {
    bytes.set(record.data, used);
    offsets[index] = used;
    caps[index] = record.capturedLength;
    wires[index] = record.wireLength;
    used += record.capturedLength;
    index++;
  });
  return { bytes, offsets, caps, wires, count, linkType: linkType === -1 ? 1 : linkType };
}

/** The hot sequence: `frames` records cycling `repeats` times through the first `hotFrames` (same bytes, no copy). */
export function hotEngineFrames(all: EngineFrames, hotFrames: number, repeats: number): EngineFrames {
  const frames = Math.min(hotFrames, all.count);
  const total = frames * repeats;
  const offsets = new Uint32Array(total);
  const caps = new Uint32Array(total);
  const wires = new Uint32Array(total);
  for (let i = 0; i < total; i++) {
    offsets[i] = all.offsets[i % frames]!;
    caps[i] = all.caps[i % frames]!;
    wires[i] = all.wires[i % frames]!;
  }
  return { bytes: all.bytes, offsets, caps, wires, count: total, linkType: all.linkType };
}

/** Runs an engine over records start … end - 1 and returns how many it accepted. */
export type EnginePass = (start: number, end: number) => number;

let loops = 0;
/**
 * A pass of a single-packet engine: a fresh loop function per engine, so each gets its own type feedback
 * (the source differs by a comment: V8 caches identical `new Function` sources and would share one
 * feedback vector, making the call site megamorphic). Like the C side, it passes the one buffer holding
 * every record and each record's offset (no per-packet view objects).
 */
export function engineCallPass(run: BpfFilterFunction, { bytes, offsets, caps, wires }: EngineFrames): EnginePass {
  const loop = new Function('run', 'bytes', 'offsets', 'caps', 'wires', 'start', 'end',
    `/* engine loop ${loops++} */ ` + 'let hits = 0; for (let i = start; i < end; i++) { if (run(bytes, caps[i], wires[i], offsets[i]) !== 0) hits++; } return hits;') as
    (run: BpfFilterFunction, bytes: Uint8Array, offsets: Uint32Array, caps: Uint32Array, wires: Uint32Array, start: number, end: number) => number;
  return (start, end) => loop(run, bytes, offsets, caps, wires, start, end);
}

/** A pass of a batch engine: one call over the records (views of the arrays from `start`, no copy). */
export function engineBatchPass(run: BpfBatchFilterFunction, { bytes, offsets, caps, wires }: EngineFrames): EnginePass {
  return (start, end) => (start === 0 ? run(bytes, offsets, caps, wires, end) : run(bytes, offsets.subarray(start), caps.subarray(start), wires.subarray(start), end - start));
}

/** libpcap's side: bench/c/bpf-run.c, running, driven one command at a time. */
export interface LibpcapEngineRunner {
  /** Records the runner holds. */
  count: number;
  /** Loads a program (bpf_validate must accept it) and returns its index. */
  load(program: readonly RawInstruction[]): Promise<number>;
  /** Best ns/packet of `passes` passes over the hot sequence (`frames` records, `repeats` times), and how many of the `frames` it accepts. */
  hot(index: number, frames: number, repeats: number, passes: number): Promise<{ ns: number; accepted: number }>;
  /** One pass over every record timed per chunk: the accepted count and each chunk's ns. */
  chunks(index: number, chunkFrames: number): Promise<{ accepted: number; chunks: number[] }>;
  /** Ends the runner. */
  stop(): void;
}

/** Builds bench/c/bpf-run.c into `directory` (gcc -O2 -lpcap; the binary is removed by `stop`) and starts it on `capture`. */
export async function startLibpcapEngineRunner(capture: string, directory: string): Promise<LibpcapEngineRunner> {
  mkdirSync(directory, { recursive: true });
  const binary = join(directory, `bpf-run-${process.pid}`);
  execFileSync('gcc', ['-O2', '-o', binary, 'bench/c/bpf-run.c', '-lpcap'], { stdio: 'pipe' });
  const child = spawn(binary, [capture], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`bench/c/bpf-run.c exited early: ${stderr.trim().split('\n')[0] ?? ''}`);
    return value as string;
  };
  const ask = async (command: string): Promise<string> => { child.stdin.write(command + '\n'); return next(); };
  const ready = await next();
  const readyMatch = /^ready (\d+)$/.exec(ready);
  if (!readyMatch) throw new Error(`bench/c/bpf-run.c: ${ready}`);
  const numbers = (reply: string, command: string): number[] => {
    const values = reply.split(' ').map(Number);
    if (values.some((n) => !Number.isFinite(n))) throw new Error(`bench/c/bpf-run.c: unexpected reply ${JSON.stringify(reply)} to ${command}`);
    return values;
  };
  return {
    count: Number(readyMatch[1]),
    load: async (program) => {
      const reply = await ask(`load ${formatCommaForm(program)}`);
      const m = /^ok (\d+)$/.exec(reply);
      if (!m) throw new Error(`bench/c/bpf-run.c refused a program: ${reply}`);
      return Number(m[1]);
    },
    hot: async (index, frames, repeats, passes) => {
      const command = `hot ${index} ${frames} ${repeats} ${passes}`;
      const [ns, accepted] = numbers(await ask(command), command) as [number, number];
      return { ns, accepted };
    },
    chunks: async (index, chunkFrames) => {
      const command = `chunks ${index} ${chunkFrames}`;
      const [accepted, ...chunks] = numbers(await ask(command), command) as [number, ...number[]];
      return { accepted, chunks };
    },
    stop: () => { child.stdin.end(); rmSync(binary, { force: true }); },
  };
}

/** Best ns/packet of `passes` passes over all the records of `frames`, and the accepted count (the same every pass). */
function timeHot(pass: EnginePass, frames: number, passes: number): { ns: number; accepted: number } {
  let best = Infinity;
  let accepted = -1;
  for (let i = 0; i < passes; i++) {
    const start = process.hrtime.bigint();
    const hits = pass(0, frames);
    const elapsed = Number(process.hrtime.bigint() - start) / frames;
    if (accepted !== -1 && hits !== accepted) throw new Error(`accepted ${accepted} then ${hits}`);
    accepted = hits;
    if (elapsed < best) best = elapsed;
  }
  return { ns: best, accepted };
}

/** One pass over all `frames` records timed per chunk: the accepted count and each chunk's ns. */
function timeChunks(pass: EnginePass, frames: number, chunkFrames: number): { accepted: number; chunks: number[] } {
  let accepted = 0;
  const chunks: number[] = [];
  for (let start = 0; start < frames; start += chunkFrames) {
    const end = Math.min(frames, start + chunkFrames);
    const begin = process.hrtime.bigint();
    accepted += pass(start, end);
    chunks.push(Number(process.hrtime.bigint() - begin));
  }
  return { accepted, chunks };
}

/** Keeps each chunk's best time over the rounds. */
function keepBest(best: number[], chunks: readonly number[]): void {
  chunks.forEach((ns, i) => { best[i] = Math.min(best[i] ?? Infinity, ns); });
}

/**
 * The figures of one filter: libpcap's and each engine's ns/packet and accepted count, hot and in memory;
 * `libpcapSame` is libpcap's bpf_filter on a second program (our own, where the stock expression differs), or undefined.
 */
export interface EngineFigures<E extends string> {
  hot: { libpcap: number; libpcapSame: number | undefined; accepted: number; ours: Record<E, number> };
  memory: { libpcap: number; libpcapSame: number | undefined; accepted: number; ours: Record<E, number> } | undefined;
}

/** An engine under test: makes its pass over a set of records (called once for the hot sequence, once for the file). */
export type EngineFactory = (frames: EngineFrames) => EnginePass;

/**
 * Measures our engines (by name) against libpcap's program `cIndex` on the runner's records, by the shared
 * method; with `sameIndex`, libpcap also runs that program (the one our BPF engines run) in the same
 * rounds. Throws when any pass accepts a different number of records than libpcap.
 */
export async function measureEngines<E extends string>(
  runner: LibpcapEngineRunner, cIndex: number, engines: Record<E, EngineFactory>, frames: EngineFrames, method: EngineMethod = ENGINE_METHOD_DEFAULTS, label = `program ${cIndex}`,
  sameIndex?: number,
): Promise<EngineFigures<E>> {
  if (frames.count !== runner.count) throw new Error(`the runner holds ${runner.count} records, ours ${frames.count}`);
  const names = Object.keys(engines) as E[];
  const hotFrames = Math.min(method.hotFrames, frames.count);
  const hotSet = hotEngineFrames(frames, hotFrames, method.hotRepeats);
  const hotPasses = Object.fromEntries(names.map((name) => [name, engines[name](hotSet)])) as Record<E, EnginePass>;
  const memoryPasses = method.hotOnly ? undefined : Object.fromEntries(names.map((name) => [name, engines[name](frames)])) as Record<E, EnginePass>;
  const check = (data: string, engine: string, accepted: number, cAccepted: number): void => {
    if (accepted !== cAccepted) throw new Error(`${label} (${data}): ${engine} accepted ${accepted} records, libpcap ${cAccepted}`);
  };
  // Warm-up: every side runs the hot sequence, and our engines a few chunks of the file too (their JIT tiers settle).
  await runner.hot(cIndex, hotFrames, method.hotRepeats, 2);
  if (sameIndex !== undefined) await runner.hot(sameIndex, hotFrames, method.hotRepeats, 2);
  for (const name of names) {
    timeHot(hotPasses[name], hotSet.count, 200);
    if (memoryPasses) timeChunks(memoryPasses[name], Math.min(frames.count, 4 * method.chunkFrames), method.chunkFrames);
  }
  let cHot = Infinity;
  let sameHot = Infinity;
  let cHotAccepted = -1;
  const hotBest = Object.fromEntries(names.map((name) => [name, Infinity])) as Record<E, number>;
  for (let round = 0; round < method.hotRounds; round++) {
    const c = await runner.hot(cIndex, hotFrames, method.hotRepeats, method.hotPasses);
    cHot = Math.min(cHot, c.ns);
    cHotAccepted = c.accepted;
    if (sameIndex !== undefined) {
      const same = await runner.hot(sameIndex, hotFrames, method.hotRepeats, method.hotPasses);
      check('hot', 'libpcap on the same program', same.accepted, c.accepted);
      sameHot = Math.min(sameHot, same.ns);
    }
    for (const name of names) {
      const { ns, accepted } = timeHot(hotPasses[name], hotSet.count, method.hotPasses);
      check('hot', name, accepted, c.accepted * method.hotRepeats);
      hotBest[name] = Math.min(hotBest[name], ns);
    }
  }
  const hot = { libpcap: cHot, libpcapSame: sameIndex === undefined ? undefined : sameHot, accepted: cHotAccepted, ours: hotBest };
  if (!memoryPasses) return { hot, memory: undefined };
  const cBest: number[] = [];
  const sameBest: number[] = [];
  let cAccepted = -1;
  const best = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<E, number[]>;
  for (let round = 0; round < method.memoryRounds; round++) {
    const c = await runner.chunks(cIndex, method.chunkFrames);
    cAccepted = c.accepted;
    keepBest(cBest, c.chunks);
    if (sameIndex !== undefined) {
      const same = await runner.chunks(sameIndex, method.chunkFrames);
      check('memory', 'libpcap on the same program', same.accepted, c.accepted);
      keepBest(sameBest, same.chunks);
    }
    for (const name of names) {
      const { accepted, chunks } = timeChunks(memoryPasses[name], frames.count, method.chunkFrames);
      check('memory', name, accepted, c.accepted);
      keepBest(best[name], chunks);
    }
  }
  const perRecord = (chunks: readonly number[]): number => chunks.reduce((sum, ns) => sum + ns, 0) / frames.count;
  const ours = Object.fromEntries(names.map((name) => [name, perRecord(best[name])])) as Record<E, number>;
  return { hot, memory: { libpcap: perRecord(cBest), libpcapSame: sameIndex === undefined ? undefined : perRecord(sameBest), accepted: cAccepted, ours } };
}

/** How the shared method is described under a table (the same words in both benchmarks). */
export function describeEngineMethod(method: EngineMethod, frames: number): string[] {
  return [
    `hot = the first ${method.hotFrames} records ${method.hotRepeats} times over as one ${method.hotFrames * method.hotRepeats}-record pass (cache-resident), best of ${method.hotRounds * method.hotPasses} passes per side;`,
    `memory = all ${frames} records, sum over ${method.chunkFrames}-record chunks of each chunk's best of ${method.memoryRounds} passes; libpcap's passes interleaved with ours;`,
    'libpcap = bpf_filter(3) called per record from a C loop over the same packed buffer and arrays (gcc -O2, unrolled by 4, branchless count).',
  ];
}

/** The engines the benchmarks can time, by name. */
export type EngineName = 'interp call' | 'interp batch' | 'js call' | 'js batch' | 'direct batch';

/** Which API each engine name measures (printed under the tables). */
export const ENGINE_APIS: Record<EngineName, string> = {
  'interp call': 'createInterpreter(our program), called per record',
  'interp batch': 'createBatchInterpreter(our program), one call per pass',
  'js call': 'compileToJs(our program), called per record',
  'js batch': 'compileToJsBatch(our program), one call per pass',
  'direct batch': 'compileDirectFilter(expression).batch (no BPF program), one call per pass',
};

/** One measured filter and data set: libpcap's figure and each engine's (null where the engine refused the filter). */
export interface BenchmarkEngineRow {
  filter: string;
  /** The stock expression libpcap compiled. */
  stock: string;
  /** Which program our BPF engines ran: ours (compileFilter), or libpcap's when our compiler refused the expression. */
  program: 'pktfilter' | 'libpcap';
  instructions: number;
  libpcapInstructions: number;
  data: 'hot' | 'memory';
  /** Distinct records timed (the hot set, or the whole file). */
  frames: number;
  /** libpcap's bpf_filter on its program of the stock expression. */
  libpcapNs: number;
  /**
   * libpcap's bpf_filter on OUR program (the one our BPF engines run), measured when our expression is not
   * the stock one (our extensions: libpcap has no such filter, and its stock equivalent may do less work):
   * the fair figure for such a row. Null otherwise.
   */
  libpcapSameNs: number | null;
  /** Records libpcap accepted (every engine accepted the same, or the measurement failed). */
  accepted: number;
  ns: Partial<Record<EngineName, number | null>>;
}

/** Options of measureBenchmarkFilters. */
export interface BenchmarkEngineOptions {
  /** The capture file (bench/mix.ts's, or any pcap of one link type). */
  capture: string;
  /** The filters: our expression and the stock one libpcap runs. */
  filters: readonly { expression: string; stock: string }[];
  engines: readonly EngineName[];
  method?: EngineMethod;
  /** Where the C runner is built. */
  buildDirectory: string;
  /** Progress lines. */
  log?: (line: string) => void;
}

/**
 * Times `engines` against libpcap's bpf_filter on every filter by the shared method: libpcap runs its own
 * program of the stock expression, our BPF engines our compiled program of our expression (libpcap's
 * when our compiler refuses it), direct JS our expression. Where our expression is not the stock one (an
 * extension), libpcap also runs our compiled program in the same rounds (`libpcapSameNs`). Returns hot and
 * memory rows and notes on refusals.
 */
export async function measureBenchmarkFilters(options: BenchmarkEngineOptions): Promise<{ rows: BenchmarkEngineRow[]; notes: string[]; frames: number }> {
  const method = options.method ?? ENGINE_METHOD_DEFAULTS;
  const log = options.log ?? (() => undefined);
  const frames = loadEngineFrames(options.capture);
  const notes: string[] = [];
  const rows: BenchmarkEngineRow[] = [];
  const stock = libpcapCompile(options.filters.map((f) => f.stock), { linkType: frames.linkType, snaplen: 262144 });
  const runner = await startLibpcapEngineRunner(options.capture, options.buildDirectory);
  try {
    for (const [index, filter] of options.filters.entries()) {
      const compiled = stock[index]!;
      if (!compiled.ok) { notes.push(`${filter.expression}: libpcap refuses ${JSON.stringify(filter.stock)}: ${compiled.error}`); continue; }
      let program: RawInstruction[];
      let origin: 'pktfilter' | 'libpcap' = 'pktfilter';
      try {
        program = compileFilter(filter.expression, { linkType: frames.linkType });
      } catch (error) {
        notes.push(`${filter.expression}: our compiler refuses it (${(error as Error).message}); our BPF engines run libpcap's program`);
        program = compiled.program;
        origin = 'libpcap';
      }
      const factories: Partial<Record<EngineName, EngineFactory>> = {};
      const attempt = (name: EngineName, make: () => EngineFactory): void => {
        if (!options.engines.includes(name)) return;
        try { factories[name] = make(); } catch (error) { notes.push(`${filter.expression}: ${name} refused it: ${(error as Error).message}`); }
      };
      attempt('interp call', () => { const run = createInterpreter(program); return (f) => engineCallPass(run, f); });
      attempt('interp batch', () => { const run = createBatchInterpreter(program); return (f) => engineBatchPass(run, f); });
      attempt('js call', () => { const run = compileToJs(program); return (f) => engineCallPass(run, f); });
      attempt('js batch', () => { const run = compileToJsBatch(program); return (f) => engineBatchPass(run, f); });
      attempt('direct batch', () => {
        const direct = compileDirectFilter(filter.expression, { linkType: frames.linkType });
        if (direct.engine !== 'direct-js') throw new Error('new Function refused: it fell back to the interpreter');
        return (f) => engineBatchPass(direct.batch, f);
      });
      const cIndex = await runner.load(compiled.program);
      // Our own expression (an extension libpcap lacks): libpcap also runs our program, for the same-program ratio.
      const sameIndex = origin === 'pktfilter' && filter.expression !== filter.stock ? await runner.load(program) : undefined;
      const figures = await measureEngines(runner, cIndex, factories as Record<EngineName, EngineFactory>, frames, method, filter.expression, sameIndex);
      const ns = (measured: Partial<Record<EngineName, number>>): Partial<Record<EngineName, number | null>> =>
        Object.fromEntries(options.engines.map((name) => [name, measured[name] ?? null]));
      const base = { filter: filter.expression, stock: filter.stock, program: origin, instructions: program.length, libpcapInstructions: compiled.program.length };
      rows.push({
        ...base, data: 'hot', frames: Math.min(method.hotFrames, frames.count), libpcapNs: figures.hot.libpcap, libpcapSameNs: figures.hot.libpcapSame ?? null,
        accepted: figures.hot.accepted, ns: ns(figures.hot.ours),
      });
      if (figures.memory) {
        rows.push({
          ...base, data: 'memory', frames: frames.count, libpcapNs: figures.memory.libpcap, libpcapSameNs: figures.memory.libpcapSame ?? null,
          accepted: figures.memory.accepted, ns: ns(figures.memory.ours),
        });
      }
      log(`  ${filter.expression}: libpcap ${figures.hot.libpcap.toFixed(2)} ns hot`);
    }
  } finally {
    runner.stop();
  }
  return { rows, notes, frames: frames.count };
}
