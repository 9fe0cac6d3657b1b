/**
 * Benchmark of the capture readers: records/s and GB/s of walkCapture over a 1M-frame pcap held in memory
 * and of readCapture streaming it from disk (iteration and callback walk), beside libpcap's pcap_next_ex
 * (bench/c/capture-walk.c, built here with gcc -O2 -lpcap) on the same file in the same run; also the
 * streaming writers. The capture is generated once under bench/results/ (gitignored) and reused.
 * Prints a table and writes bench/results/capture.json.
 *
 *   node scripts/run-ts.mjs bench/capture.ts [FRAMES]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg, tmpdir } from 'node:os';
import { CaptureRecordCursor } from '../src/capture/cursor.js';
import { readCapture } from '../src/capture/stream-reader.js';
import { walkCapture } from '../src/capture/walk.js';
import { PcapWriter } from '../src/capture/pcap-writer.js';
import { PcapngWriter } from '../src/capture/pcapng-writer.js';

const FRAMES = Number(process.argv[2] ?? 1_000_000);
const capture = `bench/results/capture-${FRAMES}.pcap`;
const helper = '.cache/capture/capture-walk-bench';
const started = Date.now();

// ---- The capture: a realistic size mix of 60..1514-byte frames (ACKs, DNS-sized, MTU-sized). ----
let seed = 2024;
const random = (n: number): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 8) % n; };
function frameLength(): number {
  const roll = random(100);
  if (roll < 45) return 60 + random(20); // bare TCP ACKs and small control frames
  if (roll < 65) return 80 + random(500); // DNS, small requests
  if (roll < 75) return 580 + random(900);
  return 1514; // full-size segments
}

async function generate(): Promise<void> {
  mkdirSync('bench/results', { recursive: true });
  const payload = new Uint8Array(1514);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) & 0xff;
  const writer = new PcapWriter(capture + '.partial', { linkType: 1, nanosecond: true });
  let time = 1_700_000_000_000_000_000n;
  for (let i = 0; i < FRAMES; i++) {
    time += BigInt(1000 + random(100_000));
    await writer.write({ data: payload.subarray(0, frameLength()), timestampNs: time });
  }
  await writer.close();
  execFileSync('mv', [capture + '.partial', capture]);
}

function buildHelper(): void {
  mkdirSync('.cache/capture', { recursive: true });
  execFileSync('gcc', ['-O2', '-o', helper, 'bench/c/capture-walk.c', '-lpcap']);
}

/** Best wall time in seconds of `passes` runs of `run`. */
async function best(passes: number, run: () => unknown): Promise<number> {
  let fastest = Infinity;
  for (let pass = 0; pass < passes; pass++) {
    const start = process.hrtime.bigint();
    await run();
    fastest = Math.min(fastest, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return fastest;
}

interface Row { name: string; records: number; bytes: number; seconds: number; recordsPerSecond: number; gigabytesPerSecond: number; libpcapSeconds: number; ratio: number }

async function main(): Promise<void> {
  if (!existsSync(capture)) {
    console.log(`generating ${capture} (${FRAMES} frames)...`);
    await generate();
  }
  buildHelper();
  const fileBytes = statSync(capture).size;
  const [cRecords, cBytes, cSeconds] = execFileSync(helper, ['walk', capture, '3'], { encoding: 'utf8' }).trim().split(' ').map(Number) as [number, number, number];
  const rows: Row[] = [];
  const add = (name: string, records: number, bytes: number, seconds: number): void => {
    if (records !== cRecords || bytes !== cBytes) throw new Error(`${name}: ${records} records / ${bytes} bytes, libpcap ${cRecords} / ${cBytes}`);
    rows.push({
      name, records, bytes, seconds, recordsPerSecond: records / seconds, gigabytesPerSecond: fileBytes / seconds / 1e9,
      libpcapSeconds: cSeconds, ratio: seconds / cSeconds,
    });
  };

  // Disk-to-memory read is not part of the walk (libpcap reads through stdio from the page cache).
  const bytes = readFileSync(capture);
  let records = 0;
  let total = 0;
  let checksum = 0;
  // The hot path: the reused cursor, data read in place (buffer[dataOffset]) as a filter would.
  const walkInPlace = (record: CaptureRecordCursor): void => { records++; total += record.capturedLength; checksum += record.buffer[record.dataOffset]!; };
  const walkSeconds = await best(5, () => { records = 0; total = 0; walkCapture(bytes, walkInPlace); });
  add('walkCapture (memory, data in place)', records, total, walkSeconds);
  const subarraySeconds = await best(3, () => { records = 0; total = 0; walkCapture(bytes, (r) => { records++; const data = r.data; total += data.length; checksum += data[0]!; }); });
  add('walkCapture (memory, record.data subarray)', records, total, subarraySeconds);
  let lastTime = 0n;
  const timeSeconds = await best(3, () => { records = 0; total = 0; walkCapture(bytes, (r) => { records++; total += r.capturedLength; lastTime = r.timestampNs; }); });
  add('walkCapture (memory, + bigint timestampNs)', records, total, timeSeconds);

  // The same frames as pcapng (Enhanced Packet Blocks, nanosecond if_tsresol), walked by both.
  const pcapngCapture = capture.replace(/\.pcap$/, '.pcapng');
  if (!existsSync(pcapngCapture)) {
    const writer = new PcapngWriter(pcapngCapture + '.partial', { interfaces: [{ linkType: 1, timestampResolution: { base: 10, exponent: 9 } }] });
    await readCapture(capture).walk((r) => writer.append(r), { beforeNextChunk: () => writer.drained() });
    await writer.close();
    execFileSync('mv', [pcapngCapture + '.partial', pcapngCapture]);
  }
  const [ngRecords, ngBytes, ngSeconds] = execFileSync(helper, ['walk', pcapngCapture, '3'], { encoding: 'utf8' }).trim().split(' ').map(Number) as [number, number, number];
  const pcapngBytes = readFileSync(pcapngCapture);
  const pcapngWalkSeconds = await best(5, () => { records = 0; total = 0; walkCapture(pcapngBytes, walkInPlace); });
  if (records !== ngRecords || total !== ngBytes) throw new Error(`pcapng walk: ${records} records / ${total} bytes, libpcap ${ngRecords} / ${ngBytes}`);
  rows.push({
    name: 'walkCapture pcapng (memory, data in place)', records, bytes: total, seconds: pcapngWalkSeconds, recordsPerSecond: records / pcapngWalkSeconds,
    gigabytesPerSecond: pcapngBytes.length / pcapngWalkSeconds / 1e9, libpcapSeconds: ngSeconds, ratio: pcapngWalkSeconds / ngSeconds,
  });

  const streamWalkSeconds = await best(3, async () => {
    records = 0; total = 0;
    await readCapture(capture).walk((r) => { records++; total += r.capturedLength; checksum += r.buffer[r.dataOffset]!; });
  });
  add('readCapture(path).walk (disk, 1 MiB chunks)', records, total, streamWalkSeconds);
  const iterateSeconds = await best(2, async () => {
    records = 0; total = 0;
    for await (const r of readCapture(capture)) { records++; total += r.capturedLength; checksum += r.data[0]!; }
  });
  add('for await readCapture(path) (disk, snapshots)', records, total, iterateSeconds);

  // Writers: the same records streamed to a temporary file.
  const directory = join(tmpdir(), `pktfilter-bench-${process.pid}`);
  mkdirSync(directory, { recursive: true });
  try {
    // Copying every record unchanged, as `filter -w` does: the fast walk appends, and the reader waits for
    // the output to drain between chunks (constant memory); timestamps are copied as raw words.
    const pcapSeconds = await best(2, async () => {
      records = 0; total = 0;
      const writer = new PcapWriter(join(directory, 'out.pcap'), { linkType: 1, nanosecond: true });
      await readCapture(capture).walk((r) => { records++; total += r.capturedLength; writer.append(r); }, { beforeNextChunk: () => writer.drained() });
      await writer.close();
    });
    add('readCapture.walk + PcapWriter.append (disk to disk)', records, total, pcapSeconds);
    const awaitSeconds = await best(1, async () => {
      records = 0; total = 0;
      const writer = new PcapWriter(join(directory, 'out.pcap'), { linkType: 1, nanosecond: true });
      for await (const r of readCapture(capture)) { records++; total += r.capturedLength; await writer.write(r); }
      await writer.close();
    });
    add('for await readCapture + await PcapWriter.write', records, total, awaitSeconds);
    const pcapngSeconds = await best(1, async () => {
      records = 0; total = 0;
      const writer = new PcapngWriter(join(directory, 'out.pcapng'), { interfaces: [{ linkType: 1, timestampResolution: { base: 10, exponent: 9 } }] });
      await readCapture(capture).walk((r) => { records++; total += r.capturedLength; writer.append(r); }, { beforeNextChunk: () => writer.drained() });
      await writer.close();
    });
    add('readCapture.walk + PcapngWriter.append (pcap to pcapng)', records, total, pcapngSeconds);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }

  console.log(`${cRecords} frames, ${(fileBytes / 1e6).toFixed(0)} MB pcap; libpcap pcap_next_ex: ${(cRecords / cSeconds / 1e6).toFixed(2)} M records/s, ${(fileBytes / cSeconds / 1e9).toFixed(2)} GB/s (best of 3)\n`);
  console.log(['reader'.padEnd(48), 'M rec/s', '  GB/s', 'libpcap s', '   ours s', 'ratio (ours/libpcap time)'].join(' '));
  for (const row of rows) {
    console.log([row.name.padEnd(48), (row.recordsPerSecond / 1e6).toFixed(2).padStart(7), row.gigabytesPerSecond.toFixed(2).padStart(6),
      row.libpcapSeconds.toFixed(3).padStart(9), row.seconds.toFixed(3).padStart(9), row.ratio.toFixed(2).padStart(6)].join(' '));
  }
  const load = loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(`\nratio < 1 means faster than libpcap. Load average ${load}. checksum ${checksum & 0xff}, last ${lastTime % 10n}. ${((Date.now() - started) / 1000).toFixed(1)} s`);
  writeFileSync('bench/results/capture.json', JSON.stringify({ frames: cRecords, fileBytes, libpcapSeconds: cSeconds, loadAverage: loadavg(), rows }, null, 2) + '\n');
}

await main();
