import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { compileFilter, compileToJs, decodePacket, readCapture } from '../src/index.js';
import { describeWithOracle, hasCommand } from './support/oracle.js';

const readme = readFileSync('README.md', 'utf8');
const firstCommand = readme.split('\n').find((line) => line.startsWith('npm ci && npx pktfilter'))!;
// `npx pktfilter filter -r FILE 'EXPRESSION'` as the README's first line writes it.
const [, file, expression] = /npx pktfilter filter -r (\S+) '([^']+)'/.exec(firstCommand) ?? [];

it('opens with the two set-up commands: the main job on a shipped capture, then npm test', () => {
  const lines = readme.split('\n');
  const block = lines.slice(lines.indexOf('```sh') + 1, lines.indexOf('```sh') + 3);
  expect(block).toEqual([firstCommand, 'npm ci && npm test']);
  expect(file && existsSync(file)).toBe(true);
});

describeWithOracle('the README main job', hasCommand('tcpdump', ['--version']), 'tcpdump', () => {
  it('prints the frames tcpdump selects', () => {
    if (!existsSync('dist/cli.js')) execFileSync(process.execPath, ['scripts/build.mjs']);
    const ours = spawnSync(process.execPath, ['bin/pktfilter.js', 'filter', '-r', file!, expression!], { encoding: 'utf8' });
    expect(ours.status).toBe(0);
    // tcpdump's --number counts only the packets that passed; ours is the frame's place in the file (as
    // Wireshark numbers it), so the frames are matched by their time of day instead.
    const theirs = execFileSync('tcpdump', ['-r', file!, '-nn', expression!], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, TZ: 'UTC' } });
    const ourTimes = ours.stdout.trim().split('\n').map((line) => line.trim().split(/\s+/)[1]);
    const theirTimes = theirs.trim().split('\n').map((line) => line.split(' ')[0]);
    expect(ourTimes.length).toBeGreaterThan(0);
    expect(ourTimes).toEqual(theirTimes);
  });
});

it('runs the library example of the README', async () => {
  // The README's loop, with a filter that selects scenario 5's SYNs.
  const accept = compileToJs(compileFilter('tcp[tcpflags] == tcp-syn', { linkType: 1 }));
  const synFlags: number[] = [];
  for await (const record of readCapture('corpus/05-tcp-timers.pcap')) {
    if (!accept(record.data, record.capturedLength, record.wireLength)) continue;
    const tcp = decodePacket(record.data, record.linkType).layers.find((layer) => layer.type === 'tcp');
    if (tcp?.type === 'tcp') synFlags.push(tcp.flags);
  }
  expect(synFlags.length).toBeGreaterThan(0);
  expect(synFlags.every((flags) => (flags & 0x3f) === 0x02)).toBe(true);
});
