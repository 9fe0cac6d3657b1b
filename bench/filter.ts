/**
 * End-to-end speed benchmark of `pktfilter filter --count` against tcpdump and tshark on the shared
 * benchmark capture (bench/mix.ts, 1M frames; 10M more with --big for the memory check), of
 * `pktfilter filter -w /dev/null` against `tcpdump -w /dev/null` on the same file, plus the
 * in-memory ns/packet of our BPF interpreter, BPF->JS function, BPF->JS batch loop and direct JS batch loop
 * (src/direct: the filter tree compiled to JavaScript with no BPF program) beside libpcap's bpf_filter in C
 * on the same file, measured by bench/engines.ts (the method bench/bpf.ts uses too, so both give the same
 * figures: bench/c/bpf-run.c interleaved with our passes, best-of-N on both sides, hot and in memory), and
 * the peak RSS of `pktfilter filter --count`. Prints one table and writes bench/results/filter.json and
 * bench/results/filter.svg (drawn by bench/chart.ts).
 *
 *   node scripts/run-ts.mjs bench/filter.ts [--big] [--frames N] [--no-build] [--only wall,engines,memory]
 *
 * Wall times are the median of RUNS (7) runs, after one warm-up run of each tool (each run is a fresh process, so
 * the warm-up only fills the page cache), the tools taking turns in each round so that a busy moment on the
 * shared machine hits all of them. tshark is run once per display filter on a 100k-frame prefix of the
 * capture (its frame numbers piped back and counted) and its time scaled to the whole file (labelled as
 * such). Every count is checked against tcpdump's (MISMATCH lines), and on the 100k-frame prefix the file
 * `pktfilter filter -w` writes must equal tcpdump's `-w` file byte for byte (MISMATCH lines naming the first
 * differing byte). `--only` runs some sections and writes bench/results/filter-partial.{json,svg} instead.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { libpcapAvailable } from '../test/support/libpcap.js';
import { renderBarChartSvg, type BarChartPanel } from './chart.js';
import { BENCHMARK_FILTERS, ensureBenchmarkCapture, type BenchmarkFilter } from './mix.js';
import { ENGINE_APIS, ENGINE_METHOD_DEFAULTS, describeEngineMethod, measureBenchmarkFilters } from './engines.js';
import type { EngineName } from './engines.js';

// ---- Parameters. ----
const argv = process.argv.slice(2);
const big = argv.includes('--big');
const skipBuild = argv.includes('--no-build');
const onlyIndex = argv.indexOf('--only');
/** Sections to run (`--only wall,engines,memory`); all by default. */
const sections = new Set(onlyIndex >= 0 ? (argv[onlyIndex + 1] ?? '').split(',') : ['wall', 'engines', 'memory']);
for (const section of sections) if (!['wall', 'engines', 'memory'].includes(section)) { console.error(`bench filter: --only takes wall, engines and/or memory, not ${JSON.stringify(section)}`); process.exit(2); }
const framesIndex = argv.indexOf('--frames');
const FRAMES = framesIndex >= 0 ? Number(argv[framesIndex + 1]) : 1_000_000;
if (!Number.isSafeInteger(FRAMES) || FRAMES < 1000) { console.error(`bench filter: --frames takes a whole number of at least 1000, not ${argv[framesIndex + 1]}`); process.exit(2); }
const BIG_FRAMES = 10_000_000;
const PREFIX_FRAMES = Math.min(100_000, FRAMES);
/** The in-memory engines' method: bench/engines.ts's, shared with bench/bpf.ts. */
const ENGINE_METHOD = ENGINE_METHOD_DEFAULTS;
const HOT_FRAMES = ENGINE_METHOD.hotFrames;
/** Rounds per tool: single medians of 3 swung ±10 ms (a tenth of a -j 2 run) between runs of the whole benchmark. */
const RUNS = 7;
/** The command as users run it (`npx pktfilter`: the launcher, which starts the snapshot when it can). */
const CLI = 'bin/pktfilter';
/** The launcher's script entry, which the memory section's wrapper imports when /usr/bin/time is missing. */
const CLI_SCRIPT = 'bin/pktfilter.js';

const FILTERS = BENCHMARK_FILTERS;

// ---- Small helpers. ----
const median = (values: number[]): number => { const s = [...values].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };
const fixed = (value: number | null | undefined, digits: number): string => (value === null || value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits));
const ratioOf = (ours: number | null, theirs: number | null): number | null => (ours === null || theirs === null || theirs <= 0 ? null : ours / theirs);
const started = Date.now();

/** Runs a command, timing it; stdout and stderr are captured. */
function timed(command: string, args: string[]): { seconds: number; result: SpawnSyncReturns<string> } {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, result };
}

/**
 * A tool run under test: how to start it on a file and how to read its match count (null when the run
 * succeeded but prints no count, as a `-w` run; undefined when it failed).
 */
interface Tool { name: string; command: string; args: (file: string) => string[]; count: (result: SpawnSyncReturns<string>) => number | null | undefined }

const pktfilterTool = (expression: string, extra: string[]): Tool => ({
  name: extra.length ? `pktfilter ${extra.join(' ')}` : 'pktfilter',
  command: resolve(CLI),
  args: (file) => ['filter', ...extra, '--count', '-r', file, expression],
  count: (result) => { const m = /^(\d+)\b/.exec(result.stdout); return result.status === 0 && m ? Number(m[1]) : undefined; },
});
const tcpdumpTool = (expression: string): Tool => ({
  name: 'tcpdump',
  command: 'tcpdump',
  args: (file) => ['-r', file, '--count', expression],
  count: (result) => { const m = /^(\d+) packets?/m.exec(result.stdout); return result.status === 0 && m ? Number(m[1]) : undefined; },
});
/** `pktfilter filter -r FILE -w OUTPUT EXPRESSION` through the launcher, as the --count runs use it. */
const pktfilterWriteTool = (expression: string, output: string): Tool => ({
  name: `pktfilter -w ${output}`,
  command: resolve(CLI),
  args: (file) => ['filter', '-r', file, '-w', output, expression],
  count: (result) => (result.status === 0 ? null : undefined),
});
/** `tcpdump -r FILE -w OUTPUT EXPRESSION`. */
const tcpdumpWriteTool = (expression: string, output: string): Tool => ({
  name: `tcpdump -w ${output}`,
  command: 'tcpdump',
  args: (file) => ['-r', file, '-w', output, expression],
  count: (result) => (result.status === 0 ? null : undefined),
});

