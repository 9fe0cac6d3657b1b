/** Runs the real tools on capture files: tshark, tcpdump, and libpcap through bench/c/capture-walk.c. */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const helperSource = join(root, 'bench/c/capture-walk.c');
/** The binary is named after a hash of its source, so an edited source is rebuilt rather than reused stale. */
const helperBinary = join(root, '.cache/capture', `capture-walk-${createHash('sha256').update(readFileSync(helperSource)).digest('hex').slice(0, 12)}`);

let helperBuilt: boolean | undefined;

/** Builds the libpcap walker once (atomically, for parallel test files); false without gcc or libpcap. */
export function captureWalkAvailable(): boolean {
  if (helperBuilt !== undefined) return helperBuilt;
  try {
    if (!existsSync(helperBinary)) {
      mkdirSync(dirname(helperBinary), { recursive: true });
      const temporary = `${helperBinary}.${process.pid}`;
      execFileSync('gcc', ['-O2', '-o', temporary, helperSource, '-lpcap'], { stdio: 'pipe' });
      renameSync(temporary, helperBinary);
    }
    helperBuilt = true;
  } catch {
    helperBuilt = false;
  }
  return helperBuilt;
}

/** What libpcap's pcap_next_ex reports for a file: link-type name, snaplen and records (or its error). */
export function libpcapDump(file: string): { linkTypeName: string; snaplen: number; records: { time: string; capturedLength: number; wireLength: number }[] } | { error: string } {
  const result = spawnSync(helperBinary, ['dump', file], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (result.status !== 0) return { error: result.stderr.trim() };
  const [head, ...lines] = result.stdout.trimEnd().split('\n');
  const [, linkTypeName, , snaplen] = head!.split(' ');
  return {
    linkTypeName: linkTypeName!, snaplen: Number(snaplen),
    records: lines.filter((l) => l !== '').map((line) => {
      const [time, capturedLength, wireLength] = line.split(' ');
      return { time: time!, capturedLength: Number(capturedLength), wireLength: Number(wireLength) };
    }),
  };
}

/** `tshark -r file -T fields -e ...`: one array of field values per frame. */
export function tsharkFields(file: string, fields: readonly string[]): string[][] {
  const output = execFileSync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=/t', ...fields.flatMap((f) => ['-e', f])], {
    encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'],
  });
  return output.split('\n').filter((line) => line !== '').map((line) => line.split('\t'));
}

/** `tcpdump -r file -nn -tt --time-stamp-precision=nano -q`: the header line and each frame's timestamp. */
export function tcpdumpTimes(file: string): { header: string; times: string[] } {
  const result = spawnSync('tcpdump', ['-r', file, '-nn', '-tt', '--time-stamp-precision=nano', '-q'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (result.status !== 0) throw new Error(`tcpdump failed: ${result.stderr}`);
  const header = result.stderr.split('\n').find((line) => line.startsWith('reading from file')) ?? '';
  // Frame lines start with the timestamp, or say "[Invalid header: caplen==0...]" for an empty record
  // (returned as 'invalid'); hex dumps and continuation lines start with whitespace.
  const times = result.stdout.split('\n').filter((line) => /^(\d|\[Invalid header)/.test(line))
    .map((line) => (line.startsWith('[') ? 'invalid' : line.split(' ')[0]!));
  return { header, times };
}

/** Formats nanoseconds since the epoch as tshark's and tcpdump's `seconds.nanoseconds`. */
export function epochText(timestampNs: bigint): string {
  const negative = timestampNs < 0n;
  const magnitude = negative ? -timestampNs : timestampNs;
  return `${negative ? '-' : ''}${magnitude / 1_000_000_000n}.${(magnitude % 1_000_000_000n).toString().padStart(9, '0')}`;
}
