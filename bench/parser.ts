/**
 * Benchmark of the filter-language parser: median parse time per expression (warm) over the language
 * corpus (corpus/filters/language/*.tsv), and over a long host list, beside libpcap's pcap_compile on the
 * same expressions (bench/c/compile-time.c with optimize 0, gcc -O2 -lpcap; pcap_compile also generates code, so it is
 * context rather than a like-for-like figure; it is measured unoptimized, the nearest to parsing alone).
 * Prints a table and writes bench/results/parser.json.
 *
 *   node scripts/run-ts.mjs bench/parser.ts [REPEATS]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFilter, printFilter } from '../src/filter/index.js';

const REPEATS = Number(process.argv[2] ?? 60);
const resolver = (name: string) => (name === 'localhost' ? { ipv4: ['127.0.0.1'], ipv6: [] } : undefined);

const corpus: string[] = [];
for (const file of readdirSync('corpus/filters/language').filter((f) => f.endsWith('.tsv')).sort()) {
  for (const line of readFileSync(join('corpus/filters/language', file), 'utf8').split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const [expression, expectation] = line.split('\t');
    if (expectation !== undefined && !expectation.startsWith('!!')) corpus.push(expression!);
  }
}
const hostList = `host ${Array.from({ length: 300 }, (_, i) => `10.0.${i >> 8}.${i & 255}`).join(' or ')}`;

const median = (values: number[]): number => { const sorted = [...values].sort((a, b) => a - b); return sorted[sorted.length >> 1]!; };

/** Median ns of REPEATS parses of one expression, after a warm-up. */
function timeParse(expression: string, repeats: number): number {
  for (let i = 0; i < 20; i++) parseFilter(expression, { resolver });
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = process.hrtime.bigint();
    parseFilter(expression, { resolver });
    times.push(Number(process.hrtime.bigint() - start));
  }
  return median(times);
}

/** Median ns per expression of libpcap's pcap_compile, or undefined when gcc/libpcap is missing. */
function timeLibpcap(expressions: string[], repeats: number): (number | undefined)[] | undefined {
  const directory = mkdtempSync(join(tmpdir(), 'pktfilter-bench-parser-'));
  try {
    const binary = join(directory, 'compile-time');
    execFileSync('gcc', ['-O2', '-o', binary, 'bench/c/compile-time.c', '-lpcap'], { stdio: 'pipe' });
    // Per line: median ns and instruction count, or ERR and libpcap's message.
    const result = spawnSync(binary, ['1', String(repeats), '0'], { input: expressions.map((e) => `${e}\n`).join(''), encoding: 'utf8', maxBuffer: 1 << 26 });
    if (result.status !== 0) return undefined;
    return result.stdout.trim().split('\n').map((l) => (l.startsWith('ERR') ? undefined : Number(l.split(' ')[0])));
  } catch {
    return undefined;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

const started = Date.now();
const ours = corpus.map((e) => timeParse(e, REPEATS));
const theirs = timeLibpcap(corpus, REPEATS);
const oursHostList = timeParse(hostList, 20);
const theirsHostList = timeLibpcap([hostList], 5)?.[0];
const printStarted = process.hrtime.bigint();
for (const e of corpus) printFilter(parseFilter(e, { resolver }));
const printAndParseNs = Number(process.hrtime.bigint() - printStarted) / corpus.length;

const libpcapCorpus = theirs ? median(theirs.filter((t): t is number => t !== undefined)) : undefined;
const rows = [
  { case: `corpus (${corpus.length} accepted expressions), median per expression`, oursNs: median(ours), libpcapNs: libpcapCorpus },
  { case: 'corpus, slowest expression', oursNs: Math.max(...ours), libpcapNs: theirs ? Math.max(...theirs.filter((t): t is number => t !== undefined)) : undefined },
  { case: 'host list of 300 addresses (or-chain)', oursNs: oursHostList, libpcapNs: theirsHostList },
];
console.log('parser benchmark (ours: parseFilter, warm; libpcap: pcap_compile unoptimized, parse + code generation)');
console.log(`${'case'.padEnd(58)} ${'ours µs'.padStart(10)} ${'libpcap µs'.padStart(11)} ${'ratio'.padStart(7)}`);
for (const row of rows) {
  const ratio = row.libpcapNs ? (row.oursNs / row.libpcapNs).toFixed(2) : 'n/a';
  console.log(`${row.case.padEnd(58)} ${(row.oursNs / 1000).toFixed(2).padStart(10)} ${(row.libpcapNs === undefined ? 'n/a' : (row.libpcapNs / 1000).toFixed(2)).padStart(11)} ${ratio.padStart(7)}`);
}
console.log(`parse + print, mean per corpus expression: ${(printAndParseNs / 1000).toFixed(2)} µs; total ${((Date.now() - started) / 1000).toFixed(1)} s`);
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/parser.json', JSON.stringify({ date: new Date().toISOString(), repeats: REPEATS, rows: rows.map((r) => ({ ...r, ratio: r.libpcapNs ? r.oursNs / r.libpcapNs : null })) }, null, 2) + '\n');