/** One line of the end-to-end table. */
interface WallRow {
  filter: string; stock: string; display: string; note?: string;
  pktfilterSeconds: number | null; pktfilterCount: number | null; pktfilterError?: string;
  parallelSeconds: number | null; parallelCount: number | null;
  tcpdumpSeconds: number | null; tcpdumpCount: number | null;
  tsharkPrefixSeconds: number | null; tsharkScaledSeconds: number | null; tsharkPrefixCount: number | null; tcpdumpPrefixCount: number | null;
  ratioToTcpdump: number | null; parallelRatioToTcpdump: number | null; tsharkRatioToTcpdump: number | null;
  /**
   * The same two ratios paired by round: the median of each round's ours / tcpdump. Runs of one round follow
   * each other within a second, so a slow spell of the shared machine (seconds long here) hits both sides.
   */
  pairedRatioToTcpdump: number | null; pairedParallelRatioToTcpdump: number | null;
  countsAgree: boolean | null;
  /** `pktfilter filter -r FILE -w /dev/null` and `tcpdump -r FILE -w /dev/null` on the whole file, and their ratio. */
  pktfilterWriteSeconds: number | null; pktfilterWriteError?: string;
  tcpdumpWriteSeconds: number | null; tcpdumpWriteError?: string;
  writeRatioToTcpdump: number | null;
  /**
   * On the prefix: whether `pktfilter filter -w` and `tcpdump -w` wrote byte-identical files (null: not
   * checked), the size of tcpdump's file, and where they first differ when they do.
   */
  writeFilesIdentical: boolean | null; writeCheckBytes: number | null; writeCheckDetail?: string;
}

/** One line of the in-memory table. */
interface EngineRow {
  filter: string; program: 'pktfilter' | 'libpcap'; instructions: number; data: 'hot' | 'memory'; frames: number;
  interpNs: number | null; jsNs: number | null; libpcapNs: number | null; interpRatio: number | null; jsRatio: number | null;
  /** BPF->JS batch form (compileToJsBatch: one generated loop over the records). */
  jsBatchNs: number | null; jsBatchRatio: number | null;
  /** Direct JS (src/direct, filter tree -> JS with no BPF), batch form; null when it does not take the expression. */
  directNs: number | null; directRatio: number | null;
  accepted: { interp: number | null; js: number | null; jsBatch: number | null; direct: number | null; libpcap: number | null };
  /**
   * For our own extensions (libpcap runs the stock equivalent above): libpcap's bpf_filter on OUR program and
   * each engine's ratio to it, the figures held to the targets (bench/engines.ts's libpcapSameNs); else null.
   */
  sameProgram: { libpcapNs: number; interpRatio: number | null; jsRatio: number | null; jsBatchRatio: number | null; directRatio: number | null } | null;
}

// ---- 1. The CLI, the captures, the tools. ----
if (!skipBuild) {
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { encoding: 'utf8' });
  if (build.status !== 0) console.log(`note: node scripts/build.mjs failed (${build.stderr.trim().split('\n')[0]}); using the existing dist/`);
}
console.log(`bench filter: preparing ${FRAMES} frames${big ? ` and ${BIG_FRAMES} frames` : ''} ...`);
const capture = await ensureBenchmarkCapture(FRAMES);
const prefix = await ensureBenchmarkCapture(PREFIX_FRAMES);
const bigCapture = big ? await ensureBenchmarkCapture(BIG_FRAMES) : undefined;
for (const c of [capture, prefix, bigCapture]) if (c) console.log(`  ${c.path}: ${(c.bytes / 1e6).toFixed(0)} MB, ${c.reused ? 'reused' : 'generated'}`);

const hasTool = (command: string, args: string[]): boolean => spawnSync(command, args, { stdio: 'ignore' }).status === 0;
const tcpdumpPresent = hasTool('tcpdump', ['--version']);
const tsharkPresent = hasTool('tshark', ['--version']);
/** /usr/bin/time -v measures peak RSS; without it (or with PKTFILTER_BENCH_NO_TIME set) a wrapper reports node's own maxRSS. */
const timePresent = existsSync('/usr/bin/time') && !process.env.PKTFILTER_BENCH_NO_TIME;

/** Whether the CLI runs `filter --count` with these extra options: the count it gives on the prefix, or the error. */
function probeCli(extra: string[]): { ok: boolean; detail: string } {
  const { result } = timed(resolve(CLI), ['filter', ...extra, '--count', '-r', prefix.path, 'ip']);
  const count = pktfilterTool('ip', extra).count(result);
  return count === undefined || count === null ? { ok: false, detail: (result.stderr || result.stdout || `exit ${result.status}`).trim().split('\n')[0]! } : { ok: true, detail: String(count) };
}
const cliProbe = probeCli([]);
const parallelProbe = cliProbe.ok ? probeCli(['-j', '2']) : { ok: false, detail: 'the CLI itself is unavailable' };
if (!cliProbe.ok) console.log(`note: pktfilter filter --count unavailable: ${cliProbe.detail}`);
if (!parallelProbe.ok) console.log(`note: pktfilter filter -j 2 unavailable: ${parallelProbe.detail}`);

// ---- 2. End-to-end wall time. ----
/**
 * Median wall seconds of each tool on `file` over RUNS rounds, the tools taking turns, after a warm-up round
 * when `warmUp` (every run is a fresh process: the warm-up fills the page cache and loads the binaries, so one
 * per tool and file is enough); counts and errors too.
 */
