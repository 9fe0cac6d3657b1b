/**
 * The `pktfilter` launcher (bin/pktfilter, package.json "bin"): reached through symlinks as npm makes them, it
 * gives the same stdout, stderr and exit code as `node bin/pktfilter.js` for every verb (the build made
 * dist/cli.blob, so the launcher starts the snapshot); it falls back to bin/pktfilter.js when the blob is
 * missing, was made by another node or NODE_OPTIONS is set; NODE_EXTRA_CA_CERTS does not reach node.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinkType } from '../../src/capture/linktype.js';
import { encodePcap } from '../../src/capture/pcap-writer.js';
import { arbitraryPacket } from '../../src/packet/arbitrary/index.js';

const repositoryRoot = join(import.meta.dirname, '../..');

interface Outcome { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Runs a program with the environment given (NODE_EXTRA_CA_CERTS and NODE_OPTIONS dropped unless given). */
function run(command: string, args: string[], environment: Record<string, string> = {}, cwd = repositoryRoot): Outcome {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.NODE_OPTIONS;
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...env, ...environment }, timeout: 60_000, maxBuffer: 1 << 28 });
  if (result.error) throw result.error;
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

/** What the CLI gives when started as today's entry, `node bin/pktfilter.js ARGS`. */
const direct = (args: string[], environment: Record<string, string> = {}): Outcome => run(process.execPath, [join(repositoryRoot, 'bin/pktfilter.js'), ...args], environment);

