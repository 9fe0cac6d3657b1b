/**
 * The worker side of `pktfilter filter -j N`: a worker thread receives the run settings once, then
 * fragments (their buffers transferred), and posts back each fragment's result in the order received.
 */
import { openSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { CaptureRecordCursor } from '../../capture/index.js';
import { readPcapWindow, walkPcapWindow } from './pcap-window.js';
import { FilterFragmentRunner, type FilterFragmentResult, type FilterRunSettings } from './run-fragment.js';

/** A message from the main thread to a filter worker. */
export type FilterWorkerRequest =
  | { kind: 'settings'; settings: FilterRunSettings }
  | { kind: 'fragment'; id: number; buffer: ArrayBuffer; length: number; base: number; firstFrame: number; records: number; last: boolean; restated: boolean }
  /** Parallel pcap reading: the file to read windows of, and its file header. */
  | { kind: 'pcap-file'; path: string; header: Uint8Array }
  /** Read window [start, end) now; its first record comes in a `window-first` message. */
  | { kind: 'window'; id: number; start: number; end: number }
  | { kind: 'window-first'; id: number; first: number; frame: number };

/** A message from a filter worker: a fragment's result, or a crash the main thread reports. */
export type FilterWorkerReply =
  | { kind: 'result'; id: number; result: FilterFragmentResult; buffer?: ArrayBuffer }
  | { kind: 'crash'; id: number; message: string }
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