function measureWall(tools: Tool[], file: string, warmUp: boolean): {
  wall: (tool: Tool | undefined) => number | null; paired: (ours: Tool | undefined, theirs: Tool | undefined) => number | null;
  countOf: (tool: Tool | undefined) => number | null; errors: Map<Tool, string>;
} {
  const seconds = new Map<Tool, number[]>(tools.map((t) => [t, []]));
  const counts = new Map<Tool, number>();
  const errors = new Map<Tool, string>();
  for (let round = warmUp ? 0 : 1; round <= RUNS; round++) {
    for (const tool of tools) {
      if (errors.has(tool)) continue;
      const { seconds: elapsed, result } = timed(tool.command, tool.args(file));
      const count = tool.count(result);
      if (count === undefined) { errors.set(tool, (result.stderr || `exit ${result.status}`).trim().split('\n').pop()!); continue; }
      if (count !== null) counts.set(tool, count);
      if (round > 0) seconds.get(tool)!.push(elapsed); // round 0 warms the page cache and the tool up
    }
  }
  return {
    wall: (tool) => (tool && !errors.has(tool) && seconds.get(tool)?.length ? median(seconds.get(tool)!) : null),
    // Every round ran every tool without an error, in order: the i-th times of two tools are one round's.
    paired: (ours, theirs) => {
      if (!ours || !theirs || errors.has(ours) || errors.has(theirs) || !seconds.get(ours)?.length) return null;
      const theirSeconds = seconds.get(theirs)!;
      return median(seconds.get(ours)!.map((s, i) => s / theirSeconds[i]!));
    },
    countOf: (tool) => (tool && !errors.has(tool) ? counts.get(tool) ?? null : null),
    errors,
  };
}

// Start-up: the same commands on a 1000-frame capture, where reading and filtering cost next to nothing.
const tiny = await ensureBenchmarkCapture(1000);
const startupTools = [cliProbe.ok ? pktfilterTool('ip', []) : undefined, tcpdumpPresent ? tcpdumpTool('ip') : undefined].filter((t): t is Tool => t !== undefined);
const startup = measureWall(sections.has('wall') ? startupTools : [], tiny.path, true);
const startupSeconds = { pktfilter: startup.wall(startupTools.find((t) => t.name === 'pktfilter')), tcpdump: startup.wall(startupTools.find((t) => t.name === 'tcpdump')) };

// ---- 2b. The -w check: on the prefix, pktfilter's -w file must equal tcpdump's byte for byte. ----
/**
 * The pcap file header (pcap/pcap.h's struct pcap_file_header) as [offset, length, field]. libpcap's
 * pcap_dump_open writes its own header, not the input's: the magic of the precision pcap_open_offline
 * reads with (microseconds), version 2.4, thiszone and sigfigs 0, and the input's snaplen and link type.
 * Ours copies the input's header. The benchmark capture is bench/mix.ts's PcapWriter output (microsecond
 * magic, 2.4, zero thiszone and sigfigs, snaplen 262144, Ethernet), which is exactly what libpcap writes, so
 * the whole files are compared, header included (checked: tcpdump's header equals the input's on this
 * capture). A header difference is still reported by field, with whether the records after it agree.
 */
const PCAP_FILE_HEADER_FIELDS: readonly (readonly [number, number, string])[] = [
  [0, 4, 'magic'], [4, 2, 'version_major'], [6, 2, 'version_minor'], [8, 4, 'thiszone'], [12, 4, 'sigfigs'], [16, 4, 'snaplen'], [20, 4, 'linktype'],
];
const PCAP_FILE_HEADER_LENGTH = 24;
const PCAP_RECORD_HEADER_LENGTH = 16;
/** Offset of the captured length (caplen) in a pcap record header. */
const PCAP_RECORD_CAPLEN_OFFSET = 8;
/** The magic numbers (microsecond, nanosecond) as a reader in the writer's byte order sees them. */
const PCAP_MAGICS = [0xa1b2c3d4, 0xa1b23c4d];

/**
 * Where two pcap files first differ, in words (the header field, or the record of tcpdump's file and the
 * byte in it); null when they are byte-identical.
 */
function describeFirstDifference(ours: Buffer, theirs: Buffer): string | null {
  if (ours.equals(theirs)) return null;
  const shorter = Math.min(ours.length, theirs.length);
  let at = 0;
  while (at < shorter && ours[at] === theirs[at]) at++;
  const sizes = `ours ${ours.length} bytes, tcpdump's ${theirs.length}`;
  if (at < PCAP_FILE_HEADER_LENGTH) {
    const field = PCAP_FILE_HEADER_FIELDS.find(([offset, length]) => at >= offset && at < offset + length)?.[2] ?? 'header';
    const recordsAgree = ours.subarray(PCAP_FILE_HEADER_LENGTH).equals(theirs.subarray(PCAP_FILE_HEADER_LENGTH));
    return `file header field ${field} differs at byte ${at}; the records after the header ${recordsAgree ? 'are identical' : 'differ too'} (${sizes})`;
  }
  // Which record of tcpdump's file holds the byte: walk its record headers in the byte order of its magic.
  const view = new DataView(theirs.buffer, theirs.byteOffset, theirs.byteLength);
  const littleEndian = theirs.length >= 4 && PCAP_MAGICS.includes(view.getUint32(0, true));
  let record = 0;
  let recordStart = PCAP_FILE_HEADER_LENGTH;
  while (recordStart + PCAP_RECORD_HEADER_LENGTH <= theirs.length) {
    const end = recordStart + PCAP_RECORD_HEADER_LENGTH + view.getUint32(recordStart + PCAP_RECORD_CAPLEN_OFFSET, littleEndian);
    if (at < end) break;
    recordStart = end;
    record++;
  }
  const where = at - recordStart < PCAP_RECORD_HEADER_LENGTH ? `byte ${at - recordStart} of its 16-byte record header` : `byte ${at - recordStart - PCAP_RECORD_HEADER_LENGTH} of its data`;
  const what = at === shorter ? `${ours.length < theirs.length ? 'ours' : "tcpdump's"} ends early` : 'first difference';
  return `${what} at file offset ${at}: written record ${record} (at ${recordStart}), ${where} (${sizes})`;
}

