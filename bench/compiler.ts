/**
 * Compiler benchmark: median compile time per corpus expression (ours: compileFilter optimized; libpcap:
 * pcap_compile with optimize=1 from bench/c/compile-time.c, built here with gcc -O2 -lpcap), and the
 * program-size totals against libpcap's optimizer, on Ethernet and on every other link type.
 *
 *   node scripts/run-ts.mjs bench/compiler.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LinkType, linkTypeName } from '../src/capture/linktype.js';
import { CompileError, compileFilter } from '../src/compiler/index.js';

const REPS = 15;
const root = process.cwd();

function corpus(): string[] {
  const directory = join(root, 'corpus/filters/compiler');
  return readdirSync(directory).filter((f) => f.endsWith('.txt')).sort().flatMap((f) =>
    readFileSync(join(directory, f), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Per expression: our median compile time (ns) and program length, or undefined when refused. */
function ours(expressions: string[], linkType: number, reps: number): ({ ns: number; length: number } | undefined)[] {
  return expressions.map((expression) => {
    const times: number[] = [];
    let length = 0;
    for (let r = 0; r < reps; r++) {
      const start = process.hrtime.bigint();
      try {
        length = compileFilter(expression, { linkType }).length;
      } catch (error) {
        if (error instanceof CompileError) return undefined;
        throw error;
      }
      times.push(Number(process.hrtime.bigint() - start));
    }
    return { ns: median(times), length };
  });
}

/** The same from libpcap through the C program. */
function libpcap(binary: string, expressions: string[], linkType: number, reps: number): ({ ns: number; length: number } | undefined)[] {
  const dlt = linkType === LinkType.RAW ? 12 : linkType;
  const out = execFileSync(binary, [String(dlt), String(reps)], { input: expressions.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 26 });
  return out.trim().split('\n').map((line) => {
    if (line.startsWith('ERR')) return undefined;
    const [ns, length] = line.split(' ').map(Number);
    return { ns: ns!, length: length! };
  });
}

const expressions = corpus();
const work = mkdtempSync(join(tmpdir(), 'pktfilter-bench-compiler-'));
const binary = join(work, 'compile-time');
execFileSync('gcc', ['-O2', '-o', binary, join(root, 'bench/c/compile-time.c'), '-lpcap']);

interface Row { linkType: string; metric: string; ours: number; libpcap: number; ratio: number; unit: string }
const rows: Row[] = [];
try {
  for (const linkType of [LinkType.EN10MB, LinkType.RAW, LinkType.IPV4, LinkType.IPV6, LinkType.NULL, LinkType.LOOP, LinkType.LINUX_SLL, LinkType.LINUX_SLL2]) {
    const reps = linkType === LinkType.EN10MB ? REPS : 3;
    // Warm up the JIT on the whole corpus first.
    if (linkType === LinkType.EN10MB) ours(expressions, linkType, 2);
    const a = ours(expressions, linkType, reps);
    const b = libpcap(binary, expressions, linkType, reps);
    const both = expressions.map((_, i) => [a[i], b[i]] as const).filter((pair): pair is readonly [{ ns: number; length: number }, { ns: number; length: number }] => pair[0] !== undefined && pair[1] !== undefined);
    const name = linkTypeName(linkType);
    const ourSize = both.reduce((s, [x]) => s + x.length, 0);
    const theirSize = both.reduce((s, [, y]) => s + y.length, 0);
    const shorter = both.filter(([x, y]) => x.length < y.length).length;
    const longer = both.filter(([x, y]) => x.length > y.length).length;
    if (linkType === LinkType.EN10MB) {
      const ourMedian = median(both.map(([x]) => x.ns)) / 1000;
      const theirMedian = median(both.map(([, y]) => y.ns)) / 1000;
      rows.push({ linkType: name, metric: 'median compile time per expression', ours: ourMedian, libpcap: theirMedian, ratio: ourMedian / theirMedian, unit: 'us' });
      const ourTotal = both.reduce((s, [x]) => s + x.ns, 0) / 1e6;
      const theirTotal = both.reduce((s, [, y]) => s + y.ns, 0) / 1e6;
      rows.push({ linkType: name, metric: 'compile time, whole corpus (sum of medians)', ours: ourTotal, libpcap: theirTotal, ratio: ourTotal / theirTotal, unit: 'ms' });
    }
    rows.push({ linkType: name, metric: `program size total (${both.length} programs)`, ours: ourSize, libpcap: theirSize, ratio: ourSize / theirSize, unit: 'insns' });
    rows.push({ linkType: name, metric: 'programs shorter / longer than libpcap', ours: shorter, libpcap: longer, ratio: shorter / both.length, unit: 'count' });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const header = ['link type', 'metric', 'ours', 'libpcap', 'ratio', 'unit'];
const table = rows.map((r) => [r.linkType, r.metric, r.ours.toFixed(r.unit === 'us' ? 1 : r.unit === 'ms' ? 1 : 0), r.libpcap.toFixed(r.unit === 'us' ? 1 : r.unit === 'ms' ? 1 : 0), r.ratio.toFixed(3), r.unit]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
console.log(`compiler benchmark: ${expressions.length} corpus expressions; "programs shorter / longer" lists ours-shorter under ours, ours-longer under libpcap, share shorter as ratio`);
console.log(line(header));
for (const row of table) console.log(line(row));
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/compiler.json'), JSON.stringify({ expressions: expressions.length, rows }, null, 2) + '\n');
