/** `pktfilter parse` through the built CLI (node bin/pktfilter.js, after node scripts/build.mjs). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cli = (...args: string[]) => spawnSync('node', [join(root, 'bin/pktfilter.js'), 'parse', ...args], { cwd: root, encoding: 'utf8' });

beforeAll(() => {
  const build = spawnSync('node', ['scripts/build.mjs'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`build failed: ${build.stderr}`);
});

describe('pktfilter parse', () => {
  it('joins the words as tcpdump does and prints the canonical text', () => {
    const result = cli('tcp', 'port', '80', 'or', '443');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('tcp port 80 or tcp port 443\n');
  });

  it('prints the tree as JSON with spans', () => {
    const result = cli('--json', 'host 1.2.3.4 or 1.2.3.5');
    expect(result.status).toBe(0);
    const tree = JSON.parse(result.stdout);
    expect(tree.kind).toBe('or');
    expect(tree.right).toMatchObject({ kind: 'qualified', type: 'host', inherited: true, id: { kind: 'ipv4', text: '1.2.3.5' }, span: { start: 16, end: 23 } });
  });

  it('reports a refused expression with its reason and a caret, exit status 1', () => {
    const result = cli('ip6 host 1.2.3.4');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("'ip6' modifier applied to ip host");
    expect(result.stderr).toContain('  ip6 host 1.2.3.4\n           ^^^^^^^');
  });

  it('names an unknown host, and resolves names from a hosts file when asked', () => {
    const refused = cli('host', 'myrouter');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("unknown host 'myrouter'");
    const directory = mkdtempSync(join(tmpdir(), 'pktfilter-hosts-'));
    try {
      const hosts = join(directory, 'hosts');
      writeFileSync(hosts, '# test hosts\n10.9.8.7 myrouter router\n');
      const accepted = cli('--hosts-file', hosts, 'host', 'myrouter');
      expect(accepted.status).toBe(0);
      expect(accepted.stdout).toBe('host myrouter\n');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('prints its usage with --help', () => {
    const result = cli('--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('usage: pktfilter parse [--json]');
  });

  it('refuses a missing expression and an unknown option as usage errors (exit status 2)', () => {
    expect(cli().status).toBe(2);
    const unknown = cli('--frobnicate', 'tcp');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--frobnicate'");
  });
});