/** Where the -w check writes its two files (made on first use, removed when the process exits). */
let writeCheckDirectory: string | undefined;
/** Runs `pktfilter filter -w` and `tcpdump -w` on the prefix into temporary files, compares and deletes them. */
function checkWrittenFiles(expression: string, stock: string): { identical: boolean; bytes: number | null; detail?: string } {
  if (writeCheckDirectory === undefined) {
    const directory = mkdtempSync(join(tmpdir(), 'pktfilter-bench-filter-'));
    writeCheckDirectory = directory;
    process.on('exit', () => rmSync(directory, { recursive: true, force: true }));
  }
  const ours = join(writeCheckDirectory, 'pktfilter.pcap');
  const theirs = join(writeCheckDirectory, 'tcpdump.pcap');
  try {
    for (const [label, tool] of [['pktfilter', pktfilterWriteTool(expression, ours)], ['tcpdump', tcpdumpWriteTool(stock, theirs)]] as const) {
      const { result } = timed(tool.command, tool.args(prefix.path));
      if (tool.count(result) === undefined) return { identical: false, bytes: null, detail: `${label} -w failed: ${(result.stderr || `exit ${result.status}`).trim().split('\n').pop()}` };
    }
    const theirBytes = readFileSync(theirs);
    const detail = describeFirstDifference(readFileSync(ours), theirBytes);
    return { identical: detail === null, bytes: theirBytes.length, ...(detail === null ? {} : { detail }) };
  } catch (error) {
    return { identical: false, bytes: null, detail: `could not compare the files: ${(error as Error).message}` };
  } finally {
    rmSync(ours, { force: true });
    rmSync(theirs, { force: true });
  }
}

/** Where the timed -w runs write. */
const WRITE_TARGET = '/dev/null';

console.log(`bench filter: wall time (median of ${RUNS} after a warm-up) ...`);
const wallRows: WallRow[] = [];
const tsharkRuns = new Map<string, { seconds: number; count: number } | null>();
for (const [filterIndex, filter] of sections.has('wall') ? FILTERS.entries() : []) {
  const single = cliProbe.ok ? pktfilterTool(filter.expression, []) : undefined;
  const parallel = parallelProbe.ok ? pktfilterTool(filter.expression, ['-j', '2']) : undefined;
  const tcpdump = tcpdumpPresent ? tcpdumpTool(filter.stock) : undefined;
  const writeSingle = cliProbe.ok ? pktfilterWriteTool(filter.expression, WRITE_TARGET) : undefined;
  const writeTcpdump = tcpdumpPresent ? tcpdumpWriteTool(filter.stock, WRITE_TARGET) : undefined;
  // All five take turns in each round; the first filter's warm-up round warms every binary and the file.
  const { wall, paired, countOf, errors } = measureWall([single, parallel, tcpdump, writeSingle, writeTcpdump].filter((t): t is Tool => t !== undefined), capture.path, filterIndex === 0);
  // tshark: once on the prefix, scaled to the whole file; tcpdump's count on the same prefix for comparison.
  let tsharkPrefixSeconds: number | null = null;
  let tsharkPrefixCount: number | null = null;
  let tcpdumpPrefixCount: number | null = null;
  if (tsharkPresent && !tsharkRuns.has(filter.display)) {
    // One run per display filter (two rows share one): the prefix's frame numbers go to a pipe and are counted.
    const { seconds: elapsed, result } = timed('tshark', ['-n', '-r', prefix.path, '-Y', filter.display, '-T', 'fields', '-e', 'frame.number']);
    if (result.status === 0) tsharkRuns.set(filter.display, { seconds: elapsed, count: result.stdout.split('\n').filter((line) => line !== '').length });
    else { tsharkRuns.set(filter.display, null); console.log(`note: tshark failed on ${JSON.stringify(filter.display)}: ${result.stderr.trim().split('\n').pop()}`); }
  }
  const tsharkRun = tsharkRuns.get(filter.display);
  if (tsharkRun) { tsharkPrefixSeconds = tsharkRun.seconds; tsharkPrefixCount = tsharkRun.count; }
  if (tcpdump) tcpdumpPrefixCount = tcpdump.count(timed(tcpdump.command, tcpdump.args(prefix.path)).result) ?? null;
  const pktfilterSeconds = wall(single);
  const parallelSeconds = wall(parallel);
  const tcpdumpSeconds = wall(tcpdump);
  const tsharkScaledSeconds = tsharkPrefixSeconds === null ? null : tsharkPrefixSeconds * (FRAMES / PREFIX_FRAMES);
  const pktfilterCount = countOf(single);
  const tcpdumpCount = countOf(tcpdump);
  const pktfilterWriteSeconds = wall(writeSingle);
  const tcpdumpWriteSeconds = wall(writeTcpdump);
  const writeCheck = writeSingle && writeTcpdump ? checkWrittenFiles(filter.expression, filter.stock) : null;
  const row: WallRow = {
    filter: filter.expression, stock: filter.stock, display: filter.display, ...(filter.note ? { note: filter.note } : {}),
    pktfilterSeconds, pktfilterCount, ...(single && errors.has(single) ? { pktfilterError: errors.get(single)! } : {}),
    parallelSeconds, parallelCount: countOf(parallel),
    tcpdumpSeconds, tcpdumpCount, tsharkPrefixSeconds, tsharkScaledSeconds, tsharkPrefixCount, tcpdumpPrefixCount,
    ratioToTcpdump: ratioOf(pktfilterSeconds, tcpdumpSeconds), parallelRatioToTcpdump: ratioOf(parallelSeconds, tcpdumpSeconds),
    tsharkRatioToTcpdump: ratioOf(tsharkScaledSeconds, tcpdumpSeconds),
    pairedRatioToTcpdump: paired(single, tcpdump), pairedParallelRatioToTcpdump: paired(parallel, tcpdump),
    countsAgree: pktfilterCount === null || tcpdumpCount === null ? null : pktfilterCount === tcpdumpCount && (parallelAgrees(countOf(parallel), pktfilterCount)),
    pktfilterWriteSeconds, ...(writeSingle && errors.has(writeSingle) ? { pktfilterWriteError: errors.get(writeSingle)! } : {}),
    tcpdumpWriteSeconds, ...(writeTcpdump && errors.has(writeTcpdump) ? { tcpdumpWriteError: errors.get(writeTcpdump)! } : {}),
    writeRatioToTcpdump: ratioOf(pktfilterWriteSeconds, tcpdumpWriteSeconds),
    writeFilesIdentical: writeCheck?.identical ?? null, writeCheckBytes: writeCheck?.bytes ?? null, ...(writeCheck?.detail ? { writeCheckDetail: writeCheck.detail } : {}),
  };
  wallRows.push(row);
  process.stdout.write(`  ${filter.expression}: pktfilter ${fixed(pktfilterSeconds, 3)} s, tcpdump ${fixed(tcpdumpSeconds, 3)} s, -w ${WRITE_TARGET}: pktfilter ${fixed(pktfilterWriteSeconds, 3)} s, tcpdump ${fixed(tcpdumpWriteSeconds, 3)} s, tshark(prefix) ${fixed(tsharkPrefixSeconds, 2)} s\n`);
}

