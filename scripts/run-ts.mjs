// Runs a TypeScript entry (a bench, the corpus builder) by bundling it with esbuild first:
//   node scripts/run-ts.mjs bench/run.ts [args...]
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [entry, ...args] = process.argv.slice(2);
if (!entry) { console.error('usage: node scripts/run-ts.mjs FILE.ts [ARGS...]'); process.exit(2); }
mkdirSync('.cache/run', { recursive: true });
const outfile = resolve('.cache/run', basename(entry).replace(/\.ts$/, '') + '.mjs');
await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', sourcemap: 'inline', logLevel: 'warning' });
process.argv = [process.argv[0], outfile, ...args];
await import(pathToFileURL(outfile).href);
