/**
 * `pktfilter filter -r CAPTURE [-w OUT] [-c COUNT] [-j JOBS [--worker-reads]] [--fragment-size BYTES] [--count] [--json] [--engine auto|interp|js|direct] EXPRESSION…`
 * and `pktfilter filter -r CAPTURE --program PROGRAM_FILE`: runs a filter over a pcap or pcapng file
 * (compiled per link type, so every pcapng interface gets its own program) and prints, writes or counts
 * the matching records. The file is streamed in record-aligned fragments (src/cli/filter/fragments.ts),
 * each filtered with the batch engines (src/cli/filter/run-fragment.ts), in this thread or, with -j N, in
 * N worker threads whose results are merged in frame order (src/cli/filter/pool.ts). `--count -j N` on a
 * pcap file splits the file into N parts instead (countInParts): this thread counts the first, and each
 * worker the part it finds its own first record in (src/cli/filter/pcap-resync.ts), checked by this thread.
 * Only this thread compiles (src/cli/filter/compile-program.ts); the workers run the worker-only bundle.
 */
import { closeSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { RawInstruction } from '../bpf/opcodes.js';
import { BpfError } from '../bpf/errors.js';
import { readProgramFile } from '../bpf/read-program-file.js';
import { CaptureFormatError } from '../capture/errors.js';
import { CliError } from './errors.js';
import { FILTER_FRAGMENT_SIZE, FILTER_IN_THREAD_FRAGMENT_SIZE, FILTER_MINIMUM_FRAGMENT_SIZE, readFilterCaptureFragments, type FilterCaptureFragment, type FilterFragmentOptions, type FilterWalkStop } from './filter/fragments.js';
import { HOSTS_USAGE, takeHostsOption } from './hosts-option.js';
import type { FilterFragmentResult, FilterOutputMode, FilterRunSettings } from './filter/run-fragment.js';
import type { FilterPartResult } from './filter/worker.js';

const usage = `usage: pktfilter filter -r CAPTURE [-w OUT] [-c COUNT] [-j JOBS [--worker-reads]] [--fragment-size BYTES] [--count] [--json] [--engine auto|interp|js|direct] [--strict] ${HOSTS_USAGE} (EXPRESSION... | --program PROGRAM_FILE)`;

/** The parsed command line of `filter`. */
export interface FilterCommand {
  capture: string;
  output?: string;
  limit?: number;
  countOnly: boolean;
  json: boolean;
  /**
   * The engine asked for; `auto` (the default) counts and writes (-w) pcap files with the WebAssembly walker
   * (filter/wasm-walk.ts) and runs BPF->JS everywhere else.
   */
  engine: 'auto' | 'interp' | 'js' | 'direct';
  programFile?: string;
  expression: string;
  /** Worker threads (1: filter in the main thread). */
  jobs: number;
  /** Bytes read per fragment (--fragment-size; tests use small ones to make many fragments). */
  fragmentSize?: number;
  /** With -j on a pcap file: the workers read their windows of the file themselves (--worker-reads). */
  workerReads: boolean;
  /** Refuse pktfilter's extensions (`gre`, `vxlan`), as `compile --strict` does. */
  strict: boolean;
  /** Resolve host names from this hosts file (`--hosts`, `--hosts-file FILE`). */
  hostsFile?: string;
}

/**
 * Smallest pcap file `--count -j N` counts with workers: a worker takes ~45 ms to start (measured on the
 * benchmark machine), while this thread walks and counts ~5 GB/s, so below this size -j 1 is faster.
 */
export const FILTER_PARALLEL_COUNT_MINIMUM = 256 << 20;

/** Most worker threads -j accepts. */
export const FILTER_MAX_JOBS = 64;

function optionValue(argv: string[], index: number, name: string): string {
  const value = argv[index];
  if (value === undefined) throw new CliError(`${name} needs a value\n${usage}`);
  return value;
}

/** Parses `filter`'s arguments (without the verb). */
export function parseFilterArguments(argv: string[]): FilterCommand {
  let capture: string | undefined;
  let output: string | undefined;
  let limit: number | undefined;
  let countOnly = false;
  let json = false;
  let engine: FilterCommand['engine'] = 'auto';
  let programFile: string | undefined;
  let jobs = 1;
  let fragmentSize: number | undefined;
  let workerReads = false;
  let strict = false;
  let hostsFile: string | undefined;
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') { words.push(...argv.slice(i + 1)); break; }
    if (arg === '-r') capture = optionValue(argv, ++i, '-r');
    else if (arg === '-w') output = optionValue(argv, ++i, '-w');
    else if (arg === '-c') {
      const text = optionValue(argv, ++i, '-c');
      if (!/^\d+$/.test(text) || Number(text) < 1) throw new CliError(`invalid count '${text}' for -c (a positive number)`);
      limit = Number(text);
    } else if (arg === '-j' || arg === '--jobs') {
      const text = optionValue(argv, ++i, arg);
      if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > FILTER_MAX_JOBS) throw new CliError(`invalid job count '${text}' for ${arg} (1 to ${FILTER_MAX_JOBS})`);
      jobs = Number(text);
    } else if (arg === '--fragment-size') {
      const text = optionValue(argv, ++i, arg);
      if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 1 << 30) throw new CliError(`invalid size '${text}' for --fragment-size (1 to ${1 << 30} bytes)`);
      fragmentSize = Number(text);
    } else if (arg === '--worker-reads') workerReads = true;
    else if (arg === '--count') countOnly = true;
    else if (arg === '--strict') strict = true;
    else if (takeHostsOption(argv, i)) ({ hostsFile, last: i } = takeHostsOption(argv, i)!);
    else if (arg === '--json') json = true;
    else if (arg === '--engine' || arg.startsWith('--engine=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : optionValue(argv, ++i, '--engine');
      if (value !== 'auto' && value !== 'interp' && value !== 'js' && value !== 'direct') throw new CliError(`--engine takes auto, interp, js or direct, not '${value}'`);
      engine = value;
    } else if (arg === '--program') programFile = optionValue(argv, ++i, '--program');
    else if (arg.startsWith('-') && arg.length > 1 && words.length === 0) throw new CliError(`unknown option ${arg}\n${usage}`);
    else words.push(arg);
  }
  if (capture === undefined) throw new CliError(`missing -r CAPTURE\n${usage}`);
  if (programFile !== undefined && words.length > 0) throw new CliError(`give an EXPRESSION or --program, not both\n${usage}`);
  if (countOnly && json) throw new CliError('--count and --json exclude each other');
  // The direct engine compiles the expression itself (no BPF program), in the main thread only.
  if (engine === 'direct' && programFile !== undefined) throw new CliError('--engine direct compiles an EXPRESSION, not a --program');
  if (engine === 'direct' && jobs > 1) throw new CliError('--engine direct runs in one thread: its predicates are compiled from the expression, which the workers do not parse (drop -j or use --engine js)');
  return { capture, output, limit, countOnly, json, engine, programFile, expression: words.join(' '), jobs, workerReads, strict, ...(hostsFile !== undefined ? { hostsFile } : {}), ...(fragmentSize !== undefined ? { fragmentSize } : {}) };
}