/** A -j 2 count, when measured, must equal the single-thread count. */
function parallelAgrees(parallelCount: number | null, singleCount: number): boolean {
  return parallelCount === null || parallelCount === singleCount;
}

// ---- 3. In-memory ns/packet: our interpreter and BPF->JS against libpcap's bpf_filter, same file, same program. ----
console.log('bench filter: in-memory engines ...');
const engineRows: EngineRow[] = [];
let engineNote = '';

/** The engines of the in-memory table and the EngineRow field each fills. */
const ENGINE_COLUMNS: readonly { engine: EngineName; field: 'interp' | 'js' | 'jsBatch' | 'direct' }[] = [
  { engine: 'interp call', field: 'interp' }, { engine: 'js call', field: 'js' }, { engine: 'js batch', field: 'jsBatch' }, { engine: 'direct batch', field: 'direct' },
];

if (!sections.has('engines')) {
  engineNote = 'not measured (--only)';
} else if (!libpcapAvailable()) {
  engineNote = 'gcc or libpcap-dev missing: no in-memory rows';
} else {
  try {
    await measureEngineRows();
  } catch (error) {
    engineNote += ` in-memory rows unavailable: ${(error as Error).message}`;
  }
}

/** Fills engineRows by bench/engines.ts: each engine's ns/packet on the hot set and the whole file, beside libpcap's. */
async function measureEngineRows(): Promise<void> {
  const { rows, notes } = await measureBenchmarkFilters({
    capture: capture.path, filters: FILTERS, engines: ENGINE_COLUMNS.map((c) => c.engine), method: ENGINE_METHOD, buildDirectory: '.cache/bench',
    log: (line) => console.log(line),
  });
  for (const note of notes) engineNote += ` ${note};`;
  for (const row of rows) {
    const ns = (field: 'interp' | 'js' | 'jsBatch' | 'direct'): number | null => row.ns[ENGINE_COLUMNS.find((c) => c.field === field)!.engine] ?? null;
    // Every engine's accepted count equalled libpcap's in every pass (bench/engines.ts fails otherwise).
    const accepted = (field: 'interp' | 'js' | 'jsBatch' | 'direct'): number | null => (ns(field) === null ? null : row.accepted);
    engineRows.push({
      filter: row.filter, program: row.program, instructions: row.instructions, data: row.data, frames: row.frames,
      interpNs: ns('interp'), jsNs: ns('js'), libpcapNs: row.libpcapNs,
      interpRatio: ratioOf(ns('interp'), row.libpcapNs), jsRatio: ratioOf(ns('js'), row.libpcapNs),
      jsBatchNs: ns('jsBatch'), jsBatchRatio: ratioOf(ns('jsBatch'), row.libpcapNs),
      directNs: ns('direct'), directRatio: ratioOf(ns('direct'), row.libpcapNs),
      accepted: { interp: accepted('interp'), js: accepted('js'), jsBatch: accepted('jsBatch'), direct: accepted('direct'), libpcap: row.accepted },
      sameProgram: row.libpcapSameNs === null ? null : {
        libpcapNs: row.libpcapSameNs, interpRatio: ratioOf(ns('interp'), row.libpcapSameNs), jsRatio: ratioOf(ns('js'), row.libpcapSameNs),
        jsBatchRatio: ratioOf(ns('jsBatch'), row.libpcapSameNs), directRatio: ratioOf(ns('direct'), row.libpcapSameNs),
      },
    });
  }
}

// ---- 4. Peak memory. ----
console.log('bench filter: peak memory ...');
interface MemoryRow { tool: string; frames: number; file: string; maxRssMb: number | null; seconds: number | null; count: number | null }
const memoryRows: MemoryRow[] = [];
/** Peak RSS in MB of one run, by /usr/bin/time -v, or by a wrapper reading process.resourceUsage() for node. */
function peakRss(tool: Tool, file: string, frames: number): MemoryRow {
  let rss: number | null = null;
  let run: { seconds: number; result: SpawnSyncReturns<string> };
  if (timePresent) {
    run = timed('/usr/bin/time', ['-v', tool.command, ...tool.args(file)]);
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(run.result.stderr);
    if (m) rss = Number(m[1]) / 1024;
  } else if (tool.command === resolve(CLI)) {
    const wrapper = `import(${JSON.stringify(pathToFileURL(resolve(CLI_SCRIPT)).href)}); process.on('exit', () => process.stderr.write('maxRSS ' + process.resourceUsage().maxRSS + '\\n'));`;
    // With -e, process.argv is [node, ...args]: the CLI path stands in for the script so that argv.slice(2) is the verb and its options.
    run = timed(process.execPath, ['--input-type=module', '-e', wrapper, CLI_SCRIPT, ...tool.args(file)]);
    const m = /maxRSS (\d+)/.exec(run.result.stderr);
    if (m) rss = Number(m[1]) / 1024;
  } else {
    run = timed(tool.command, tool.args(file));
  }
  const count = tool.count(run.result) ?? null;
  return { tool: tool.name, frames, file, maxRssMb: rss === null || count === null ? null : rss, seconds: count === null ? null : run.seconds, count };
}
const memoryFilter = 'tcp port 80';
for (const c of [capture, bigCapture]) {
  if (!c || !sections.has('memory')) continue;
  if (cliProbe.ok) memoryRows.push(peakRss(pktfilterTool(memoryFilter, []), c.path, c.frames));
  if (parallelProbe.ok) memoryRows.push(peakRss(pktfilterTool(memoryFilter, ['-j', '2']), c.path, c.frames));
  if (tcpdumpPresent) memoryRows.push(peakRss(tcpdumpTool(memoryFilter), c.path, c.frames));
}

