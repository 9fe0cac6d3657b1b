#!/usr/bin/env node
// Script entry of the `pktfilter` command: bin/pktfilter (the command npm installs) runs it when it cannot start
// the snapshot dist/cli.blob, and `node bin/pktfilter.js ARGS` runs the same CLI directly. It runs the bundled CLI
// (built by `npm ci` through the prepare script).
// It compiles dist/cli-script.js with the V8 code cache that the build stored beside it (a start then skips
// parsing 1 MB of JavaScript and compiling the filter parser and the compiler); without the script, or with
// a cache V8 rejects, it still runs the same CLI, only slower to start.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const scriptUrl = new URL('../dist/cli-script.js', import.meta.url);
const cacheUrl = new URL('../dist/cli-script.cache', import.meta.url);

/** The CLI's exports and, when it came from the script form, the compiled script. */
async function loadCli() {
  let source;
  try {
    source = readFileSync(scriptUrl, 'utf8');
  } catch {
    return { cli: await import('../dist/cli.js'), script: undefined, identity: '' };
  }
  // The cache is taken only when it starts with the script's first line, the build's identity (V8 checks only
  // the source's length).
  const identity = source.slice(0, source.indexOf('\n') + 1);
  let cachedData;
  try {
    const cache = readFileSync(cacheUrl);
    if (identity.startsWith('/* pktfilter build ') && cache.subarray(0, identity.length).toString('latin1') === identity) cachedData = cache.subarray(identity.length);
  } catch {
    cachedData = undefined;
  }
  const script = new Script(source, { filename: fileURLToPath(scriptUrl), cachedData });
  return { cli: script.runInThisContext()(createRequire(scriptUrl), scriptUrl.href), script, identity };
}

const { cli, script, identity } = await loadCli();
const warmUp = process.env.PKTFILTER_WRITE_CODE_CACHE;
if (warmUp !== undefined && script !== undefined) {
  // The build's warm-up (scripts/build.mjs): run each command quietly, then store the code cache.
  process.stdout.write = () => true;
  for (const argv of JSON.parse(warmUp)) await cli.main(argv);
  const temporary = fileURLToPath(cacheUrl) + `.${process.pid}`;
  writeFileSync(temporary, Buffer.concat([Buffer.from(identity, 'latin1'), script.createCachedData()]));
  renameSync(temporary, cacheUrl);
} else {
  process.exitCode = await cli.main(process.argv.slice(2));
}
