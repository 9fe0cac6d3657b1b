// The entry of the V8 start-up snapshot dist/cli.blob (see bin/pktfilter and scripts/build.mjs). esbuild bundles
// it with the whole CLI into one CommonJS script that needs only node's built-in modules, and
// `node --snapshot-blob dist/cli.blob --build-snapshot BUNDLE` runs it once: it runs the CLI quietly over the
// build's warm-up commands (so the snapshot keeps the parser's grammar and the bytecode of every function they
// ran), checks that they left nothing behind, and names the function each later start runs instead of a script.
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startupSnapshot } from 'node:v8';
import { main } from '../src/cli/main.ts';

/**
 * What a start could inherit from the warm-up: if any of it changed, the snapshot is refused. (process.stdout and
 * process.stderr are not among them: node destroys both when it takes the snapshot and each start makes new ones
 * for its own descriptors; process.env and process.argv are also the start's own.)
 */
function leftovers() {
  const listeners = (emitter) => emitter.eventNames().map((name) => `${String(name)}:${emitter.listenerCount(name)}`).join(',');
  return JSON.stringify({
    exitCode: process.exitCode,
    process: listeners(process),
    environment: Object.keys(process.env).sort().join(','),
    handles: process.getActiveResourcesInfo().filter((kind) => kind !== 'TTYWrap' && kind !== 'PipeWrap' && kind !== 'FSReqCallback').join(','),
    globals: Object.keys(globalThis).sort().join(','),
  });
}

/** The directory of the blob this process started from (`--snapshot-blob PATH` or `--snapshot-blob=PATH`). */
function blobDirectory() {
  const options = process.execArgv;
  for (let i = 0; i < options.length; i++) {
    if (options[i] === '--snapshot-blob' && i + 1 < options.length) return dirname(resolve(options[i + 1]));
    if (options[i].startsWith('--snapshot-blob=')) return dirname(resolve(options[i].slice('--snapshot-blob='.length)));
  }
  throw new Error('pktfilter: started from a snapshot without --snapshot-blob in the node options');
}

/** Runs the warm-up commands (JSON in PKTFILTER_SNAPSHOT_WARM_UP) with stdout and stderr silenced. */
async function warmUp() {
  const commands = JSON.parse(process.env.PKTFILTER_SNAPSHOT_WARM_UP ?? '[]');
  const before = leftovers();
  // import.meta.url in the CLI's sources (where dist/filter-worker.js is found) reads this global: during the
  // build it points into the build's dist/, and every start sets it again from its own blob's place.
  globalThis.__pktfilterBundleUrl = pathToFileURL(resolve(process.env.PKTFILTER_SNAPSHOT_DIST ?? 'dist', 'cli.js')).href;
  const failures = [];
  // Own properties shadow the streams' write methods; deleting them afterwards restores the methods.
  process.stdout.write = () => true;
  process.stderr.write = () => true;
  try {
    for (const { argv, status } of commands) {
      const code = await main(argv);
      if (code !== status) failures.push(`${argv.join(' ')} (exit ${code}, expected ${status})`);
    }
  } finally {
    delete process.stdout.write;
    delete process.stderr.write;
  }
  delete globalThis.__pktfilterBundleUrl;
  const after = leftovers();
  // A difference would reach every start from the snapshot: refuse it (the build then warns and the launcher
  // uses bin/pktfilter.js).
  if (after !== before) throw new Error(`the warm-up left state behind: ${before} became ${after}`);
  // Warm-up commands that failed only make the snapshot colder: the build reports them.
  if (failures.length > 0) process.stderr.write(`snapshot warm-up: ${failures.length} command(s) did not behave as expected: ${failures.join('; ')}\n`);
}

warmUp().then(
  () => {
    startupSnapshot.setDeserializeMainFunction(() => {
      globalThis.__pktfilterBundleUrl = pathToFileURL(resolve(blobDirectory(), 'cli.js')).href;
      // Worker threads inherit node's options, and a worker accepts neither --snapshot-blob nor the V8 options the
      // blob was made with (scripts/build.mjs defines SNAPSHOT_V8_OPTIONS here; they hold for the whole process).
      process.execArgv = process.execArgv.filter((option, i, all) => option !== '--snapshot-blob' && all[i - 1] !== '--snapshot-blob' && !option.startsWith('--snapshot-blob=') && !SNAPSHOT_V8_OPTIONS.includes(option));
      // The launcher starts `node --snapshot-blob BLOB -- ARGS`: argv is [node, ...ARGS].
      main(process.argv.slice(1)).then((code) => { process.exitCode = code; });
    });
  },
  (error) => {
    process.stderr.write(`snapshot warm-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
