import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const pktfilter = (args: string[]) => spawnSync(process.execPath, ['bin/pktfilter.js', ...args], { encoding: 'utf8' });

describe('--hosts and --hosts-file (compile, filter, parse)', () => {
  let directory: string;
  let hosts: string;
  beforeAll(() => {
    execFileSync(process.execPath, ['scripts/build.mjs']);
    directory = mkdtempSync(join(tmpdir(), 'pktfilter-hosts-'));
    hosts = join(directory, 'hosts');
    writeFileSync(hosts, '# scenario 1: the overlay peer\n10.5.5.5\toverlay-peer peer\n172.20.0.11 tunnel-a\n');
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('compile: a name from the hosts file gives the program of its address', () => {
    const named = pktfilter(['compile', '-ddd', '--hosts-file', hosts, 'host', 'peer', 'or', 'src', 'tunnel-a']);
    const literal = pktfilter(['compile', '-ddd', 'host', '10.5.5.5', 'or', 'src', '172.20.0.11']);
    expect(named.status).toBe(0);
    expect(named.stdout).toBe(literal.stdout);
  });

  it('filter: counts the same frames by name as by address, and refuses an unknown name with a caret', () => {
    const capture = 'corpus/01-gre-overlay.pcap';
    const named = pktfilter(['filter', '--count', '--hosts-file', hosts, '-r', capture, 'gre and ip host overlay-peer']);
    const literal = pktfilter(['filter', '--count', '-r', capture, 'gre and ip host 10.5.5.5']);
    expect(named.status).toBe(0);
    expect(named.stdout).toBe(literal.stdout);
    expect(Number(literal.stdout.trim())).toBeGreaterThan(0);
    const unknown = pktfilter(['filter', '--count', '--hosts-file', hosts, '-r', capture, 'host nosuch']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/unknown host 'nosuch'/);
    expect(unknown.stderr).toContain('       ^^^^^^');
  });

  it('gives a clear error for a missing or unreadable hosts file', () => {
    expect(pktfilter(['compile', '--hosts-file']).stderr).toMatch(/--hosts-file needs a file name/);
    const missing = pktfilter(['compile', '--hosts-file', join(directory, 'absent'), 'host peer']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/cannot read hosts file/);
  });
});