// ---- 5. The table. ----
const lines: string[] = [];
const out = (line = ''): void => { lines.push(line); console.log(line); };
const load = loadavg().map((l) => l.toFixed(2)).join(' ');
out();
out(`pktfilter filter --count vs tcpdump --count vs tshark -Y, and filter -w ${WRITE_TARGET} vs tcpdump -w ${WRITE_TARGET}, ${FRAMES} frames (${(capture.bytes / 1e6).toFixed(0)} MB), ${cpus().length} cores, load ${load}`);
out(`wall seconds: median of ${RUNS} (one warm-up run per tool first); tshark: one run on the first 100k frames x` + (FRAMES / PREFIX_FRAMES) + ' (scaled)');
out(`-w: \`${CLI} filter -r FILE -w ${WRITE_TARGET} EXPR\` vs \`tcpdump -r FILE -w ${WRITE_TARGET} STOCK\`, ratio = pktfilter / tcpdump;`
  + ` -w check: both -w files of the first ${PREFIX_FRAMES} frames byte-identical`);
out();
const width = Math.max(...FILTERS.map((f) => f.expression.length));
out(['filter'.padEnd(width), 'pktfilter', ' ratio', '   -j 2', ' ratio', 'tcpdump', 'tshark*', ' ratio', ' pkt -w', 'tcpd -w', ' ratio', '   matches', 'check', '-w check'].join('  '));
for (const row of wallRows) {
  const check = row.countsAgree === null ? (row.pktfilterError ? 'unavailable' : 'n/a') : row.countsAgree ? 'ok' : 'MISMATCH';
  const writeCheck = row.writeFilesIdentical === null ? 'n/a' : row.writeFilesIdentical ? 'ok' : 'MISMATCH';
  out([row.filter.padEnd(width), fixed(row.pktfilterSeconds, 3).padStart(9), fixed(row.ratioToTcpdump, 2).padStart(6), fixed(row.parallelSeconds, 3).padStart(7),
    fixed(row.parallelRatioToTcpdump, 2).padStart(6), fixed(row.tcpdumpSeconds, 3).padStart(7), fixed(row.tsharkScaledSeconds, 1).padStart(7),
    fixed(row.tsharkRatioToTcpdump, 1).padStart(6), fixed(row.pktfilterWriteSeconds, 3).padStart(7), fixed(row.tcpdumpWriteSeconds, 3).padStart(7),
    fixed(row.writeRatioToTcpdump, 2).padStart(6), String(row.tcpdumpCount ?? row.pktfilterCount ?? '-').padStart(10), check.padEnd(5), writeCheck].join('  '));
}
for (const row of wallRows) {
  if (row.countsAgree === false) out(`MISMATCH ${row.filter}: pktfilter ${row.pktfilterCount}${row.parallelCount !== null ? ` (-j 2: ${row.parallelCount})` : ''}, tcpdump ${row.tcpdumpCount} (${row.stock})`);
  if (row.writeFilesIdentical === false) out(`MISMATCH ${row.filter}: -w on the first ${PREFIX_FRAMES} frames (tcpdump: ${row.stock}): ${row.writeCheckDetail ?? 'files differ'}`);
  if (row.pktfilterError) out(`unavailable ${row.filter}: pktfilter: ${row.pktfilterError}`);
  if (row.pktfilterWriteError) out(`unavailable ${row.filter}: pktfilter -w ${WRITE_TARGET}: ${row.pktfilterWriteError}`);
  if (row.tcpdumpWriteError) out(`unavailable ${row.filter}: tcpdump -w ${WRITE_TARGET}: ${row.tcpdumpWriteError}`);
  if (row.tsharkPrefixCount !== null && row.tcpdumpPrefixCount !== null && row.tsharkPrefixCount !== row.tcpdumpPrefixCount) {
    out(`note ${row.filter}: on the prefix tshark -Y '${row.display}' matched ${row.tsharkPrefixCount}, tcpdump ${row.tcpdumpPrefixCount}`);
  }
}
if (!cliProbe.ok) out(`pktfilter filter --count unavailable: ${cliProbe.detail}`);
if (!parallelProbe.ok) out(`-j 2 unavailable: ${parallelProbe.detail}`);
out(`start-up (1000 frames, 'ip'): pktfilter ${fixed(startupSeconds.pktfilter, 3)} s, tcpdump ${fixed(startupSeconds.tcpdump, 3)} s`);
const geometricMean = (values: (number | null)[]): number | null => {
  const v = values.filter((x): x is number => x !== null && x > 0);
  return v.length ? Math.exp(v.reduce((s, x) => s + Math.log(x), 0) / v.length) : null;
};
const meanRatio = geometricMean(wallRows.map((r) => r.ratioToTcpdump));
const meanParallel = geometricMean(wallRows.map((r) => r.parallelRatioToTcpdump));
out(`geometric mean ratio to tcpdump: pktfilter ${fixed(meanRatio, 2)} (target <= 1.0), -j 2 ${fixed(meanParallel, 2)} (target <= 0.7)`);
const meanPaired = geometricMean(wallRows.map((r) => r.pairedRatioToTcpdump));
const meanPairedParallel = geometricMean(wallRows.map((r) => r.pairedParallelRatioToTcpdump));
out(`the same paired by round (median of each round's ratio): pktfilter ${fixed(meanPaired, 2)}, -j 2 ${fixed(meanPairedParallel, 2)}`);
const netOfStartup = (seconds: number | null, start: number | null): number | null => (seconds === null || start === null ? null : Math.max(0, seconds - start));
const meanNetRatio = geometricMean(wallRows.map((r) => ratioOf(netOfStartup(r.pktfilterSeconds, startupSeconds.pktfilter), netOfStartup(r.tcpdumpSeconds, startupSeconds.tcpdump))));
out(`the same net of start-up (each tool's 1000-frame time subtracted): ${fixed(meanNetRatio, 2)}`);
const meanWriteRatio = geometricMean(wallRows.map((r) => r.writeRatioToTcpdump));
const meanWriteNetRatio = geometricMean(wallRows.map((r) => ratioOf(netOfStartup(r.pktfilterWriteSeconds, startupSeconds.pktfilter), netOfStartup(r.tcpdumpWriteSeconds, startupSeconds.tcpdump))));
const writeChecked = wallRows.filter((r) => r.writeFilesIdentical !== null);
const writeIdentical = writeChecked.filter((r) => r.writeFilesIdentical === true).length;
out(`-w ${WRITE_TARGET}: geometric mean ratio to tcpdump -w ${fixed(meanWriteRatio, 2)}, net of start-up (the --count start-up times) ${fixed(meanWriteNetRatio, 2)};`
  + ` -w files identical to tcpdump's on ${writeIdentical} of ${writeChecked.length} filters`);

