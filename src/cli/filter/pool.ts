/**
 * The worker threads of `pktfilter filter -j N`. Each worker runs the worker-only bundle
 * (dist/filter-worker.js, built from worker-entry.ts: the fragment runner and the BPF engines, without the
 * filter parser and the compiler: a third of the CLI bundle), which it loads while the main thread compiles
 * the programs it then sends. Fragments go to the workers in turn and results come back in order.
 */
import { Worker } from 'node:worker_threads';
import type { RawInstruction } from '../../bpf/opcodes.js';
import type { FilterCaptureFragment } from './fragments.js';
import type { FilterFragmentResult, FilterRunSettings } from './run-fragment.js';
import type { FilterPartResult, FilterWorkerReply, FilterWorkerRequest } from './worker.js';

/** The worker bundle's file name, beside the CLI bundle in dist/. */
export const FILTER_WORKER_BUNDLE = 'filter-worker.js';

interface Waiting { resolve: (result: FilterFragmentResult) => void; reject: (error: Error) => void }

/** N filter workers fed round-robin; `submit` resolves to a fragment's result. */
export class FilterWorkerPool {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 0;
  /** Fragment buffers the workers gave back, for reuse. */
  private readonly spare: ArrayBuffer[] = [];

  /** Starts `count` workers running the worker bundle at `workerUrl` (they load it while the caller prepares the settings). */
  constructor(count: number, workerUrl: URL) {
    for (let i = 0; i < count; i++) {
      // A worker inherits node's options, but --input-type (a CLI run through `node -e`) is refused for a file.
      const worker = new Worker(workerUrl, { execArgv: process.execArgv.filter((option) => !option.startsWith('--input-type')) });
      worker.on('message', (reply: FilterWorkerReply) => {
        if (reply.kind === 'boundary') { this.onBoundary?.(reply.id, reply.nextStart, reply.nextFrame, reply.ended); return; }
        if (reply.kind === 'part-result') { this.onPartResult?.(reply.index, reply.part); return; }
        const waiting = this.waiting.get(reply.id);
        if (waiting === undefined) return;
        this.waiting.delete(reply.id);
        if (reply.kind === 'result') {
          if (reply.buffer !== undefined && this.spare.length < 2 * count + 2) this.spare.push(reply.buffer);
          waiting.resolve(reply.result);
        } else {
          waiting.reject(new Error(`filter worker failed: ${reply.message}`));
        }
      });
      const fail = (error: Error): void => {
        this.onFailure?.(error);
        for (const [id, waiting] of this.waiting) {
          this.waiting.delete(id);
          waiting.reject(new Error(`filter worker failed: ${error.message}`));
        }
      };
      worker.on('error', fail);
      worker.on('exit', (code) => { if (this.waiting.size > 0 || this.onFailure !== undefined) fail(new Error(`worker exited with code ${code}`)); });
      this.workers.push(worker);
    }
  }

  /** Gives every worker the run settings; call once, before the first `submit`. */
  configure(settings: FilterRunSettings): void {
    for (const worker of this.workers) worker.postMessage({ kind: 'settings', settings } satisfies FilterWorkerRequest);
  }

  /** Gives every worker programs (and refusals) for link types met since `configure`. */
  addPrograms(programs: Record<number, RawInstruction[]>, refusals: Record<number, string>): void {
    for (const worker of this.workers) worker.postMessage({ kind: 'programs', programs, refusals } satisfies FilterWorkerRequest);
  }

  /** Sends a fragment (its buffer is transferred, so the caller must not touch it afterwards) to the next worker. */
  submit(fragment: FilterCaptureFragment): Promise<FilterFragmentResult> {
    const id = this.nextId++;
    const worker = this.workers[id % this.workers.length]!;
    let bytes = fragment.bytes;
    // Only a buffer that starts at the fragment can be transferred as it is.
    if (bytes.byteOffset !== 0) bytes = bytes.slice();
    const promise = new Promise<FilterFragmentResult>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    const message: FilterWorkerRequest = {
      kind: 'fragment', id, buffer: bytes.buffer as ArrayBuffer, length: bytes.length, base: fragment.base, firstFrame: fragment.firstFrame,
      records: fragment.records, last: fragment.last, restated: fragment.restated,
    };
    worker.postMessage(message, [bytes.buffer as ArrayBuffer]);
    return promise;
  }

  /**
   * Has every worker count parts of a pcap file, claiming them from the last one down through `claims`
   * (see the `parts` request); each result arrives through `onPartResult`. The workers must have been
   * configured with the program for the file's link type.
   */
  countParts(path: string, header: Uint8Array, bounds: number[], claims: SharedArrayBuffer): void {
    for (const worker of this.workers) worker.postMessage({ kind: 'parts', path, header, bounds, claims } satisfies FilterWorkerRequest);
  }

  /** Called with each part a worker counted (parallel counting). */
  onPartResult: ((index: number, part: FilterPartResult) => void) | undefined;

  /** Called when a worker fails or exits before it is closed (set only by callers that track work outside `submit`). */
  onFailure: ((error: Error) => void) | undefined;

  /** Called when a worker knows where the window after window `id` starts (parallel pcap reading). */
  onBoundary: ((id: number, nextStart: number, nextFrame: number, ended: boolean) => void) | undefined;

  /** Tells every worker the pcap file whose windows it will read, and the file header to restate. */
  openPcapFile(path: string, header: Uint8Array): void {
    for (const worker of this.workers) worker.postMessage({ kind: 'pcap-file', path, header } satisfies FilterWorkerRequest);
  }

  /** Has the next worker in turn read window `id` ([start, end) of the file); resolves to its result once its first record is given. */
  submitWindow(id: number, start: number, end: number): Promise<FilterFragmentResult> {
    const promise = new Promise<FilterFragmentResult>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    this.workers[id % this.workers.length]!.postMessage({ kind: 'window', id, start, end } satisfies FilterWorkerRequest);
    return promise;
  }

  /** Gives window `id` the file offset and frame number of its first record. */
  startWindow(id: number, first: number, frame: number): void {
    this.workers[id % this.workers.length]!.postMessage({ kind: 'window-first', id, first, frame } satisfies FilterWorkerRequest);
  }

  /** A buffer of at least `capacity` bytes that a worker gave back, if there is one. */
  takeBuffer(capacity: number): Uint8Array | undefined {
    const index = this.spare.findIndex((buffer) => buffer.byteLength >= capacity);
    if (index < 0) return undefined;
    const [buffer] = this.spare.splice(index, 1);
    return new Uint8Array(buffer!);
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    this.onFailure = undefined;
    this.onPartResult = undefined;
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}
