// Bundles the library and the CLI with esbuild into dist/. Type declarations come from `tsc` (npm run typecheck).
//
//   dist/index.js          the library (dependencies external, as a package should be)
//   dist/cli.js            the CLI as an ES module exporting `main` (for programs that import it)
//   dist/cli-script.js     the same CLI as one script that bin/pktfilter.js compiles with V8's code cache
//   dist/cli-script.cache  that code cache, made here by running the CLI over a few commands (see warmUp)
//   dist/filter-worker.js  the worker threads of `filter -j N`: fragment runner and BPF engines, no parser
//   dist/cli.blob          a V8 start-up snapshot of the CLI, warmed up (see buildSnapshot), that bin/pktfilter
//                          starts when dist/cli.blob.version names the running node (then its maker, then the
//                          V8 options the blob needs); made last, only warns on failure
//   dist/cli-snapshot.cjs  the script the snapshot was made from (bin/snapshot-entry.mjs and the CLI)
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The V8 options the snapshot is made and started with (node refuses a blob under other options, so the launcher
 * reads them from the version file's third line). Measured here on `filter --count` starts:
 *   --no-rehash-snapshot: a start keeps the string hashes the build computed instead of rehashing every string
 *     and table of the blob with a new seed, ~5 ms of each 45 ms start. The seed stays random per build; the
 *     hash-flooding defence it gives matters for servers fed keys by strangers, not for a command that exits
 *     after one file.
 *   --no-lazy-feedback-allocation: a function has its inline caches from its first call, not its eighth; the
 *     filter's compile and the walker's module generation, which run once a start, take ~1.5 ms less (of ~10).
 *     Long runs (decode, printing) measured the same.
 */
const SNAPSHOT_V8_OPTIONS = ['--no-rehash-snapshot', '--no-lazy-feedback-allocation'];
const common = { bundle: true, platform: 'node', target: 'node20', logLevel: 'warning' };
// CommonJS dependencies inside an ES module bundle need a `require`.
const requireBanner = "import { createRequire as __pktfilterCreateRequire } from 'node:module'; const require = __pktfilterCreateRequire(import.meta.url);";
mkdirSync('dist', { recursive: true });
// The library keeps its dependencies external, as a package should.
await build({ ...common, format: 'esm', sourcemap: true, packages: 'external', entryPoints: { index: 'src/index.ts' }, outdir: 'dist' });
// The CLI bundles them: loading chevrotain and the rest as separate ES modules cost ~0.4 s per start.
await build({ ...common, format: 'esm', sourcemap: true, entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'dist', banner: { js: requireBanner } });
await build({ ...common, format: 'esm', sourcemap: true, entryPoints: { 'filter-worker': 'src/cli/filter/worker-entry.ts' }, outdir: 'dist', banner: { js: requireBanner } });
// The script form: one function expression taking `require` and the bundle's own URL (import.meta.url in the
// sources), returning the CLI's exports. Node 20 can code-cache a vm.Script but not an ES module.
await build({
  ...common,
  format: 'iife',
  globalName: '__pktfilterCli',
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/cli-script.js',
  define: { 'import.meta.url': '__pktfilterBundleUrl' },
  // The build's identity opens the script; the code cache starts with the same line (V8 itself checks only the
  // source's length, so a cache from another build of the same length would otherwise be taken).
  banner: { js: `/* pktfilter build ${randomUUID()} */\n(function (require, __pktfilterBundleUrl) {` },
  footer: { js: 'return __pktfilterCli;\n})' },
});
// The public types live beside the bundle; a stub keeps `types` resolvable before `tsc` has run.
if (!existsSync('dist/index.d.ts')) writeFileSync('dist/index.d.ts', "export * from './types/index.js';\n");

/** The filters both warm-ups run (`filter --count` over a small capture): the benchmark's and a few more. */
const WARM_UP_EXPRESSIONS = [
  'ip', 'tcp port 80', 'udp port 53 or udp port 67 or udp port 68', 'vlan and tcp', 'ip[6:2] & 0x1fff != 0',
  'tcp[tcpflags] & (tcp-syn|tcp-fin) != 0', 'proto gre and (ip[54:4] = 0x0a050505 or ip[58:4] = 0x0a050505)',
  'ip6 and tcp dst port 443', 'arp or icmp', 'host 10.1.2.3 and not port 22', 'gre and ip host 10.5.5.5',
  'net 192.168.0.0/16 and (tcp or udp) and len > 100', 'ether host 01:02:03:04:05:06 or ether broadcast',
];

warmUp();
await buildSnapshot();

/**
 * Makes dist/cli-script.cache: a fresh node runs bin/pktfilter.js over typical commands (the filter language
 * and the compiler through `compile`, the whole `filter` path over a small capture) and then stores V8's code
 * cache, which then holds the bytecode of every function those commands ran. A later start deserializes it
 * instead of parsing 1 MB of JavaScript and compiling the parser and the compiler function by function. A
 * cache V8 rejects (another node version or other V8 flags) is ignored, so the cache never changes behaviour.
 */
function warmUp() {
  rmSync('dist/cli-script.cache', { force: true });
  let directory;
  try {
    directory = mkdtempSync(join(tmpdir(), 'pktfilter-build-'));
    const capture = join(directory, 'warm-up.pcap');
    writeFileSync(capture, warmUpCapture());
    const commands = [
      ...WARM_UP_EXPRESSIONS.map((expression) => ['filter', '--count', '-r', capture, expression]),
      ['filter', '-r', capture, 'tcp'],
      ['filter', '--json', '-r', capture, 'udp'],
      ['compile', '-d', 'icmp6 or portrange 1000-2000 or pppoes or mpls'],
    ];
    const result = spawnSync(process.execPath, ['bin/pktfilter.js'], {
      env: { ...process.env, PKTFILTER_WRITE_CODE_CACHE: JSON.stringify(commands) },
      encoding: 'utf8',
    });
    if (result.status !== 0 || !existsSync('dist/cli-script.cache')) {
      // No cache only costs start-up time: say so and carry on.
      console.warn(`build: no code cache made (${(result.stderr || `exit ${result.status}`).trim().split('\n')[0]}); the CLI still works`);
    }
  } catch (error) {
    console.warn(`build: no code cache made (${error.message}); the CLI still works`);
  } finally {
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  }
}

/**
 * Makes dist/cli.blob, a V8 start-up snapshot of the CLI that bin/pktfilter starts with
 * `node --snapshot-blob dist/cli.blob -- ARGS` (here 65 ms of CPU for `filter --count` on 1000 frames, against
 * 85 ms from the code cache and 25 ms for `node -e 0`, all without NODE_EXTRA_CA_CERTS). esbuild bundles
 * bin/snapshot-entry.mjs with the CLI into one CommonJS script (the snapshot builder gives it only node's
 * built-in modules); `node --build-snapshot` runs it, which runs the CLI quietly over the commands below (so the
 * snapshot holds the bytecode of what they ran and the parser's grammar) and refuses a warm-up that left
 * listeners, an exit code or globals behind. The blob must then give the same output as bin/pktfilter.js for a
 * few commands; only then is it put in place, followed by dist/cli.blob.version (the node version that made it,
 * as `node --version` prints it: node refuses a blob from another version; then that node's executable, which
 * lets the launcher skip asking `node --version` when the node it finds is that very file, unchanged since; then
 * SNAPSHOT_V8_OPTIONS, which every start must pass). Any failure only warns.
 */
async function buildSnapshot() {
  let directory;
  const blob = 'dist/cli.blob';
  const temporaryBlob = `${blob}.${process.pid}`;
  // The snapshot never opens a TLS connection: without this node parses every certificate of the bundle for nothing.
  const environment = { ...process.env };
  delete environment.NODE_EXTRA_CA_CERTS;
  // Node refuses a blob made with other V8 options, and the launcher starts the blob only without NODE_OPTIONS.
  delete environment.NODE_OPTIONS;
  try {
    directory = mkdtempSync(join(tmpdir(), 'pktfilter-snapshot-'));
    // Kept in dist/: stack traces (PKTFILTER_DEBUG) from the snapshot name this file. Replaced whole (renamed
    // into place), as is the blob, since the test files of this repository build in parallel.
    const entry = join(process.cwd(), 'dist/cli-snapshot.cjs');
    const bundled = await build({
      ...common, format: 'cjs', entryPoints: ['bin/snapshot-entry.mjs'], outfile: entry, write: false,
      // import.meta.url (where the CLI finds dist/filter-worker.js) is computed at each start from the blob's place.
      define: { 'import.meta.url': 'globalThis.__pktfilterBundleUrl', SNAPSHOT_V8_OPTIONS: JSON.stringify(SNAPSHOT_V8_OPTIONS) },
      // The source text is part of the blob, and a start reads, copies and deserializes every byte of the blob
      // (~4.5 ms per MB here): without whitespace and comments the blob is 15% smaller and a start 3-4 ms shorter;
      // with short names and syntax too, 6.75 -> 6.36 MB and ~2 ms shorter. (Stack traces from the blob, with
      // PKTFILTER_DEBUG, then name short functions: `node bin/pktfilter.js` runs the same CLI unminified.)
      minifyWhitespace: true,
      minifyIdentifiers: true,
      minifySyntax: true,
    });
    writeFileSync(`${entry}.${process.pid}`, bundled.outputFiles[0].contents);
    renameSync(`${entry}.${process.pid}`, entry);
    const { warmUp, checks } = snapshotCommands(directory);
    const made = spawnSync(process.execPath, [...SNAPSHOT_V8_OPTIONS, '--snapshot-blob', temporaryBlob, '--build-snapshot', entry], {
      encoding: 'utf8',
      env: { ...environment, PKTFILTER_SNAPSHOT_WARM_UP: JSON.stringify(warmUp), PKTFILTER_SNAPSHOT_DIST: join(process.cwd(), 'dist') },
    });
    if (made.status !== 0 || !existsSync(temporaryBlob)) throw new Error((made.stderr || `exit ${made.status}`).trim());
    if (made.stderr.trim() !== '') console.warn(`build: ${made.stderr.trim()}`);
    // The blob and the script entry must agree before the launcher may choose the blob (and the blob must load).
    for (const argv of checks) {
      const fromBlob = spawnSync(process.execPath, [...SNAPSHOT_V8_OPTIONS, '--snapshot-blob', temporaryBlob, '--', ...argv], { encoding: 'utf8', env: environment });
      const fromScript = spawnSync(process.execPath, ['bin/pktfilter.js', ...argv], { encoding: 'utf8', env: environment });
      for (const key of ['status', 'stdout', 'stderr']) {
        if (fromBlob[key] !== fromScript[key]) throw new Error(`the snapshot and bin/pktfilter.js differ in ${key} for \`${argv.join(' ')}\``);
      }
    }
    renameSync(temporaryBlob, blob);
    writeFileSync(`dist/cli.blob.version.${process.pid}`, `${process.version}\n${process.execPath}\n${SNAPSHOT_V8_OPTIONS.join(' ')}\n`);
    renameSync(`dist/cli.blob.version.${process.pid}`, 'dist/cli.blob.version');
  } catch (error) {
    // No snapshot only costs start-up time: bin/pktfilter then runs bin/pktfilter.js. An older blob goes too:
    // it holds the CLI of an older build. (It stays while a build runs: a start must never find it half gone.)
    rmSync('dist/cli.blob.version', { force: true });
    rmSync(blob, { force: true });
    console.warn(`build: no start-up snapshot made (${error.message.split('\n')[0]}); the CLI still works`);
  } finally {
    rmSync(temporaryBlob, { force: true });
    rmSync(`dist/cli.blob.version.${process.pid}`, { force: true });
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  }
}

/**
 * The snapshot's warm-up and the build's checks of the finished blob, with files in `directory`. The warm-up
 * (each command with the exit code it should give) runs the filter command's paths over the benchmark
 * expressions and the compiler's printers: everything it runs stays compiled in the blob, but every start also
 * pays to deserialize it (about 4 ms per MB of blob here), so the verbs that gained nothing measurable from it
 * (decode, locate, bpf, run) start cold. The checks run the filter command, a cold verb and an error.
 */
function snapshotCommands(directory) {
  const capture = join(directory, 'warm-up.pcap');
  writeFileSync(capture, warmUpCapture());
  const ok = (argv) => ({ argv, status: 0 });
  const warmUp = [
    ...WARM_UP_EXPRESSIONS.map((expression) => ok(['filter', '--count', '-r', capture, expression])),
    ok(['filter', '-r', capture, 'tcp']),
    ok(['filter', '--json', '-r', capture, 'udp']),
    ok(['filter', '-c', '2', '--engine', 'interp', '-r', capture, 'ip']),
    ok(['filter', '--count', '--engine', 'direct', '-r', capture, 'tcp or arp']),
    ok(['filter', '-w', join(directory, 'out.pcap'), '-r', capture, 'udp']),
    ok(['compile', '-d', 'icmp6 or portrange 1000-2000 or pppoes or mpls']),
    ok(['compile', '-ddd', 'gre and tcp or vxlan 42 and udp or geneve']),
    ok(['parse', 'tcp port 80 and host 10.0.0.1']),
    { argv: ['compile', 'tcp port'], status: 1 },
  ];
  // Few, as every test file that builds pays for them: test/cli/launcher.test.ts compares every verb.
  const checks = [
    ['filter', '--count', '-r', capture, 'tcp port 80'],
    ['filter', '--json', '-r', capture, 'udp'],
    ['decode', '-r', capture, '-v'],
    ['compile', 'tcp port'],
  ];
  return { warmUp, checks };
}

/**
 * A small pcap file for the warm-up: Ethernet frames carrying IPv4 TCP, IPv4 UDP and ARP (enough for the
 * filter path to run its reader, batch engine and printers; the values are arbitrary but well-formed).
 */
function warmUpCapture() {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0); // magic: microsecond timestamps, little-endian
  header.writeUInt16LE(2, 4); // version 2.4
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16); // snaplen
  header.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  const ethernet = (type) => Buffer.from([0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10, type >> 8, type & 0xff]);
  const ipv4 = (protocol, payloadLength) => {
    const ip = Buffer.alloc(20);
    ip[0] = 0x45; // version 4, IHL 5
    ip.writeUInt16BE(20 + payloadLength, 2);
    ip[8] = 64; // TTL
    ip[9] = protocol;
    Buffer.from([10, 1, 2, 3, 10, 5, 5, 5]).copy(ip, 12); // source, destination
    return ip;
  };
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(40000, 0);
  tcp.writeUInt16BE(80, 2);
  tcp[12] = 0x50; // data offset 5
  tcp[13] = 0x02; // SYN
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(5353, 0);
  udp.writeUInt16BE(53, 2);
  udp.writeUInt16BE(8, 4);
  const arp = Buffer.from([0, 1, 8, 0, 6, 4, 0, 1, 0, 6, 7, 8, 9, 10, 10, 1, 2, 3, 0, 0, 0, 0, 0, 0, 10, 1, 2, 4]);
  const frames = [
    Buffer.concat([ethernet(0x0800), ipv4(6, 20), tcp]),
    Buffer.concat([ethernet(0x0800), ipv4(17, 8), udp]),
    Buffer.concat([ethernet(0x0806), arp]),
  ];
  const records = [];
  for (let i = 0; i < 30; i++) {
    const frame = frames[i % frames.length];
    const recordHeader = Buffer.alloc(16);
    recordHeader.writeUInt32LE(1_700_000_000 + i, 0);
    recordHeader.writeUInt32LE(frame.length, 8); // captured length
    recordHeader.writeUInt32LE(frame.length, 12); // wire length
    records.push(recordHeader, frame);
  }
  return Buffer.concat([header, ...records]);
}