out();
out('in memory, ns/packet (bench/engines.ts, the method of bench/bpf.ts); ratio = ours / libpcap bpf_filter');
if (engineRows.length > 0) {
  for (const line of describeEngineMethod(ENGINE_METHOD, FRAMES)) out(line);
  for (const { engine, field } of ENGINE_COLUMNS) out(`${(field === 'jsBatch' ? 'jsbatch' : field).padEnd(7)} = ${ENGINE_APIS[engine]}`);
}
out(['filter'.padEnd(width), 'data  ', 'prog     ', 'libpcap', ' interp', ' ratio', '     js', ' ratio', 'jsbatch', ' ratio', ' direct', ' ratio', 'check'].join('  '));
for (const row of engineRows) {
  // Every engine must accept what tcpdump counted (or, without the wall section, what libpcap's bpf_filter accepted).
  const expected = wallRows.find((w) => w.filter === row.filter)?.tcpdumpCount ?? row.accepted.libpcap;
  const accepted = [row.accepted.interp, row.accepted.js, row.accepted.jsBatch, row.accepted.direct, row.accepted.libpcap].filter((a): a is number => a !== null);
  const check = row.data === 'hot' ? '' : expected === null ? 'n/a' : accepted.every((a) => a === expected) ? 'ok'
    : `MISMATCH interp ${row.accepted.interp} js ${row.accepted.js} jsbatch ${row.accepted.jsBatch} direct ${row.accepted.direct} libpcap ${row.accepted.libpcap} tcpdump ${expected}`;
  out([row.filter.padEnd(width), row.data.padEnd(6), row.program.padEnd(9), fixed(row.libpcapNs, 1).padStart(7), fixed(row.interpNs, 1).padStart(7), fixed(row.interpRatio, 2).padStart(6),
    fixed(row.jsNs, 1).padStart(7), fixed(row.jsRatio, 2).padStart(6), fixed(row.jsBatchNs, 1).padStart(7), fixed(row.jsBatchRatio, 2).padStart(6),
    fixed(row.directNs, 1).padStart(7), fixed(row.directRatio, 2).padStart(6), check].join('  ') + (row.sameProgram ? '  (libpcap: stock program)' : ''));
  const same = row.sameProgram;
  if (same) {
    out([`  libpcap on our ${row.instructions}-instruction program`.padEnd(width), row.data.padEnd(6), ''.padEnd(9), fixed(same.libpcapNs, 1).padStart(7), ''.padStart(7), fixed(same.interpRatio, 2).padStart(6),
      ''.padStart(7), fixed(same.jsRatio, 2).padStart(6), ''.padStart(7), fixed(same.jsBatchRatio, 2).padStart(6), ''.padStart(7), fixed(same.directRatio, 2).padStart(6)].join('  ') + '  (libpcap: same program)');
  }
}
out('(a filter that is our own extension: its targets read against libpcap running our program, "same program")');
if (engineNote) out(`note: ${engineNote.trim()}`);
// The BPF->JS target (<= 0.4, the BPF machine issue) is read against the batch form, as in bench/bpf.ts; the
// per-call form (one call a packet) has none and is printed beside it.
const meanHotJs = geometricMean(engineRows.filter((r) => r.data === 'hot').map((r) => r.sameProgram?.jsRatio ?? r.jsRatio));
const meanHotJsBatch = geometricMean(engineRows.filter((r) => r.data === 'hot').map((r) => r.sameProgram?.jsBatchRatio ?? r.jsBatchRatio));
out(`BPF->JS / libpcap, hot: batch geometric mean ${fixed(meanHotJsBatch, 2)} (target <= 0.4); one call a packet ${fixed(meanHotJs, 2)} (no target)`);
const hotDirect = engineRows.filter((r) => r.data === 'hot');
const heldDirect = hotDirect.map((r) => r.sameProgram?.directRatio ?? r.directRatio);
const meanHotDirect = geometricMean(heldDirect);
const worstHotDirect = heldDirect.reduce<number | null>((worst, ratio) => (ratio === null ? worst : worst === null ? ratio : Math.max(worst, ratio)), null);
out(`direct JS (batch) / libpcap, hot: geometric mean ${fixed(meanHotDirect, 2)}, worst ${fixed(worstHotDirect, 2)} (target <= 0.4 on every filter)`);

