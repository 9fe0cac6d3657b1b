/**
 * `npm run bench`: runs every area's benchmark in turn (each measures libpcap's C code on the same data in
 * the same run and prints the ratio), then gathers their JSON rows into bench/results/summary.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';

const areas = ['capture', 'decoder', 'builders', 'bpf', 'wasm', 'parser', 'compiler', 'tunnel', 'filter'];
const only = process.argv.slice(2);
mkdirSync('bench/results', { recursive: true });
const summary: Record<string, unknown> = {};
let failed = 0;
for (const area of areas) {
  if (only.length && !only.includes(area)) continue;
  const script = `bench/${area}.ts`;
  if (!existsSync(script)) continue;
  console.log(`\n=== bench: ${area} ===`);
  const result = spawnSync(process.execPath, ['scripts/run-ts.mjs', script], { stdio: 'inherit' });
  if (result.status !== 0) { failed++; console.error(`bench ${area} failed (exit ${result.status})`); }
  const json = `bench/results/${area}.json`;
  if (existsSync(json)) summary[area] = JSON.parse(readFileSync(json, 'utf8'));
}
writeFileSync('bench/results/summary.json', JSON.stringify({ date: new Date().toISOString(), results: summary }, null, 2) + '\n');
console.log('\nwrote bench/results/summary.json');
process.exitCode = failed ? 1 : 0;
