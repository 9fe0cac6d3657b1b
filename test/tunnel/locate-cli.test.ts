/**
 * `pktfilter locate`, spawned as the built CLI on seed 001's capture: the text and JSON forms, the field
 * listing, errors for bad frames and fields, and the printed guarded filter run by real tcpdump.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PacketDecoder, fieldsOfLayers } from '../../src/packet/index.js';
import { readCaptureSync } from '../../src/capture/index.js';
import { describeWithOracle, hasCommand } from '../support/oracle.js';
import { tcpdumpSelect } from './support/tcpdump.js';
import { readFileSync } from 'node:fs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cli = join(root, 'bin/pktfilter.js');
const capture = join(root, 'corpus/01-gre-overlay.pcap');
let directory = '';

function pktfilter(args: string[]): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'pipe' });
  directory = mkdtempSync(join(tmpdir(), 'pktfilter-locate-'));
}, 120_000);
afterAll(() => { if (directory) rmSync(directory, { recursive: true, force: true }); });

describe('pktfilter locate', () => {
  it('prints value, expression, filter, assumptions and guarded filter for seed 001 frame 1', () => {
    const { status, stdout, stderr } = pktfilter(['locate', '-r', capture, '-n', '1', 'ipv4.destination', 'ipv4.source']);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toContain('ipv4.destination (layer #5, byte 76, 4 bytes) = 10.5.5.5');
    expect(stdout).toContain('  expression:     ip[58:4]\n');
    expect(stdout).toContain('  filter:         vlan and proto gre and ip[58:4] = 0x0a050505\n');
    expect(stdout).toMatch(/- ipv4 at byte 18 \(layer #2\) has a 20-byte header: IHL 5 {2}\[guard: ip\[0\] & 0x0f = 5\]/);
    expect(stdout).toMatch(/- gre at byte 38 \(layer #3\) has flags C=0 R=0 K=1 S=0 version 0, so its header is 8 bytes {2}\[guard: ip\[20:2\] & 0xf007 = 0x2000\]/);
    expect(stdout).toMatch(/ethernet at byte 46 \(layer #4\) has EtherType 0x0800 \(ipv4\), so no 802\.1Q tag follows {2}\[guard: ip\[40:2\] = 0x0800\]/);
    expect(stdout).toContain('  expression:     ip[54:4]\n');
    expect(stdout).toMatch(/guarded filter: vlan and proto gre and ip\[58:4\] = 0x0a050505 and .*ip\[22:2\] = 0x6558/);
  });

  it('--json carries the same derivation', () => {
    const { status, stdout } = pktfilter(['locate', '-r', capture, '-n', '1', '--json', 'ipv4.destination']);
    expect(status).toBe(0);
    const parsed = JSON.parse(stdout) as { frame: number; fields: { expression: string; filter: string; guards: string[]; assumptions: unknown[]; value: string }[] };
    expect(parsed.frame).toBe(1);
    expect(parsed.fields[0]!.expression).toBe('ip[58:4]');
    expect(parsed.fields[0]!.value).toBe('10.5.5.5');
    expect(parsed.fields[0]!.guards.length).toBe(parsed.fields[0]!.assumptions.length - 2);
  });

  it('without FIELD lists every field of the frame with its expression', () => {
    const { status, stdout } = pktfilter(['locate', '-r', capture, '-n', '1']);
    expect(status).toBe(0);
    const { records } = readCaptureSync(readFileSync(capture));
    const fields = fieldsOfLayers(new PacketDecoder().decode(records[0]!.data, 1));
    expect(stdout.trimEnd().split('\n').length).toBe(fields.length + 1);
    expect(stdout).toContain('  #5 ipv4.destination = 10.5.5.5  @76 size 4  ip[58:4]\n');
  });

  it.each([
    [['-n', '99', 'ipv4.destination'], 1, /frame 99 is out of range: '.*01-gre-overlay\.pcap' has 16 frames/],
    [['-n', '1', 'ipv4.destinaton'], 1, /frame 1: ipv4\.destinaton: field 'ipv4\.destinaton' is not in this frame/],
    [['-n', '1', 'vxlan.vni'], 1, /'vxlan\.vni' is not in this frame, which decodes as ethernet\/vlan\/ipv4\/gre/],
    [['-n', '0', 'ipv4.destination'], 2, /invalid frame number '0'/],
    [['ipv4.destination'], 2, /-n FRAME is required/],
    [['-n', '1', 'ipv4'], 2, /invalid field 'ipv4'/],
    [['-n', '1', '--bogus'], 2, /unknown option '--bogus'/],
  ])('refuses %j with exit %i and one clear line', (args, code, message) => {
    const { status, stdout, stderr } = pktfilter(['locate', '-r', capture, ...args]);
    expect(status).toBe(code);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('reports a missing file and a damaged capture', () => {
    expect(pktfilter(['locate', '-r', join(directory, 'missing.pcap'), '-n', '1']).stderr).toMatch(/cannot read '.*missing\.pcap': ENOENT/);
    const damaged = join(directory, 'damaged.pcap');
    writeFileSync(damaged, readFileSync(capture).subarray(0, 100));
    const result = pktfilter(['locate', '-r', damaged, '-n', '2']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/truncated|before frame 2/);
  });
});

describeWithOracle('pktfilter locate output run by real tcpdump', hasCommand('tcpdump', ['--version']), 'tcpdump', () => {
  it('the printed guarded filter selects frame 1 and the other tagged frames to 10.5.5.5, and no untagged one', () => {
    const { stdout } = pktfilter(['locate', '-r', capture, '-n', '1', '--json', 'ipv4.destination']);
    const parsed = JSON.parse(stdout) as { fields: { guardedFilter: string; filter: string }[] };
    const selected = tcpdumpSelect(capture, parsed.fields[0]!.guardedFilter);
    expect(selected).toContain(0);
    expect(selected).toEqual(tcpdumpSelect(capture, parsed.fields[0]!.filter));
    const { records } = readCaptureSync(readFileSync(capture));
    for (const index of selected) expect(records[index]!.data[12]).toBe(0x81);
  });
});
