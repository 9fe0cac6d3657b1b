/**
 * `pktfilter filter -j N` on a classic pcap file: the workers read fixed windows of the file themselves
 * (see pcap-window.ts) and pass each window's first record along a chain; this thread only hands out
 * windows, relays the chain, and takes the results in window (so frame) order.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { walkCapture } from '../../capture/walk.js';
import type { FilterWorkerPool } from './pool.js';
import type { FilterFragmentResult } from './run-fragment.js';

/** A pcap file's header and size, when it is worth reading in parallel windows of `windowSize` bytes. */
export interface PcapWindowPlan { header: Uint8Array; size: number; windowSize: number; windows: number }

/**
 * Plans parallel reading: undefined unless the file is a pcap file (header checked by the capture parser)
 * with at least two windows of records. Throws CaptureFormatError for a damaged file header.
 */
export function planPcapWindows(path: string, windowSize: number): PcapWindowPlan | undefined {
  const descriptor = openSync(path, 'r');
  try {
    const header = new Uint8Array(24);
    if (readSync(descriptor, header, 0, 24, 0) < 24) return undefined;
    const magic = ((header[0]! << 24) | (header[1]! << 16) | (header[2]! << 8) | header[3]!) >>> 0;
    if (magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d && magic !== 0xd4c3b2a1 && magic !== 0x4d3cb2a1) return undefined;
    const size = fstatSync(descriptor).size;
    const windows = Math.ceil((size - 24) / windowSize);
    if (windows < 2) return undefined;
    walkCapture(header, () => undefined);
    return { header, size, windowSize, windows };
  } finally {
    closeSync(descriptor);
  }
}

/**
 * Runs the windows of `plan` on the pool and calls `emit` with each result in order until it returns false
 * or the window where the walk met damage or the end of the file was emitted.
 */
export async function runPcapWindows(pool: FilterWorkerPool, path: string, plan: PcapWindowPlan, jobs: number, emit: (result: FilterFragmentResult) => Promise<boolean>): Promise<void> {
  pool.openPcapFile(path, plan.header);
  const firsts = new Map<number, { first: number; frame: number }>([[0, { first: 24, frame: 0 }]]);
  const results: Promise<FilterFragmentResult>[] = [];
  let dispatched = 0;
  let lastWindow = plan.windows - 1;
  const start = (id: number): void => {
    const first = firsts.get(id);
    if (first === undefined || id >= dispatched) return;
    firsts.delete(id);
    pool.startWindow(id, first.first, first.frame);
  };
  pool.onBoundary = (id, nextStart, nextFrame, ended) => {
    if (ended) { lastWindow = Math.min(lastWindow, id); return; }
    if (id + 1 >= plan.windows) return;
    firsts.set(id + 1, { first: nextStart, frame: nextFrame });
    start(id + 1);
  };
  const dispatch = (id: number): void => {
    const windowStart = 24 + id * plan.windowSize;
    const result = pool.submitWindow(id, windowStart, Math.min(windowStart + plan.windowSize, plan.size));
    // A window after the last one that matters never starts: its promise fails when the pool closes.
    result.catch(() => undefined);
    results.push(result);
    dispatched++;
    start(id);
  };
  for (let emitted = 0; emitted <= lastWindow; emitted++) {
    // Two windows per worker ahead: every worker reads while the chain reaches it, and memory stays bounded.
    while (dispatched < plan.windows && dispatched <= lastWindow && dispatched < emitted + 2 * jobs) dispatch(dispatched);
    if (!(await emit(await results[emitted]!))) return;
  }
}
