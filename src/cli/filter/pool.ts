/**
 * The worker threads of `pktfilter filter -j N`. Each worker loads the same bundle as the CLI (an inline
 * role switch: the worker calls the bundle's `main` with the hidden `filter --worker-thread` arguments), so
 * no separate entry point is built. Fragments go to the workers in turn and results come back in order.
 */
import { Worker } from 'node:worker_threads';
import type { FilterCaptureFragment } from './fragments.js';
import type { FilterFragmentResult, FilterRunSettings } from './run-fragment.js';
import type { FilterWorkerReply, FilterWorkerRequest } from './worker.js';

/** The hidden argument that makes `pktfilter filter` serve as a worker thread. */
export const FILTER_WORKER_ARGUMENT = '--worker-thread';

interface Waiting { resolve: (result: FilterFragmentResult) => void; reject: (error: Error) => void }

/** N filter workers fed round-robin; `submit` resolves to a fragment's result. */
export class FilterWorkerPool {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 0;
  /** Fragment buffers the workers gave back, for reuse. */
  private readonly spare: ArrayBuffer[] = [];

  /** Starts `count` workers running the bundle at `bundleUrl` (they load it while the caller prepares the settings). */
  constructor(count: number, bundleUrl: string) {
    const source = `import(${JSON.stringify(bundleUrl)}).then((m) => m.main(['filter', ${JSON.stringify(FILTER_WORKER_ARGUMENT)}]));`;
    for (let i = 0; i < count; i++) {
      const worker = new Worker(source, { eval: true });
      worker.on('message', (reply: FilterWorkerReply) => {
        if (reply.kind === 'boundary') { this.onBoundary?.(reply.id, reply.nextStart, reply.nextFrame, reply.ended); return; }
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
        for (const [id, waiting] of this.waiting) {
          this.waiting.delete(id);
          waiting.reject(new Error(`filter worker failed: ${error.message}`));
        }
      };
      worker.on('error', fail);
      worker.on('exit', (code) => { if (this.waiting.size > 0) fail(new Error(`worker exited with code ${code}`)); });
      this.workers.push(worker);
    }
  }

  /** Gives every worker the run settings; call once, before the first `submit`. */
  configure(settings: FilterRunSettings): void {
    for (const worker of this.workers) worker.postMessage({ kind: 'settings', settings } satisfies FilterWorkerRequest);
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
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}
