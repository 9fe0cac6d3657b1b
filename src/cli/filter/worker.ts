/**
 * The worker side of `pktfilter filter -j N`: a worker thread receives the run settings once (with the
 * programs the main thread compiled), then fragments (their buffers transferred) and posts back each
 * fragment's result in the order received; or windows of a pcap file to read itself (--worker-reads); or,
 * for `--count`, parts of a pcap file to claim, find the first record of, and count (countPcapPart).
 */
import { closeSync, fstatSync, openSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { RawInstruction } from '../../bpf/opcodes.js';
import type { CaptureRecordCursor } from '../../capture/index.js';
import { readPcapWindow, walkPcapWindow } from './pcap-window.js';
import { guessPcapRecordStart, largestPlausiblePcapRecord } from './pcap-resync.js';
import { FILTER_IN_THREAD_FRAGMENT_SIZE, readFilterCaptureFragments, type FilterWalkStop } from './fragments.js';
import { FilterFragmentRunner, type FilterFragmentResult, type FilterRunSettings } from './run-fragment.js';

/** A message from the main thread to a filter worker. */
export type FilterWorkerRequest =
  | { kind: 'settings'; settings: FilterRunSettings }
  /** Programs (and refusals) for link types met after the settings were sent. */
  | { kind: 'programs'; programs: Record<number, RawInstruction[]>; refusals: Record<number, string> }
  | { kind: 'fragment'; id: number; buffer: ArrayBuffer; length: number; base: number; firstFrame: number; records: number; last: boolean; restated: boolean }
  /** Parallel pcap reading: the file to read windows of, and its file header. */
  | { kind: 'pcap-file'; path: string; header: Uint8Array }
  /** Read window [start, end) now; its first record comes in a `window-first` message. */
  | { kind: 'window'; id: number; start: number; end: number }
  | { kind: 'window-first'; id: number; first: number; frame: number }
  /**
   * Count the matches of parts of a pcap file: part i runs from the first record this worker guesses at or
   * after `bounds[i]` (pcap-resync.ts) up to the first record at or after `bounds[i + 1]` (the last bound is
   * the file's size). The worker claims parts from the last one down, each by turning its word in `claims`
   * from FILTER_PART_FREE to FILTER_PART_WORKER, and stops at the first part already claimed (the main
   * thread claims upwards from part 1; part 0 is always its own).
   */
  | { kind: 'parts'; path: string; header: Uint8Array; bounds: number[]; claims: SharedArrayBuffer };

/** A part no thread has claimed yet. */
export const FILTER_PART_FREE = 0;
/** A part a worker counts. */
export const FILTER_PART_WORKER = 1;
/** A part the main thread walks itself. */
export const FILTER_PART_MAIN = 2;

/** What a worker found in a part of a pcap file (`clean`: no damage and no refusal met; otherwise only `clean` counts). */
export interface FilterPartResult {
  /** The record the worker started with (-1: it found no plausible record start). */
  guess: number;
  /** The first record at or after `stopAt` (-1: the records ran to the end of the file). */
  next: number;
  records: number;
  matches: number;
  looping: number;
  clean: boolean;
}

/** A message from a filter worker: a fragment's result, or a crash the main thread reports. */
export type FilterWorkerReply =
  | { kind: 'result'; id: number; result: FilterFragmentResult; buffer?: ArrayBuffer }
  | { kind: 'crash'; id: number; message: string }
  | { kind: 'part-result'; index: number; part: FilterPartResult }
  /** Where the window after window `id` starts (sent before window `id` is filtered). */
  | { kind: 'boundary'; id: number; nextStart: number; nextFrame: number; ended: boolean };

/** Serves fragments on this worker thread's parent port until the main thread terminates it. */
export async function serveFilterWorker(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('the filter worker role runs only in a worker thread');
  let runner: FilterFragmentRunner | undefined;
  let describe: ((record: CaptureRecordCursor, frame: number) => string) | undefined;
  port.on('message', (message: FilterWorkerRequest) => {
    if (message.kind === 'settings') {
      runner = new FilterFragmentRunner(message.settings);
      if (message.settings.mode === 'print' || message.settings.mode === 'json') {
        // The decoder is loaded only by printing runs (await before the first fragment: messages queue meanwhile).
        const json = message.settings.mode === 'json';
        describePromise = import('./describe.js').then((module) => { describe = module.createFilterDescriber(json); });
      }
      return;
    }
    if (message.kind === 'programs') {
      runner!.addPrograms(message.programs, message.refusals);
      return;
    }
    if (message.kind === 'parts') {
      const parts = message;
      chain = chain.then(() => {
        const claims = new Int32Array(parts.claims);
        for (let index = parts.bounds.length - 2; index >= 1; index--) {
          if (Atomics.compareExchange(claims, index, FILTER_PART_FREE, FILTER_PART_WORKER) !== FILTER_PART_FREE) break;
          let result: FilterPartResult;
          try {
            result = countPcapPart(runner!, parts.path, parts.header, parts.bounds[index]!, parts.bounds[index + 1]!);
          } catch {
            // Whatever went wrong, the main thread walks this part itself and reports what it finds.
            result = { guess: -1, next: -1, records: 0, matches: 0, looping: 0, clean: false };
          }
          port.postMessage({ kind: 'part-result', index, part: result } satisfies FilterWorkerReply);
        }
      });
      return;
    }
    if (message.kind === 'pcap-file') {
      descriptor = openSync(message.path, 'r');
      header = message.header;
      return;
    }
    if (message.kind === 'window-first') {
      const waiting = firsts.get(message.id);
      if (waiting !== undefined) waiting(message);
      else earlyFirsts.set(message.id, message);
      return;
    }
    if (message.kind === 'window') {
      const window = message;
      chain = chain.then(async () => {
        try {
          if (describePromise !== undefined) await describePromise;
          const bytes = readPcapWindow(descriptor!, window.start, window.end, spareWindow);
          const first = earlyFirsts.get(window.id) ?? await new Promise<{ first: number; frame: number }>((resolve) => firsts.set(window.id, resolve));
          earlyFirsts.delete(window.id);
          firsts.delete(window.id);
          const walk = walkPcapWindow(descriptor!, header!, bytes, window.end, first.first, first.frame);
          port.postMessage({ kind: 'boundary', id: window.id, nextStart: walk.nextStart, nextFrame: walk.nextFrame, ended: walk.ended } satisfies FilterWorkerReply);
          const result = runner!.run(walk.fragment, describe);
          // The results hold copies (lines, joined records): the window's buffer can take the next window.
          spareWindow = new Uint8Array(walk.fragment.bytes.buffer);
          port.postMessage({ kind: 'result', id: window.id, result } satisfies FilterWorkerReply, result.records !== undefined ? [result.records.buffer as ArrayBuffer] : []);
        } catch (error) {
          port.postMessage({ kind: 'crash', id: window.id, message: error instanceof Error ? error.message : String(error) } satisfies FilterWorkerReply);
        }
      });
      return;
    }
    const fragment = message;
    const work = async (): Promise<void> => {
      try {
        if (describePromise !== undefined) await describePromise;
        const result = runner!.run({
          bytes: new Uint8Array(fragment.buffer, 0, fragment.length), base: fragment.base, firstFrame: fragment.firstFrame,
          records: fragment.records, last: fragment.last, restated: fragment.restated,
        }, describe);
        // The fragment's buffer goes back too, for the main thread to read the next fragment into.
        const transfer = [fragment.buffer, ...(result.records !== undefined ? [result.records.buffer as ArrayBuffer] : [])];
        port.postMessage({ kind: 'result', id: fragment.id, result, buffer: fragment.buffer } satisfies FilterWorkerReply, transfer);
      } catch (error) {
        port.postMessage({ kind: 'crash', id: fragment.id, message: error instanceof Error ? error.message : String(error) } satisfies FilterWorkerReply);
      }
    };
    chain = chain.then(work);
  });
  let describePromise: Promise<void> | undefined;
  let descriptor: number | undefined;
  let spareWindow: Uint8Array | undefined;
  let header: Uint8Array | undefined;
  const firsts = new Map<number, (first: { first: number; frame: number }) => void>();
  const earlyFirsts = new Map<number, { first: number; frame: number }>();
  let chain: Promise<void> = Promise.resolve();
  await new Promise<void>((resolve) => port.once('close', () => resolve()));
}

/**
 * Counts the matches in the part [from, end) of a pcap file: from the record guessed at or after `from` to
 * the first record at or after `end` (`clean` only when no damage was met and the walk reached that record
 * or the end of the file).
 */
export function countPcapPart(runner: FilterFragmentRunner, path: string, header: Uint8Array, from: number, end: number): FilterPartResult {
  const descriptor = openSync(path, 'r');
  let guess: number | undefined;
  let fileSize: number;
  try {
    fileSize = fstatSync(descriptor).size;
    guess = guessPcapRecordStart(descriptor, header, from, fileSize);
  } finally {
    closeSync(descriptor);
  }
  if (guess === undefined) return { guess: -1, next: -1, records: 0, matches: 0, looping: 0, clean: false };
  // Frame numbers count from the part's first record: only a clean result (no damage message to number) is used.
  const fragments = readFilterCaptureFragments(path, {
    chunkSize: FILTER_IN_THREAD_FRAGMENT_SIZE, reuseBuffer: true, start: { offset: guess, frame: 0, header }, stopAt: end,
    largestRecord: largestPlausiblePcapRecord(header),
  });
  let records = 0;
  let matches = 0;
  let looping = 0;
  /** File offset where the bytes of the last fragment end. */
  let reached = guess;
  try {
    for (let step = fragments.next(); ; step = fragments.next()) {
      if (step.done === true) {
        const stop: FilterWalkStop | undefined = step.value;
        // Without a stop the walk must have reached the end of the file (not a record it would not size).
        return { guess, next: stop?.offset ?? -1, records, matches, looping, clean: stop !== undefined || reached === fileSize };
      }
      reached = step.value.base + step.value.bytes.length;
      const result = runner.run(step.value);
      if (result.damage !== undefined || result.failure !== undefined) return { guess, next: -1, records, matches, looping, clean: false };
      records += step.value.records;
      matches += result.matches;
      looping += result.looping;
    }
  } finally {
    fragments.return(undefined);
  }
}
