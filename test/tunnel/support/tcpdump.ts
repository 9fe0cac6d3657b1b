/** Runs real `tcpdump -r FILE -w - FILTER` and maps the frames it writes back to their 0-based index in the input. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readCaptureSync } from '../../../src/capture/index.js';

/** The 0-based indices of the frames of `file` that tcpdump's filter selects (frames are told apart by timestamp, which must be unique). */
export function tcpdumpSelect(file: string, filter: string): number[] {
  const { records } = readCaptureSync(readFileSync(file));
  const byTime = new Map<bigint, number>();
  records.forEach((r, i) => {
    if (byTime.has(r.timestampNs)) throw new Error(`${file}: timestamps are not unique (frame ${i + 1})`);
    byTime.set(r.timestampNs, i);
  });
  const result = spawnSync('tcpdump', ['-r', file, '-nn', '-w', '-', filter], { maxBuffer: 1 << 28 });
  if (result.status !== 0) throw new Error(`tcpdump failed on '${filter}': ${result.stderr.toString()}`);
  const out = readCaptureSync(new Uint8Array(result.stdout));
  return out.records.map((r) => {
    const index = byTime.get(r.timestampNs);
    if (index === undefined) throw new Error(`tcpdump wrote a frame with an unknown timestamp ${r.timestampNs}`);
    return index;
  });
}