/** Whether a file starts with the pcapng section header magic (its -w output is re-encoded by the streaming writer). */
function isPcapngFile(path: string): boolean {
  let descriptor: number | undefined;
  try {
    descriptor = openSync(path, 'r');
    const magic = new Uint8Array(4);
    return readSync(descriptor, magic, 0, 4, 0) === 4 && magic[0] === 0x0a && magic[1] === 0x0d && magic[2] === 0x0d && magic[3] === 0x0a;
  } catch {
    return false;
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
}

/** Runs `pktfilter filter`. */
export async function run(argv: string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) { process.stdout.write(usage + '\n'); return 0; }
  const command = parseFilterArguments(argv);
  let fixedProgram: RawInstruction[] | undefined;
  if (command.programFile !== undefined) {
    try {
      fixedProgram = await readProgramFile(command.programFile);
    } catch (error) {
      if (error instanceof BpfError) throw new CliError(error.message, 1);
      throw error;
    }
  }
  try {
    if (command.output !== undefined && isPcapngFile(command.capture)) {
      // pcapng output restates interfaces as the records need them: the streaming writer does that.
      const { runFilterStreamingWrite } = await import('./filter/stream-write.js');
      return await runFilterStreamingWrite(command, fixedProgram);
    }
    return await runFragments(command, fixedProgram);
  } catch (error) {
    if (error instanceof CliError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`cannot read ${command.capture}: no such file`, 1);
    if (code === 'EISDIR') throw new CliError(`cannot read ${command.capture}: it is a directory`, 1);
    throw error;
  }
}

