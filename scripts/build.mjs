// Bundles the library and the CLI with esbuild into dist/. Type declarations come from `tsc` (npm run typecheck).
import { build } from 'esbuild';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';

const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', sourcemap: true, logLevel: 'warning', packages: 'external' };
mkdirSync('dist', { recursive: true });
await build({ ...common, entryPoints: { index: 'src/index.ts', cli: 'src/cli/main.ts' }, outdir: 'dist' });
// The public types live beside the bundle; a stub keeps `types` resolvable before `tsc` has run.
if (!existsSync('dist/index.d.ts')) writeFileSync('dist/index.d.ts', "export * from './types/index.js';\n");
