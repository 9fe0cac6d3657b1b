/**
 * `pktfilter bpf` and `pktfilter run` through the built CLI (node bin/pktfilter.js after scripts/build.mjs):
 * printing in every format, validation errors, and run's per-packet results against libpcap's bpf_filter.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatProgram, parseProgram } from '../../src/bpf/index.js';
import { encodePcap } from '../../src/capture/pcap-writer.js';
import { describeWithOracle } from '../support/oracle.js';
import { libpcapAvailable, libpcapCompile, libpcapRun } from '../support/libpcap.js';
import { randomPacket } from './program-arbitrary.js';

const root = resolve(import.meta.dirname, '../..');
const directory = mkdtempSync(join(tmpdir(), 'pktfilter-bpf-cli-'));
const cli = (args: string[], input?: string): { status: number | null; stdout: string; stderr: string } =>
  spawnSync(process.execPath, [join(root, 'bin/pktfilter.js'), ...args], { cwd: root, encoding: 'utf8', input });

beforeAll(() => { execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'pipe' }); });
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const ipAsm = 'ldh [12]\njeq #0x800, accept\nret #0\naccept: ret #65535\n';

describe('pktfilter bpf', () => {
  it('prints a program in every format, reading any format from a file or stdin', () => {
    const file = join(directory, 'ip.asm');
    writeFileSync(file, ipAsm);
    const program = parseProgram(ipAsm);
    const flags = { '-d': 'd', '-dd': 'dd', '-ddd': 'ddd', '--asm': 'asm', '--xt-bpf': 'comma', '--dot': 'dot' } as const;
    for (const [flag, format] of Object.entries(flags)) {
      const result = cli(['bpf', flag, file]);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toBe(formatProgram(program, format));
      if (format !== 'dot') expect(parseProgram(cli(['bpf', '-ddd', '-'], result.stdout).stdout)).toEqual(program);
    }
    expect(cli(['bpf', file]).stdout).toBe(formatProgram(program, 'd'));
  });

  it('reports validation failures naming the instruction and rule, with exit code 1', () => {
    const result = cli(['bpf', '--validate', 'kernel', '-'], 'ld M[1]\nret a\n');
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('pktfilter bpf: -: invalid program (kernel rules): instruction 0: M[1] may be read before any store to it [scratch-read-before-store]\n');
    expect(cli(['bpf', '-'], 'ld M[1]\nret a\n').status).toBe(0);
  });

  it('reports bad input clearly', () => {
    expect(cli(['bpf', join(directory, 'missing.asm')])).toMatchObject({ status: 1, stderr: expect.stringMatching(/cannot read program file .*missing\.asm: no such file/) });
    expect(cli(['bpf', '-'], 'ldh [12]\nbogus\n')).toMatchObject({ status: 1, stderr: expect.stringMatching(/standard input: line 2: unknown instruction 'bogus'/) });
    expect(cli(['bpf', '-'], '')).toMatchObject({ status: 1, stderr: expect.stringMatching(/empty/) });
    expect(cli(['bpf', '--validate', 'bsd', '-'])).toMatchObject({ status: 2, stderr: expect.stringMatching(/--validate takes libpcap or kernel/) });
    expect(cli(['bpf', '-d', '-dd', '-'])).toMatchObject({ status: 2 });
    expect(cli(['bpf'])).toMatchObject({ status: 2, stderr: expect.stringMatching(/missing PROGRAM_FILE/) });
  });
});

describeWithOracle('pktfilter run', libpcapAvailable(), 'gcc with libpcap-dev', () => {
  it('prints the return value of every packet in frame order, as libpcap computes it, with both engines', () => {
    const packets = fc.sample(randomPacket(80), { numRuns: 300, seed: 42 });
    const capture = join(directory, 'random.pcap');
    writeFileSync(capture, encodePcap(packets.map((p) => ({ data: p.data, wireLength: p.wireLength, timestampNs: 0n })), { linkType: 1, snaplen: 65535 }));
    const filters = ['ip', 'tcp port 80', 'ip[6:2] & 0x1fff != 0', 'len > 100 and ip[2:2] < 1000', 'ip[0] & 0xf > 5 and udp'];
    for (const result of libpcapCompile(filters, { linkType: 1 })) {
      if (!result.ok) throw new Error(result.error);
      const file = join(directory, 'program.txt');
      writeFileSync(file, formatProgram(result.program, 'comma'));
      const [expected] = libpcapRun([result.program], packets);
      for (const engine of ['interp', 'js']) {
        const output = cli(['run', '--engine', engine, '-r', capture, file]);
        expect(output.stderr).toBe('');
        expect(output.stdout).toBe(expected!.map((v) => `${v}\n`).join(''));
      }
    }
  });

  it('names the frame where a program exhausts its step budget, and rejects bad captures', () => {
    const capture = join(directory, 'one.pcap');
    writeFileSync(capture, encodePcap([{ data: new Uint8Array(20), timestampNs: 0n }, { data: new Uint8Array(20), timestampNs: 0n }], { linkType: 1 }));
    const file = join(directory, 'forever.asm');
    writeFileSync(file, 'top: ld #1\nja top\nret a\n');
    for (const engine of ['interp', 'js']) {
      const result = cli(['run', '--engine', engine, '-r', capture, file]);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/^pktfilter run: frame 1: program exceeded its budget/);
    }
    const notCapture = join(directory, 'garbage.pcap');
    writeFileSync(notCapture, 'this is not a capture file at all');
    writeFileSync(file, ipAsm);
    expect(cli(['run', '-r', notCapture, file])).toMatchObject({ status: 1, stderr: expect.stringMatching(/^pktfilter run: .*garbage\.pcap/) });
  });
});