describe('bin/pktfilter, the launcher', () => {
  let root = '';
  let capture = '';
  let largeCapture = '';
  let program = '';
  let launcher = '';
  beforeAll(() => {
    // The test command builds first; without the snapshot there would be nothing to compare here.
    expect(existsSync(join(repositoryRoot, 'dist/cli.blob')), 'dist/cli.blob (run node scripts/build.mjs)').toBe(true);
    root = mkdtempSync(join(tmpdir(), 'pktfilter-launcher-'));
    // As npm installs a package: node_modules/pktfilter is the package (here a symlink to the checkout, as
    // `npm link` makes it) and node_modules/.bin/pktfilter a relative symlink to its bin entry; a further
    // link in front of it (as a user's ~/bin might hold) makes a chain of two.
    mkdirSync(join(root, 'node_modules/.bin'), { recursive: true });
    symlinkSync(repositoryRoot, join(root, 'node_modules/pktfilter'));
    symlinkSync('../pktfilter/bin/pktfilter', join(root, 'node_modules/.bin/pktfilter'));
    mkdirSync(join(root, 'home/bin'), { recursive: true });
    symlinkSync(join(root, 'node_modules/.bin/pktfilter'), join(root, 'home/bin/pktfilter'));
    launcher = join(root, 'home/bin/pktfilter');
    const packets = fc.sample(arbitraryPacket({ linkType: LinkType.EN10MB }), { numRuns: 200, seed: 7 });
    const records = packets.map((p, i) => ({ data: p.data, wireLength: p.wireLength, timestampNs: 1_700_000_000_000_000_000n + BigInt(i) * 1000n }));
    capture = join(root, 'sample.pcap');
    writeFileSync(capture, encodePcap(records, { linkType: LinkType.EN10MB }));
    // The same records 40 times over: their text is far more than a pipe holds, so `| head -1` cuts the CLI off.
    largeCapture = join(root, 'large.pcap');
    writeFileSync(largeCapture, encodePcap(Array.from({ length: 40 }, () => records).flat(), { linkType: LinkType.EN10MB }));
    // `tcpdump -ddd ip` on Ethernet: ldh [12]; jeq #0x800 jt 2 jf 3; ret #262144; ret #0.
    program = join(root, 'ip.ddd');
    writeFileSync(program, '4\n40 0 0 12\n21 0 1 2048\n6 0 0 262144\n6 0 0 0\n');
  }, 60_000);
  afterAll(() => { if (root) rmSync(root, { recursive: true, force: true }); });

  /** Every verb, the filter command's modes, workers, a program file, odd arguments and error paths. */
  const commands = (): string[][] => [
    ['filter', '--count', '-r', capture, 'tcp port 80 or udp'],
    ['filter', '-r', capture, 'ip'],
    ['filter', '--json', '-c', '5', '-r', capture, 'udp'],
    ['filter', '-j', '2', '--fragment-size', '1024', '-r', capture, 'tcp or arp'],
    ['filter', '-j', '2', '--fragment-size', '1024', '--count', '-r', capture, 'vlan and ip'],
    ['filter', '--engine', 'interp', '--program', program, '-r', capture],
    ['filter', '--count', '-r', capture, 'tcp port'],
    ['filter', '-r', join(root, 'missing.pcap'), 'ip'],
    ['decode', '-r', capture, '-c', '20', '-v'],
    ['decode', '-r', capture, '-c', '3', '--json'],
    ['compile', '-d', 'host 10.0.0.1 and (tcp port 80 or udp portrange 1000-2000)'],
    ['compile', '--dot', 'vlan 100 and gre and tcp'],
    ['compile', '-d', 'host nowhere.example'],
    ['parse', '--json', 'ip[6:2] & 0x1fff != 0'],
    ['parse', 'ether host 01:02:03:04:05:06 or   ether broadcast'],
    ['bpf', '-dd', program],
    ['bpf', join(root, 'missing.ddd')],
    ['run', '-r', capture, program],
    ['locate', '-r', capture, '-n', '1'],
    ['locate', '-r', capture, '-n', '1', '--json', 'ipv4.destination'],
    ['-h'],
    ['--help'],
    ['--version'],
    ['parse', '--', '-h'],
    ['parse', ''],
    ['parse', 'host 10.0.0.1 and port "80"'],
    ['bogus', 'x'],
    [],
  ];

  it('gives what node bin/pktfilter.js gives, through a chain of symlinks, for every verb and error', () => {
    const outputs: string[] = [];
    for (const args of commands()) {
      const expected = direct(args);
      const actual = run(launcher, args);
      expect(actual, JSON.stringify(args)).toEqual(expected);
      outputs.push(actual.stdout);
    }
    // The comparison means something only if the commands did work: most printed, some failed.
    expect(outputs.filter((stdout) => stdout.length > 0).length).toBeGreaterThan(15);
  });

  it('writes the same -w file', () => {
    const written = (start: (args: string[]) => Outcome, name: string): Buffer => {
      const output = join(root, name);
      expect(start(['filter', '-w', output, '-r', capture, 'tcp'])).toMatchObject({ status: 0, stdout: '', stderr: '' });
      return readFileSync(output);
    };
    const expected = written(direct, 'direct.pcap');
    expect(expected.length).toBeGreaterThan(24);
    expect(written((args) => run(launcher, args), 'launcher.pcap').equals(expected)).toBe(true);
  });

  it('stops quietly as node bin/pktfilter.js does when the reader closes stdout early (| head -1)', () => {
    // The pipeline's stdout and the CLI's own stderr and exit status (bash's PIPESTATUS).
    const piped = (start: string, args: string[]): Outcome =>
      run('bash', ['-c', `"$@" | head -1; echo "exit \${PIPESTATUS[0]}" >&2`, 'piped', ...start.split(' '), ...args]);
    for (const args of [['filter', '-r', largeCapture, 'ip'], ['decode', '-r', largeCapture], ['decode', '--json', '-r', largeCapture]]) {
      const expected = piped(`${process.execPath} ${join(repositoryRoot, 'bin/pktfilter.js')}`, args);
      expect(expected.stdout.split('\n').length, JSON.stringify(args)).toBe(2);
      // What the CLI would have printed: more than a pipe buffer (64 KiB), so the reader did go away early.
      expect(direct(args).stdout.length, JSON.stringify(args)).toBeGreaterThan(1 << 17);
      expect(piped(launcher, args), JSON.stringify(args)).toEqual(expected);
    }
  });

  it('keeps NODE_EXTRA_CA_CERTS from node (node warns about a missing file; the launcher unsets it)', () => {
    const environment = { NODE_EXTRA_CA_CERTS: join(root, 'no-such-bundle.pem') };
    const args = ['compile', '-d', 'tcp'];
    // Node itself warns: so a launcher that passed the variable on would fail the comparison below.
    expect(direct(args, environment).stderr).toContain('extra certs');
    expect(run(launcher, args, environment)).toEqual(direct(args));
  });

  it('gets no snapshot from a build whose warm-up leaves state behind, and still works (a fresh build)', () => {
    const fresh = join(root, 'fresh');
    for (const name of ['src', 'node_modules', 'package.json']) {
      mkdirSync(fresh, { recursive: true });
      symlinkSync(join(repositoryRoot, name), join(fresh, name));
    }
    cpSync(join(repositoryRoot, 'bin'), join(fresh, 'bin'), { recursive: true });
    cpSync(join(repositoryRoot, 'scripts'), join(fresh, 'scripts'), { recursive: true });
    // The warm-up now leaves a process listener behind, which every start from the snapshot would inherit.
    const entry = join(fresh, 'bin/snapshot-entry.mjs');
    const source = readFileSync(entry, 'utf8');
    expect(source).toContain('const after = leftovers();');
    writeFileSync(entry, source.replace('const after = leftovers();', "process.on('SIGUSR2', () => {});\n  const after = leftovers();"));
    // A blob of an earlier build is there: it must go, not stay beside bundles it was not made with.
    mkdirSync(join(fresh, 'dist'));
    writeFileSync(join(fresh, 'dist/cli.blob'), 'an earlier blob');
    writeFileSync(join(fresh, 'dist/cli.blob.version'), `${process.version}\n`);
    const build = run(process.execPath, ['scripts/build.mjs'], {}, fresh);
    expect(build.status).toBe(0);
    expect(build.stderr).toMatch(/no start-up snapshot made \(snapshot warm-up failed: the warm-up left state behind: .*SIGUSR2:1/);
    expect(existsSync(join(fresh, 'dist/cli.blob'))).toBe(false);
    expect(existsSync(join(fresh, 'dist/cli.blob.version'))).toBe(false);
    const args = ['filter', '--count', '-r', capture, 'tcp'];
    expect(run(join(fresh, 'bin/pktfilter'), args)).toEqual(direct(args));
  }, 60_000);

  describe('choosing between the snapshot and bin/pktfilter.js (a copy of bin/ and dist/)', () => {
    let copy = '';
    beforeAll(() => {
      copy = join(root, 'copy');
      cpSync(join(repositoryRoot, 'bin'), join(copy, 'bin'), { recursive: true });
      cpSync(join(repositoryRoot, 'dist'), join(copy, 'dist'), { recursive: true });
      // The copy's script entry only says that it ran: then its output shows which way the launcher went.
      writeFileSync(join(copy, 'bin/pktfilter.js'), "process.stdout.write(`script entry ${JSON.stringify(process.argv.slice(2))}\\n`);\n");
      chmodSync(join(copy, 'bin/pktfilter'), 0o755);
    });
    const copied = (args: string[], environment: Record<string, string> = {}): Outcome => run(join(copy, 'bin/pktfilter'), args, environment, root);
    const snapshotOutcome = (): Outcome => direct(['parse', 'tcp']);
    /** The V8 options the build made the blob with (the version file's third line), which every start must pass. */
    const snapshotOptions = (): string => readFileSync(join(repositoryRoot, 'dist/cli.blob.version'), 'utf8').split('\n')[2] ?? '';
    /** A version file naming the node version that made the blob, its executable, and the blob's V8 options. */
    const versionText = (version: string, maker: string): string => `${version}\n${maker}\n${snapshotOptions()}\n`;
    const scriptOutcome = { status: 0, signal: null, stdout: 'script entry ["parse","tcp"]\n', stderr: '' };

    it('starts the snapshot when its version file names this node, and its workers find dist/ from the blob', () => {
      expect(readFileSync(join(copy, 'dist/cli.blob.version'), 'utf8')).toBe(versionText(process.version, process.execPath));
      // The options line is needed: node refuses this blob without its options.
      expect(snapshotOptions()).not.toBe('');
      const withoutOptions = run(process.execPath, ['--snapshot-blob', join(copy, 'dist/cli.blob'), '--', 'parse', 'tcp']);
      expect(withoutOptions.status).not.toBe(0);
      expect(copied(['parse', 'tcp'])).toEqual(snapshotOutcome());
      // The copy's filter-worker.js is the one found: removing it makes -j 2 fail in the copy only.
      // (Printing with -j 2 always hands fragments to workers; counting may keep them in this thread.)
      const args = ['filter', '-j', '2', '--fragment-size', '1024', '-r', capture, 'ip'];
      expect(readFileSync(capture).length).toBeGreaterThan(4 * 1024);
      expect(copied(args)).toEqual(direct(args));
      rmSync(join(copy, 'dist/filter-worker.js'));
      try {
        expect(copied(args)).toMatchObject({ status: 1, stderr: expect.stringContaining(join(copy, 'dist/filter-worker.js')) });
      } finally {
        cpSync(join(repositoryRoot, 'dist/filter-worker.js'), join(copy, 'dist/filter-worker.js'));
      }
    });

    it('runs bin/pktfilter.js when the version file names another node, is empty or is missing', () => {
      const version = join(copy, 'dist/cli.blob.version');
      try {
        for (const text of ['v0.0.1\n', `${process.version}-other\n`, '', '\n']) {
          writeFileSync(version, text);
          expect(copied(['parse', 'tcp']), JSON.stringify(text)).toEqual(scriptOutcome);
        }
        rmSync(version);
        expect(copied(['parse', 'tcp'])).toEqual(scriptOutcome);
      } finally {
        writeFileSync(version, versionText(process.version, process.execPath));
      }
      expect(copied(['parse', 'tcp'])).toEqual(snapshotOutcome());
    });

    it('asks `node --version` only when the node on PATH is not the unchanged file that made the blob', () => {
      // A `node` first on PATH that logs how it is started, then runs this node.
      const wrapperDirectory = join(root, 'logging-node');
      mkdirSync(wrapperDirectory, { recursive: true });
      const wrapper = join(wrapperDirectory, 'node');
      const log = join(root, 'logging-node.log');
      writeFileSync(wrapper, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec '${process.execPath}' "$@"\n`);
      chmodSync(wrapper, 0o755);
      const version = join(copy, 'dist/cli.blob.version');
      const blobTime = statSync(join(copy, 'dist/cli.blob')).mtime;
      const path = { PATH: `${wrapperDirectory}:${process.env.PATH ?? ''}` };
      /** The outcome and the wrapper's log of one start with the version file `text` and the wrapper's modification time `time`. */
      const start = (text: string, time: Date): { outcome: Outcome; log: string[] } => {
        writeFileSync(version, text);
        utimesSync(wrapper, time, time);
        rmSync(log, { force: true });
        const outcome = copied(['parse', 'tcp'], path);
        return { outcome, log: existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [] };
      };
      const older = new Date(blobTime.getTime() - 3_600_000);
      const newer = new Date(blobTime.getTime() + 3_600_000);
      const blobStart = `${snapshotOptions()} --snapshot-blob ${join(copy, 'bin')}/../dist/cli.blob -- parse tcp`;
      try {
        // The very file that made it, older than the blob: straight to the snapshot.
        expect(start(versionText(process.version, wrapper), older)).toEqual({ outcome: snapshotOutcome(), log: [blobStart] });
        // Changed since the blob was made, another file named, or none: it is asked for its version first.
        expect(start(versionText(process.version, wrapper), newer)).toEqual({ outcome: snapshotOutcome(), log: ['--version', blobStart] });
        expect(start(versionText(process.version, '/bin/sh'), older)).toEqual({ outcome: snapshotOutcome(), log: ['--version', blobStart] });
        expect(start(versionText(process.version, ''), older)).toEqual({ outcome: snapshotOutcome(), log: ['--version', blobStart] });
        // Asked, it answers another version than the blob's: bin/pktfilter.js.
        expect(start(versionText('v0.0.1', '/bin/sh'), older)).toEqual({ outcome: scriptOutcome, log: ['--version', `${join(copy, 'bin')}/pktfilter.js parse tcp`] });
      } finally {
        writeFileSync(version, versionText(process.version, process.execPath));
      }
    });

    it('runs bin/pktfilter.js when the blob is missing', () => {
      const blob = join(copy, 'dist/cli.blob');
      cpSync(blob, `${blob}.away`);
      rmSync(blob);
      try {
        expect(copied(['parse', 'tcp'])).toEqual(scriptOutcome);
      } finally {
        cpSync(`${blob}.away`, blob);
        rmSync(`${blob}.away`);
      }
      expect(copied(['parse', 'tcp'])).toEqual(snapshotOutcome());
    });

    it('runs bin/pktfilter.js under NODE_OPTIONS (node refuses a blob under other V8 options)', () => {
      expect(copied(['parse', 'tcp'], { NODE_OPTIONS: '--max-old-space-size=300' })).toEqual(scriptOutcome);
      // Node would indeed refuse it: the fallback is needed, not just cautious.
      const refused = run(process.execPath, ['--max-old-space-size=300', '--snapshot-blob', join(copy, 'dist/cli.blob'), '--', 'parse', 'tcp']);
      expect(refused.status).not.toBe(0);
      expect(copied(['parse', 'tcp'], { NODE_OPTIONS: '' })).toEqual(snapshotOutcome());
    });

    it('passes arguments through unchanged in both ways (spaces, empty, leading dashes, --)', () => {
      const args = ['parse', '', ' a b ', '--', '-h', '*', '$HOME', 'é'];
      const version = join(copy, 'dist/cli.blob.version');
      writeFileSync(version, 'v0.0.1\n');
      try {
        expect(copied(args).stdout).toBe(`script entry ${JSON.stringify(args)}\n`);
      } finally {
        writeFileSync(version, versionText(process.version, process.execPath));
      }
      expect(run(launcher, args)).toEqual(direct(args));
    });
  });
});
