/**
 * `pktfilter decode` end to end: the built CLI (`node bin/pktfilter.js`) over pcap and pcapng files,
 * its `-T fields` output compared byte for byte with tshark's, and its errors.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinkType } from '../../src/capture/linktype.js';
import { encodePcapng } from '../../src/capture/index.js';
import { encodePcap } from '../../src/capture/pcap-writer.js';
import { buildPacket } from '../../src/packet/build/index.js';
import { describeWithOracle } from '../support/oracle.js';
import { tsharkAvailable } from './support/tshark.js';

const directory = mkdtempSync(join(tmpdir(), 'pktfilter-decode-cli-'));
const packets = [
  buildPacket([{ type: 'ethernet' }, { type: 'vlan', vlanId: 10 }, { type: 'ipv4', dontFragment: true }, { type: 'gre', keyPresent: true, key: 1 }, { type: 'ethernet' }, { type: 'ipv4', source: '10.5.5.5' }, { type: 'icmp' }]),
  buildPacket([{ type: 'ethernet' }, { type: 'ipv4' }, { type: 'tcp', sourcePort: 40000, destinationPort: 443, flags: 0x02 }]),
  buildPacket([{ type: 'ethernet' }, { type: 'ipv6' }, { type: 'udp', sourcePort: 40000, destinationPort: 4789 }, { type: 'vxlan', vni: 5 }, { type: 'ethernet' }, { type: 'arp' }]),
  buildPacket([{ type: 'ethernet' }, { type: 'ipv4' }, { type: 'icmp', icmpType: 3, code: 4, restOfHeader: 1400 }, { type: 'ipv4' }, { type: 'udp' }]),
];
const pcap = join(directory, 'mix.pcap');
const pcapng = join(directory, 'mix.pcapng');
const damaged = join(directory, 'damaged.pcap');
const records = packets.map((data, i) => ({ data, timestampNs: 1_700_000_000_000_000_000n + BigInt(i) * 1_000_000n }));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['bin/pktfilter.js', 'decode', ...args], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  // `npm test` builds before running the tests; build here only when run on a fresh checkout.
  if (!existsSync('dist/cli.js')) {
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`build failed: ${build.stderr}`);
  }
  const file = encodePcap(records, { linkType: LinkType.EN10MB });
  writeFileSync(pcap, file);
  writeFileSync(pcapng, encodePcapng(records, { interfaces: [{ linkType: LinkType.EN10MB }] }));
  // The last record loses its last 10 bytes: three good records, then a truncated one.
  writeFileSync(damaged, file.subarray(0, file.length - 10));
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('pktfilter decode', () => {
  it('prints one numbered tcpdump-like line per packet, from pcap and pcapng alike', () => {
    const result = cli('-r', pcap);
    expect(result.status).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines.map((l) => l.slice(0, 7))).toEqual(['    1  ', '    2  ', '    3  ', '    4  ']);
    expect(lines[0]).toContain('GREv0, key=0x1');
    expect(lines[0]).toContain('IP 10.5.5.5 > ');
    expect(lines[1]).toMatch(/IP 192\.0\.2\.1\.40000 > [\d.]+\.443: Flags \[S\]/);
    expect(cli('-r', pcapng).stdout).toBe(result.stdout);
  });

  it('adds link-level headers with -e and stops after -c packets', () => {
    const result = cli('-r', pcap, '-e', '-c', '2');
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(2);
    expect(result.stdout).toMatch(/02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype 802\.1Q \(0x8100\)/);
  });

  it('prints every layer and field as one JSON object per packet', () => {
    const lines = cli('-r', pcap, '--json').stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { frame: number; layers: { type: string; offset: number }[] });
    expect(lines.map((l) => l.frame)).toEqual([1, 2, 3, 4]);
    expect(lines[2]!.layers.map((l) => l.type)).toEqual(['ethernet', 'ipv6', 'udp', 'vxlan', 'ethernet', 'arp']);
    expect(lines[0]!.layers[5]).toMatchObject({ type: 'ipv4', source: '10.5.5.5', offset: 60 });
  });

  it('lists every field with its offset and tcpdump expression with --offsets', () => {
    const result = cli('-r', pcap, '--offsets', '-c', '1');
    expect(result.stdout).toContain('#5 ipv4.source = 10.5.5.5  @72 size 4  ip[54:4]  [vlan and ip[54:4] = 0xa050505]');
  });

  it('stops quietly, exit 0 and nothing on stderr, when the reader closes stdout early (| head -1)', () => {
    // 40,000 records: megabytes of output, far more than a pipe holds, so writes fail with EPIPE after head exits.
    const many = join(directory, 'many.pcap');
    writeFileSync(many, encodePcap(Array.from({ length: 40_000 }, (_, i) => records[i % records.length]!), { linkType: LinkType.EN10MB }));
    for (const mode of [[], ['--json'], ['--offsets']]) {
      const result = spawnSync('bash', ['-c', 'set -o pipefail; "$0" bin/pktfilter.js decode -r "$1" "${@:2}" | head -1', process.execPath, many, ...mode], { encoding: 'utf8' });
      expect(result.stderr, mode.join(' ')).toBe('');
      expect(result.status, mode.join(' ')).toBe(0);
      expect(result.stdout.split('\n')).toHaveLength(2);
    }
  });

  it('prints the good records of a damaged file, then one error line, and exits 1', () => {
    const result = cli('-r', damaged);
    expect(result.status).toBe(1);
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(3);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^pktfilter decode: .*damaged\.pcap: .*truncated.*at byte offset \d+/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects a missing file, unknown fields and bad options with one line', () => {
    expect(cli('-r', join(directory, 'absent.pcap'))).toMatchObject({ status: 1, stderr: expect.stringMatching(/cannot read .*absent\.pcap.*ENOENT/) });
    expect(cli('-r', directory)).toMatchObject({ status: 1, stderr: expect.stringMatching(/cannot read .*EISDIR/) });
    expect(cli('-r', 'package.json')).toMatchObject({ status: 1, stderr: expect.stringMatching(/package\.json: .*not a pcap or pcapng file/) });
    expect(cli('-r', pcap, '-T', 'fields', '-e', 'no.such')).toMatchObject({ status: 2, stderr: expect.stringMatching(/unknown or unsupported field 'no\.such'/) });
    expect(cli('-r', pcap, '-c', '0')).toMatchObject({ status: 2, stderr: expect.stringMatching(/invalid count/) });
    expect(cli('-r', pcap, '--json', '--offsets').status).toBe(2);
    expect(cli().status).toBe(2);
  });
});

describeWithOracle('pktfilter decode -T fields against tshark', tsharkAvailable(), 'tshark', () => {
  it('prints exactly what tshark -T fields prints', () => {
    const fields = ['frame.number', 'frame.len', 'eth.src', 'eth.type', 'vlan.id', 'ip.src', 'ip.dst', 'ip.flags.df', 'ip.proto', 'gre.key', 'gre.proto',
      'udp.dstport', 'vxlan.vni', 'tcp.flags', 'tcp.flags.syn', 'icmp.type', 'icmp.mtu', 'ipv6.src', 'arp.opcode', 'arp.src.proto_ipv4'];
    const args = fields.flatMap((f) => ['-e', f]);
    const ours = cli('-r', pcap, '-T', 'fields', ...args);
    const tshark = spawnSync('tshark', ['-n', '-r', pcap, '-T', 'fields', ...args], { encoding: 'utf8' });
    expect(ours.status).toBe(0);
    expect(ours.stdout).toBe(tshark.stdout);
  });

  it('takes tshark\'s -o ip.defragment:FALSE and then matches it on the GRE overlay corpus capture (which has fragments)', () => {
    const args = ['-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE', '-T', 'fields', '-e', 'frame.number', '-e', 'ip.src', '-e', 'ip.flags.mf', '-e', 'gre.key', '-e', 'tcp.srcport', '-e', 'icmp.type'];
    const capture = join(process.cwd(), 'corpus', '01-gre-overlay.pcap');
    const ours = cli('-r', capture, ...args);
    const tshark = spawnSync('tshark', ['-n', '-r', capture, ...args], { encoding: 'utf8' });
    expect(ours.status).toBe(0);
    expect(ours.stdout.length).toBeGreaterThan(0);
    expect(ours.stdout).toBe(tshark.stdout);
  });
});
