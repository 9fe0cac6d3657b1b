/**
 * The build's start-up pieces, in a fresh build of their own (a temporary copy of bin/ and scripts/ with the
 * sources linked): bin/pktfilter.js runs the script form with a code cache V8 accepts; the CLI gives the same
 * output without the cache and without the script form; the worker bundle holds no filter parser or
 * compiler and its workers count what tcpdump counts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LinkType } from '../../src/capture/linktype.js';
import { encodePcap } from '../../src/capture/pcap-writer.js';
import { arbitraryPacket } from '../../src/packet/arbitrary/index.js';
import { describeWithOracle, hasCommand } from '../support/oracle.js';

const repositoryRoot = join(import.meta.dirname, '../..');

describeWithOracle('the CLI build (fresh, in a temporary directory)', hasCommand('tcpdump'), 'tcpdump', () => {
  let root = '';
  let capture = '';
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'pktfilter-build-'));
    for (const name of ['src', 'node_modules', 'package.json']) symlinkSync(join(repositoryRoot, name), join(root, name));
    // bin/ and scripts/ are copied: bin finds dist/ beside itself, and node resolves a linked file to its target.
    for (const [directory, file] of [['bin', 'pktfilter.js'], ['bin', 'snapshot-entry.mjs'], ['scripts', 'build.mjs']]) {
      mkdirSync(join(root, directory), { recursive: true });
      copyFileSync(join(repositoryRoot, directory, file), join(root, directory, file));
    }
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'ignore' });
    const list = fc.sample(arbitraryPacket({ linkType: LinkType.EN10MB }), { numRuns: 300, seed: 4242 });
    capture = join(root, 'sample.pcap');
    writeFileSync(capture, encodePcap(list.map((p, i) => ({ data: p.data, wireLength: p.wireLength, timestampNs: 1_700_000_000_000_000_000n + BigInt(i) * 1000n })), { linkType: LinkType.EN10MB }));
  }, 120_000);
  afterAll(() => { if (root) rmSync(root, { recursive: true, force: true }); });

  const cli = (args: string[]): { status: number; stdout: string; stderr: string } => {
    const result = spawnSync(process.execPath, [join(root, 'bin/pktfilter.js'), ...args], { encoding: 'utf8' });
    return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
  };
  const tcpdumpCount = (expression: string): string =>
    /^(\d+) packets?/m.exec(execFileSync('tcpdump', ['-r', capture, '--count', expression], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))![1]!;

  it('stores a code cache that V8 accepts for the script form, marked with the build\'s identity', () => {
    const source = readFileSync(join(root, 'dist/cli-script.js'), 'utf8');
    const identity = source.slice(0, source.indexOf('\n') + 1);
    expect(identity).toMatch(/^\/\* pktfilter build [0-9a-f-]{36} \*\/\n$/);
    expect(readFileSync(join(root, 'dist/cli-script.cache')).subarray(0, identity.length).toString('latin1')).toBe(identity);
    const script = `
      const { readFileSync } = require('node:fs');
      const { Script } = require('node:vm');
      const file = ${JSON.stringify(join(root, 'dist/cli-script.js'))};
      const cache = readFileSync(file.replace(/\\.js$/, '.cache')).subarray(${identity.length});
      const script = new Script(readFileSync(file, 'utf8'), { filename: file, cachedData: cache });
      process.stdout.write(String(script.cachedDataRejected));`;
    expect(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })).toBe('false');
  });

  it('counts what tcpdump counts with -j 1 and -j 2, and prints the same with or without the cache and the script form', () => {
    const expressions = ['ip', 'tcp port 80 or udp port 53', 'vlan and tcp'];
    const outputs = (): string[] => expressions.flatMap((expression) => {
      const counted = ['1', '2'].map((jobs) => cli(['filter', '-r', capture, '-j', jobs, '--fragment-size', '4096', '--count', expression]));
      for (const run of counted) expect({ status: run.status, stdout: run.stdout.trim() }, expression).toEqual({ status: 0, stdout: tcpdumpCount(expression) });
      return [counted[0]!.stdout, cli(['filter', '-r', capture, '-j', '2', '--fragment-size', '4096', expression]).stdout, cli(['filter', '-r', capture, expression]).stdout];
    });
    const withCache = outputs();
    const cache = join(root, 'dist/cli-script.cache');
    const script = join(root, 'dist/cli-script.js');
    renameSync(cache, `${cache}.away`);
    try {
      expect(outputs()).toEqual(withCache);
      renameSync(script, `${script}.away`);
      try {
        // Only the ES module form is left: bin imports it.
        expect(outputs()).toEqual(withCache);
      } finally {
        renameSync(`${script}.away`, script);
      }
    } finally {
      renameSync(`${cache}.away`, cache);
    }
    // A cache of another build, and a cache V8 rejects (garbage after the right identity), are ignored.
    const saved = readFileSync(cache);
    const identityLength = saved.indexOf(0x0a) + 1;
    for (const replacement of [Buffer.concat([Buffer.from('/* pktfilter build 00000000-0000-0000-0000-000000000000 */\n'), saved.subarray(identityLength)]), Buffer.concat([saved.subarray(0, identityLength), Buffer.from('not a code cache')])]) {
      writeFileSync(cache, replacement);
      try {
        expect(outputs()).toEqual(withCache);
      } finally {
        writeFileSync(cache, saved);
      }
    }
  });

  it('keeps the filter parser and the compiler out of the worker bundle', () => {
    const worker = readFileSync(join(root, 'dist/filter-worker.js'), 'utf8');
    const cliBundle = readFileSync(join(root, 'dist/cli.js'), 'utf8');
    // The same markers are in the CLI bundle, so their absence from the worker bundle means something.
    for (const marker of ['performSelfAnalysis', 'function compileFilter(']) {
      expect(cliBundle).toContain(marker);
      expect(worker).not.toContain(marker);
    }
  });
});