out();
out(`peak RSS of \`filter --count '${memoryFilter}'\`${timePresent ? ' (/usr/bin/time -v)' : ''}`);
for (const row of memoryRows) out(`  ${row.tool.padEnd(14)} ${String(row.frames).padStart(9)} frames  ${fixed(row.maxRssMb, 1).padStart(7)} MB  ${fixed(row.seconds, 2).padStart(7)} s  count ${row.count ?? '-'}`);
const rssOf = (tool: string, frames: number): number | null => memoryRows.find((r) => r.tool === tool && r.frames === frames)?.maxRssMb ?? null;
const rssSmall = rssOf('pktfilter', FRAMES);
const rssBig = rssOf('pktfilter', BIG_FRAMES);
if (big) out(`pktfilter peak RSS ${BIG_FRAMES} / ${FRAMES} frames: ${fixed(ratioOf(rssBig, rssSmall), 2)} (target: the same, ~1.0)`);
out(`${((Date.now() - started) / 1000).toFixed(0)} s`);

// ---- 6. JSON and SVG. ----
mkdirSync('bench/results', { recursive: true });
const json = {
  date: new Date().toISOString(), frames: FRAMES, captureBytes: capture.bytes, capture: capture.path, prefixFrames: PREFIX_FRAMES, big, sections: [...sections],
  cores: cpus().length, loadavg: loadavg(), cli: { available: cliProbe.ok, detail: cliProbe.detail, parallel: parallelProbe.ok, parallelDetail: parallelProbe.detail },
  targets: { pktfilterToTcpdump: 1.0, parallelToTcpdump: 0.7, jsToLibpcapHot: 0.4, directToLibpcapHot: 0.4, peakRssBigToSmall: 1.0 },
  startup: startupSeconds,
  summary: {
    meanRatioToTcpdump: meanRatio, meanRatioToTcpdumpNetOfStartup: meanNetRatio, meanParallelRatioToTcpdump: meanParallel, meanPairedRatioToTcpdump: meanPaired, meanPairedParallelRatioToTcpdump: meanPairedParallel, meanJsToLibpcapHot: meanHotJs, meanJsBatchToLibpcapHot: meanHotJsBatch,
    meanDirectToLibpcapHot: meanHotDirect, worstDirectToLibpcapHot: worstHotDirect, peakRssMb: rssSmall, peakRssBigMb: rssBig,
    meanWriteRatioToTcpdump: meanWriteRatio, meanWriteRatioToTcpdumpNetOfStartup: meanWriteNetRatio,
    writeFilesIdentical: writeIdentical, writeFilesChecked: writeChecked.length,
  },
  write: { target: WRITE_TARGET, checkFrames: PREFIX_FRAMES, checkCapture: prefix.path },
  wall: wallRows, engines: engineRows, memory: memoryRows, table: lines,
};
// A run of some sections (--only) writes beside the full results instead of over them.
const resultName = sections.size === 3 ? 'filter' : 'filter-partial';
writeFileSync(`bench/results/${resultName}.json`, JSON.stringify(json, null, 2) + '\n');
const groups = FILTERS.map((f) => f.expression);
const wallOf = (filter: BenchmarkFilter): WallRow | undefined => wallRows.find((r) => r.filter === filter.expression);
const panels: BarChartPanel[] = [
  {
    title: `Wall time relative to tcpdump (${FRAMES} frames; lower is better; log scale)`, unit: 'x tcpdump', groups, scale: 'log',
    series: [
      { name: 'pktfilter', values: FILTERS.map((f) => wallOf(f)?.ratioToTcpdump ?? null) },
      { name: 'pktfilter -j 2', values: FILTERS.map((f) => wallOf(f)?.parallelRatioToTcpdump ?? null) },
      { name: 'tshark (scaled from 100k)', values: FILTERS.map((f) => wallOf(f)?.tsharkRatioToTcpdump ?? null) },
      { name: 'pktfilter -w / tcpdump -w', values: FILTERS.map((f) => wallOf(f)?.writeRatioToTcpdump ?? null) },
    ],
    referenceLines: [{ value: 1, label: 'tcpdump = 1' }, { value: 0.7, label: 'target -j 2: 0.7' }],
  },
  {
    title: `Wall seconds, --count and -w ${WRITE_TARGET} (${FRAMES} frames; median of ${RUNS}; lower is better)`, unit: 'seconds', groups,
    series: [
      { name: 'pktfilter --count', values: FILTERS.map((f) => wallOf(f)?.pktfilterSeconds ?? null) },
      { name: 'tcpdump --count', values: FILTERS.map((f) => wallOf(f)?.tcpdumpSeconds ?? null) },
      { name: `pktfilter -w ${WRITE_TARGET}`, values: FILTERS.map((f) => wallOf(f)?.pktfilterWriteSeconds ?? null) },
      { name: `tcpdump -w ${WRITE_TARGET}`, values: FILTERS.map((f) => wallOf(f)?.tcpdumpWriteSeconds ?? null) },
    ],
  },
];
for (const data of ['hot', 'memory'] as const) {
  const rows = FILTERS.map((f) => engineRows.find((r) => r.filter === f.expression && r.data === data));
  panels.push({
    title: data === 'hot' ? `ns/packet, first ${HOT_FRAMES} frames looped (cache-resident)` : `ns/packet, whole file in memory (${FRAMES} frames)`, unit: 'ns/packet', groups,
    series: [
      { name: 'interpreter', values: rows.map((r) => r?.interpNs ?? null) },
      { name: 'BPF->JS', values: rows.map((r) => r?.jsNs ?? null) },
      { name: 'direct JS (batch)', values: rows.map((r) => r?.directNs ?? null) },
      { name: 'libpcap bpf_filter', values: rows.map((r) => r?.libpcapNs ?? null) },
    ],
  });
}
writeFileSync(`bench/results/${resultName}.svg`, renderBarChartSvg(panels, { title: 'pktfilter end-to-end filter benchmark' }));
console.log(`wrote bench/results/${resultName}.json and bench/results/${resultName}.svg`);