/** The output of a fragment run: counts, printed lines, or pcap records copied unchanged. */
function outputMode(command: FilterCommand): FilterOutputMode {
  if (command.output !== undefined) return 'pcap-records';
  if (command.countOnly) return 'count';
  return command.json ? 'json' : 'print';
}

/** Filters the capture fragment by fragment, in this thread or in worker threads, and writes the results in frame order. */
async function runFragments(command: FilterCommand, fixedProgram: RawInstruction[] | undefined): Promise<number> {
  const mode = outputMode(command);
  const { filterRunSettings } = await import('./filter/compile-program.js');
  const settings = filterRunSettings(command, mode, fixedProgram);
  let remaining = command.limit ?? Number.POSITIVE_INFINITY;
  let matches = 0;
  let looping = 0;
  let output: number | undefined;
  let headerWritten = false;
  // A reader that stops early (`| head`) closes stdout: stop filtering quietly, as when -c is reached.
  let stdoutClosed = false;
  let stdoutFailure: Error | undefined;
  const onStdoutError = (error: NodeJS.ErrnoException): void => {
    if (error.code === 'EPIPE') stdoutClosed = true;
    else stdoutFailure = error;
  };
  process.stdout.on('error', onStdoutError);
  /** Lets stdout's events arrive and waits while its buffer is full; false once stdout is gone. */
  const stdoutWritable = async (): Promise<boolean> => {
    if (mode !== 'print' && mode !== 'json') return true;
    if (process.stdout.writableNeedDrain && !stdoutClosed && stdoutFailure === undefined) {
      await new Promise<void>((resolve) => {
        const done = (): void => { process.stdout.off('drain', done); process.stdout.off('error', done); resolve(); };
        process.stdout.on('drain', done);
        process.stdout.on('error', done);
      });
    } else {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (stdoutFailure !== undefined) throw new CliError(`cannot write the output: ${stdoutFailure.message}`, 1);
    return !stdoutClosed;
  };
  /** Prints the count and the looping notice at the end of a run; resolves to the exit code. */
  const finish = (): number => {
    if (output !== undefined) { closeSync(output); output = undefined; }
    if (stdoutClosed) return 0;
    process.stdout.off('error', onStdoutError);
    if (command.countOnly) process.stdout.write(`${matches}\n`);
    if (looping > 0) process.stderr.write(`pktfilter filter: ${looping} packet(s) rejected because the program looped without end (protochain on a cyclic header chain)\n`);
    return 0;
  };
  /** Writes one fragment's result; returns false once the -c limit is reached. */
  const emit = (result: FilterFragmentResult): boolean => {
    const taken = Math.min(result.matches, remaining);
    remaining -= taken;
    matches += taken;
    looping += result.looping;
    if (mode === 'pcap-records' && result.records !== undefined && taken > 0) {
      writeSync(output!, result.records, 0, result.recordEnds![taken - 1]!);
    } else if (result.lines !== undefined && taken > 0) {
      process.stdout.write((taken < result.lines.length ? result.lines.slice(0, taken) : result.lines).join(''));
    }
    if (result.failure !== undefined) throw new CliError(result.failure, 1);
    if (result.damage !== undefined && remaining > 0) {
      throw new CliError(new CaptureFormatError(result.damage.offset, result.damage.problem, command.capture).message, 1);
    }
    return remaining > 0;
  };
  /** Opens -w's file and writes the input's own pcap file header (the first fragment starts with it). */
  const startOutput = (fragment: FilterCaptureFragment): void => {
    if (mode !== 'pcap-records' || headerWritten) return;
    headerWritten = true;
    // No output file for input that is not pcap at all: the first fragment's damage is reported instead.
    const magic = fragment.bytes.length >= 4 ? ((fragment.bytes[0]! << 24) | (fragment.bytes[1]! << 16) | (fragment.bytes[2]! << 8) | fragment.bytes[3]!) >>> 0 : 0;
    if (magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d && magic !== 0xd4c3b2a1 && magic !== 0x4d3cb2a1) return;
    output = openSync(command.output!, 'w');
    if (fragment.bytes.length >= 24) writeSync(output, fragment.bytes, 0, 24);
  };
  // Counting or writing (-w) with the default engine: the WebAssembly walker (filter/wasm-walk.ts) walks a pcap
  // file up to its end or its damage in this thread, with -j N reading N chunks at once (this thread and libuv's
  // pool, the kernel's copy being what takes the time); the fragments below resume at the damage and report it.
  // (Worker threads measured slower here: a worker starts in 30-40 ms, and far later from the start-up snapshot,
  // while the whole 466 MB walk takes about 65 ms.)
  let resume: FilterFragmentOptions['start'];
  if ((mode === 'count' || mode === 'pcap-records') && command.engine === 'auto') {
    const { walkPcapInWasm } = await import('./filter/wasm-walk.js');
    const { filterProgramCompiler } = await import('./filter/compile-program.js');
    const { FilterRefusal } = await import('./filter/run-fragment.js');
    const compile = filterProgramCompiler(settings);
    /** The program for the file's link type (undefined where refused: the fragments report it); -w's file is opened then. */
    const programFor = (linkType: number, header: Uint8Array): RawInstruction[] | undefined => {
      let program: RawInstruction[];
      try {
        program = compile(linkType);
      } catch (error) {
        if (error instanceof FilterRefusal) return undefined;
        throw error;
      }
      if (mode === 'pcap-records') {
        // The walker has checked the input's header: the output starts with it.
        output = openSync(command.output!, 'w');
        writeSync(output, header);
      }
      return program;
    };
    const write = mode === 'pcap-records'
      ? (bytes: Uint8Array, start: number, length: number): void => { writeSync(output!, bytes, start, length); }
      : undefined;
    const options = {
      chunkSize: command.fragmentSize ?? FILTER_IN_THREAD_FRAGMENT_SIZE, limit: remaining, readers: command.jobs,
      ...(command.fragmentSize !== undefined ? { readAheadChunkSize: command.fragmentSize } : {}), ...(write !== undefined ? { write } : {}),
    };
    const walked = await walkPcapInWasm(command.capture, programFor, options);
    if (walked !== undefined) {
      headerWritten = mode === 'pcap-records';
      if (!emit({ matches: walked.matches, looping: 0 }) || walked.stop === undefined) return finish();
      resume = { offset: walked.stop.offset, frame: walked.stop.frame, header: walked.header };
    } else if (output !== undefined) {
      // The walker declined after the program was compiled (its module refused): the fragments write the file afresh.
      closeSync(output);
      output = undefined;
    }
  }
  // A file of less than two fragments gains nothing from workers (their start-up costs more): filter it here.
  const fragmentSize = Math.max(command.fragmentSize ?? FILTER_FRAGMENT_SIZE, FILTER_MINIMUM_FRAGMENT_SIZE);
  const fileSize = statSync(command.capture).size;
  // Counting a pcap file with workers: each counts a part of the file, from a record it finds on its own;
  // but only a file whose walk takes well over a worker's start-up, on a machine with a core to spare
  // (unless --fragment-size asks for parts): -j 1 already keeps a second core busy with V8's optimizing
  // compiler (1.26 CPUs used on the benchmark), and on 2 cores -j 2 measured slower than -j 1.
  const pcapCount = resume === undefined && command.jobs > 1 && fileSize >= 2 * fragmentSize && mode === 'count' && !command.workerReads ? readPcapFileHeader(command.capture) : undefined;
  const worthWorkers = fileSize >= FILTER_PARALLEL_COUNT_MINIMUM && availableParallelism() > command.jobs;
  const countHeader = pcapCount !== undefined && (command.fragmentSize !== undefined || worthWorkers) ? pcapCount : undefined;
  const inThread = resume !== undefined || command.jobs === 1 || fileSize < 2 * fragmentSize || (pcapCount !== undefined && countHeader === undefined);
  let takeBuffer: ((capacity: number) => Uint8Array | undefined) | undefined;
  const fragments = readFilterCaptureFragments(command.capture, {
    chunkSize: command.fragmentSize ?? (inThread ? FILTER_IN_THREAD_FRAGMENT_SIZE : FILTER_FRAGMENT_SIZE), reuseBuffer: inThread, allocate: (capacity) => takeBuffer?.(capacity),
    ...(resume !== undefined ? { start: resume } : {}) });
  try {
    if (countHeader !== undefined) {
      await countInParts(command, settings, countHeader, emit);
    } else if (inThread) {
      const { FilterFragmentRunner } = await import('./filter/run-fragment.js');
      const { filterProgramCompiler, filterDirectCompiler } = await import('./filter/compile-program.js');
      const runner = new FilterFragmentRunner(settings, filterProgramCompiler(settings), settings.engine === 'direct' ? filterDirectCompiler(settings) : undefined);
      const describe = mode === 'print' || mode === 'json' ? (await import('./filter/describe.js')).createFilterDescriber(mode === 'json') : undefined;
      for (const fragment of fragments) {
        if (fragment.firstFrame === 0 && fragment.base === 0) startOutput(fragment);
        if (!emit(runner.run(fragment, describe)) || !(await stdoutWritable())) break;
      }
    } else {
      const { FilterWorkerPool, FILTER_WORKER_BUNDLE } = await import('./filter/pool.js');
      const { planPcapWindows, runPcapWindows } = await import('./filter/parallel-pcap.js');
      const workerUrl = new URL(`./${FILTER_WORKER_BUNDLE}`, import.meta.url);
      // With --worker-reads the workers read pcap windows themselves; by default this thread reads (faster on 2 busy cores).
      const plan = command.workerReads ? planPcapWindows(command.capture, fragmentSize) : undefined;
      // The workers start loading their bundle now, while this thread loads the compiler and compiles.
      const pool = new FilterWorkerPool(command.jobs, workerUrl);
      const inFlight: Promise<FilterFragmentResult>[] = [];
      try {
        const { filterProgramCompiler, compileFilterProgramsFor } = await import('./filter/compile-program.js');
        const compile = filterProgramCompiler(settings);
        const known = new Set<number>();
        if (plan !== undefined) {
          const header: FilterCaptureFragment = { bytes: plan.header, base: 0, firstFrame: 0, records: 0, last: false, restated: false };
          const { programs, refusals } = compileFilterProgramsFor(compile, [pcapHeaderLinkType(plan.header)], known);
          pool.configure({ ...settings, programs, refusals });
          startOutput(header);
          await runPcapWindows(pool, command.capture, plan, command.jobs, async (result) => emit(result) && await stdoutWritable());
          return finish();
        }
        takeBuffer = (capacity) => pool.takeBuffer(capacity);
        let going = true;
        let configured = false;
        for (const fragment of fragments) {
          // Programs for the link types of the interfaces met so far go to the workers before the records that use them.
          const { programs, refusals, added } = compileFilterProgramsFor(compile, fragment.linkTypes ?? [], known);
          if (!configured) {
            configured = true;
            pool.configure({ ...settings, programs, refusals });
          } else if (added) pool.addPrograms(programs, refusals);
          if (fragment.firstFrame === 0 && fragment.base === 0) startOutput(fragment);
          inFlight.push(pool.submit(fragment));
          // Two fragments per worker in flight: the workers stay busy and memory stays bounded.
          while (going && inFlight.length >= 2 * command.jobs) going = emit(await inFlight.shift()!) && await stdoutWritable();
          if (!going) break;
        }
        while (going && inFlight.length > 0) going = emit(await inFlight.shift()!) && await stdoutWritable();
      } finally {
        await Promise.allSettled(inFlight);
        await pool.close();
      }
    }
  } finally {
    fragments.return(undefined);
    if (output !== undefined) { closeSync(output); output = undefined; }
  }
  return finish();
}

/** The 24-byte header of a pcap file (by its magic number; the capture parser checks the rest), else undefined. */
function readPcapFileHeader(path: string): Uint8Array | undefined {
  const descriptor = openSync(path, 'r');
  try {
    const header = new Uint8Array(24);
    if (readSync(descriptor, header, 0, 24, 0) < 24) return undefined;
    const magic = ((header[0]! << 24) | (header[1]! << 16) | (header[2]! << 8) | header[3]!) >>> 0;
    return magic === 0xa1b2c3d4 || magic === 0xa1b23c4d || magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1 ? header : undefined;
  } finally {
    closeSync(descriptor);
  }
}

/** Parts per job when counting a pcap file in parts (more parts balance the threads on a busy machine). */
const COUNT_PARTS_PER_JOB = 8;

/**
 * `filter --count -j N` on a pcap file: the file is cut into 8N parts of equal size. This thread compiles
 * the program and sends it to N - 1 workers; the workers claim parts from the last one down, and each finds
 * the first record of its part by itself (pcap-resync.ts) and counts up to the next part's first record.
 * This thread walks and counts from the start, claiming parts upwards, until it meets a part a worker
 * claimed: that worker's count is taken only when the walk before it ended exactly at the record the worker
 * started with and the worker met no damage; otherwise this thread walks that part itself. So the count,
 * the damage reported and its frame number are always those of a walk from the start, and a busy core slows
 * the run down to about what -j 1 takes, no more.
 */
async function countInParts(command: FilterCommand, settings: FilterRunSettings, header: Uint8Array, emit: (result: FilterFragmentResult) => boolean): Promise<void> {
  const { FilterWorkerPool, FILTER_WORKER_BUNDLE } = await import('./filter/pool.js');
  const { FILTER_PART_FREE, FILTER_PART_MAIN } = await import('./filter/worker.js');
  const pool = new FilterWorkerPool(command.jobs - 1, new URL(`./${FILTER_WORKER_BUNDLE}`, import.meta.url));
  const results = new Map<number, FilterPartResult>();
  let failed = false;
  let wake: (() => void) | undefined;
  pool.onPartResult = (index, part) => { results.set(index, part); wake?.(); };
  pool.onFailure = () => { failed = true; wake?.(); };
  try {
    const { FilterFragmentRunner } = await import('./filter/run-fragment.js');
    const { filterProgramCompiler, compileFilterProgramsFor } = await import('./filter/compile-program.js');
    const compile = filterProgramCompiler(settings);
    const { programs, refusals } = compileFilterProgramsFor(compile, [pcapHeaderLinkType(header)], new Set());
    pool.configure({ ...settings, programs, refusals });
    const fileSize = statSync(command.capture).size;
    const count = command.jobs * COUNT_PARTS_PER_JOB;
    const bounds = Array.from({ length: count + 1 }, (_, i) => (i === count ? fileSize : 24 + Math.floor((i * (fileSize - 24)) / count)));
    const claims = new Int32Array(new SharedArrayBuffer(4 * count));
    claims[0] = FILTER_PART_MAIN;
    pool.countParts(command.capture, header, bounds, claims.buffer as SharedArrayBuffer);
    const runner = new FilterFragmentRunner({ ...settings, programs, refusals }, compile);
    const chunkSize = command.fragmentSize ?? FILTER_IN_THREAD_FRAGMENT_SIZE;
    /** Walks and counts from `start` (the file's start when undefined) up to the first record at or after `stopAt`. */
    const walk = (start: FilterWalkStop | undefined, stopAt: number): { going: boolean; stop: FilterWalkStop | undefined } => {
      const fragments = readFilterCaptureFragments(command.capture, {
        chunkSize, reuseBuffer: true, stopAt,
        ...(start !== undefined ? { start: { offset: start.offset, frame: start.frame, header } } : {}),
      });
      try {
        for (let step = fragments.next(); ; step = fragments.next()) {
          if (step.done === true) return { going: true, stop: step.value };
          if (!emit(runner.run(step.value))) return { going: false, stop: undefined };
        }
      } finally {
        fragments.return(undefined);
      }
    };
    /** A worker's result for part `index` (undefined when the workers failed). */
    const resultOf = async (index: number): Promise<FilterPartResult | undefined> => {
      while (!results.has(index) && !failed) await new Promise<void>((resolve) => { wake = resolve; });
      wake = undefined;
      return results.get(index);
    };
    let { going, stop } = walk(undefined, bounds[1]!);
    for (let index = 1; index < count && going && stop !== undefined; index++) {
      if (Atomics.compareExchange(claims, index, FILTER_PART_FREE, FILTER_PART_MAIN) === FILTER_PART_FREE) {
        ({ going, stop } = walk(stop, bounds[index + 1]!));
        continue;
      }
      const part = await resultOf(index);
      if (part === undefined || !part.clean || part.guess !== stop.offset) {
        // A wrong guess, damage or a failed worker: this thread walks the part itself.
        ({ going, stop } = walk(stop, bounds[index + 1]!));
        continue;
      }
      going = emit({ matches: part.matches, looping: part.looping });
      stop = part.next < 0 ? undefined : { offset: part.next, frame: stop.frame + part.records };
    }
  } finally {
    await pool.close();
  }
}

/** The link type in a pcap file header (its low 16 bits; the FCS length may sit above them). */
function pcapHeaderLinkType(header: Uint8Array): number {
  const littleEndian = header[0] === 0xd4 || header[0] === 0x4d;
  return littleEndian ? header[20]! | (header[21]! << 8) : (header[22]! << 8) | header[23]!;
}
