// Bundles the library and the CLI with esbuild into dist/. Type declarations come from `tsc` (npm run typecheck).
import { build } from 'esbuild';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';

const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', sourcemap: true, logLevel: 'warning' };
mkdirSync('dist', { recursive: true });
// The library keeps its dependencies external, as a package should.
await build({ ...common, packages: 'external', entryPoints: { index: 'src/index.ts' }, outdir: 'dist' });
// The CLI bundles them: loading chevrotain and the rest as separate ES modules cost ~0.4 s per start.
await build({
  ...common,
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir: 'dist',
  // CommonJS dependencies inside an ES module bundle need a `require`.
  banner: { js: "import { createRequire as __pktfilterCreateRequire } from 'node:module'; const require = __pktfilterCreateRequire(import.meta.url);" },
});
// The public types live beside the bundle; a stub keeps `types` resolvable before `tsc` has run.
if (!existsSync('dist/index.d.ts')) writeFileSync('dist/index.d.ts', "export * from './types/index.js';\n");
