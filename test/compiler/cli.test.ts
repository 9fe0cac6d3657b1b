/**
 * `pktfilter compile` and `pktfilter filter`, spawned as the built CLI: printed programs against
 * tcpdump's own -d/-dd/-ddd text where the programs coincide, the xt_bpf form run by libpcap on raw IP
 * packets, refusals, and `filter` against tcpdump --count and libpcap's per-packet verdicts (pcap and
 * multi-link-type pcapng).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { formatTcpdumpD, parseTcpdumpD } from '../../src/bpf/index.js';
import { readCaptureSync } from '../../src/capture/index.js';
import { LinkType } from '../../src/capture/linktype.js';
import { encodePcap } from '../../src/capture/pcap-writer.js';
import { encodePcapng } from '../../src/capture/pcapng-writer.js';
import { compileFilter } from '../../src/compiler/index.js';
import { fromCommaForm, libpcapAvailable, libpcapCompile, libpcapRun } from '../support/libpcap.js';
import { describeWithOracle, hasCommand } from '../support/oracle.js';
import { repositoryRoot } from './support/corpus.js';
import { harnessPackets } from './support/packets.js';

const cli = join(repositoryRoot, 'bin/pktfilter.js');
let directory = '';

function pktfilter(args: string[]): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function tcpdump(args: string[]): string {
  return execFileSync('tcpdump', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

describeWithOracle('pktfilter compile and filter (CLI)', libpcapAvailable() && hasCommand('tcpdump'), 'tcpdump, gcc and libpcap-dev', () => {
  const ethernetPackets = harnessPackets(LinkType.EN10MB, 150);
  const rawPackets = harnessPackets(LinkType.RAW, 150);
  let ethernetFile = '';
  let emptyFile = '';

  beforeAll(() => {
    execFileSync(process.execPath, [join(repositoryRoot, 'scripts/build.mjs')], { cwd: repositoryRoot, stdio: 'ignore' });
    directory = mkdtempSync(join(tmpdir(), 'pktfilter-compiler-cli-'));
    ethernetFile = join(directory, 'ethernet.pcap');
    writeFileSync(ethernetFile, encodePcap(ethernetPackets.map((p, i) => ({ data: p.data, wireLength: p.wireLength, timestampNs: 1_700_000_000_000_000_000n + BigInt(i) * 1_000_000n })), { linkType: LinkType.EN10MB, snaplen: 262144 }));
    emptyFile = join(directory, 'empty.pcap');
    writeFileSync(emptyFile, encodePcap([], { linkType: LinkType.EN10MB, snaplen: 262144 }));
  });
  afterAll(() => { if (directory) rmSync(directory, { recursive: true, force: true }); });

  it('prints -d, -dd and -ddd exactly as tcpdump does when the programs coincide', () => {
    const candidates = ['ip', 'arp', 'ip6', 'ether broadcast', 'less 100', 'greater 60', 'ether multicast', 'vlan', 'ip[9] = 6', 'tcp[13] = 2', 'ether proto 100'];
    const theirs = libpcapCompile(candidates, { linkType: LinkType.EN10MB });
    let same = 0;
    candidates.forEach((expression, i) => {
      const libpcap = theirs[i]!;
      if (same >= 3 || !libpcap.ok || JSON.stringify(libpcap.program) !== JSON.stringify(compileFilter(expression))) return;
      same++;
      for (const option of ['-d', '-dd', '-ddd']) {
        expect(pktfilter(['compile', option, expression]).stdout, `${option} ${expression}`).toBe(tcpdump(['-r', emptyFile, option, expression]));
      }
    });
    expect(same).toBe(3);
  });

  it('joins argument words as tcpdump does, and -d is the default', () => {
    const joined = pktfilter(['compile', 'tcp', 'port', '80', 'or', 'udp']);
    expect(joined.status).toBe(0);
    expect(joined.stdout).toBe(pktfilter(['compile', '-d', 'tcp port 80 or udp']).stdout);
    expect(parseTcpdumpD(joined.stdout)).toEqual(compileFilter('tcp port 80 or udp'));
  });

  it('honours -O0, -y, -s and -F (with # comments)', () => {
    expect(parseTcpdumpD(pktfilter(['compile', '-O0', 'tcp port 80']).stdout)).toEqual(compileFilter('tcp port 80', { optimize: false }));
    expect(parseTcpdumpD(pktfilter(['compile', '-y', 'LINUX_SLL', 'ip']).stdout)).toEqual(compileFilter('ip', { linkType: LinkType.LINUX_SLL }));
    const snapped = parseTcpdumpD(pktfilter(['compile', '-s', '96', 'udp']).stdout);
    expect(snapped.filter((i) => i.code === 0x06).map((i) => i.k).sort()).toEqual([0, 96]);
    const file = join(directory, 'filter.txt');
    writeFileSync(file, '# DNS queries only\nudp dst port 53   # to the resolver\n  and udp[10] & 0x80 = 0\n');
    expect(parseTcpdumpD(pktfilter(['compile', '-F', file]).stdout)).toEqual(compileFilter('udp dst port 53 and udp[10] & 0x80 = 0'));
    expect(pktfilter(['compile', '-y', 'NOSUCH', 'ip']).status).toBe(2);
  });

  it('emits the xt_bpf comma form for raw IP by default, and libpcap runs it as it runs its own program', () => {
    const expression = 'tcp[tcpflags] == tcp-syn and dst port 443 or udp dst port 53';
    const out = pktfilter(['compile', '--xt-bpf', expression]);
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/^\d+(,\d+ \d+ \d+ \d+)+\n$/);
    const ours = fromCommaForm(out.stdout.trim());
    expect(Number(out.stdout.split(',')[0])).toBe(ours.length);
    const theirs = libpcapCompile([expression], { linkType: 12 })[0]!;
    expect(theirs.ok).toBe(true);
    const [mine, libpcap] = libpcapRun([ours, theirs.ok ? theirs.program : []], rawPackets, LinkType.RAW);
    expect(mine).toEqual(libpcap);
    expect(mine!.some((v) => v !== 0)).toBe(true);
  });

  it('refuses what libpcap refuses, with its message and a non-zero exit', () => {
    const refused = pktfilter(['compile', 'tcp and udp']);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('expression rejects all packets');
    const division = pktfilter(['compile', 'len / 0 = 1']);
    expect(division.status).toBe(1);
    expect(division.stderr).toContain('division by zero');
    // A refused expression: the reason on one line, then the expression with a caret under the bad token
    // (as `pktfilter parse` shows it), and no stack trace.
    const syntax = pktfilter(['compile', 'tcp port']);
    expect(syntax.status).not.toBe(0);
    const lines = syntax.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^pktfilter compile: /);
    expect(lines[1]).toBe('  tcp port');
    expect(lines[2]).toBe('          ^'); // at the end, where the port number is missing
  });

  it('filter --count agrees with tcpdump --count', () => {
    for (const expression of ['udp port 53 or arp', 'vlan and ip', 'not ip and not arp', 'pppoes and tcp']) {
      const ours = pktfilter(['filter', '-r', ethernetFile, '--count', expression]);
      expect(ours.status).toBe(0);
      const theirs = tcpdump(['--count', '-r', ethernetFile, expression]).trim();
      expect(`${ours.stdout.trim()} packets`, expression).toBe(theirs);
    }
  });

  it('filter prints the matching frames (1-based) that libpcap accepts, with either engine, and -c stops early', () => {
    const expression = 'tcp or icmp';
    const theirs = libpcapCompile([expression], { linkType: LinkType.EN10MB })[0]!;
    if (!theirs.ok) throw new Error(theirs.error);
    const verdicts = libpcapRun([theirs.program], ethernetPackets)[0]!;
    const expected = verdicts.flatMap((v, i) => (v !== 0 ? [i + 1] : []));
    expect(expected.length).toBeGreaterThan(3);
    for (const engine of ['js', 'interp']) {
      const out = pktfilter(['filter', '-r', ethernetFile, '--engine', engine, expression]);
      expect(out.status).toBe(0);
      expect(out.stdout.trim().split('\n').map((line) => Number(line.trim().split(/\s+/)[0]))).toEqual(expected);
    }
    const json = pktfilter(['filter', '-r', ethernetFile, '--json', expression]).stdout.trim().split('\n').map((line) => JSON.parse(line) as { frame: number });
    expect(json.map((j) => j.frame)).toEqual(expected);
    expect(pktfilter(['filter', '-r', ethernetFile, '-c', '2', expression]).stdout.trim().split('\n')).toHaveLength(2);
  });

  it('filter --engine direct prints the frames libpcap\'s unoptimized program accepts, on pcap and pcapng (-w too)', () => {
    const pcapng = join(directory, 'direct.pcapng');
    writeFileSync(pcapng, encodePcapng(ethernetPackets.map((p, i) => ({ data: p.data, wireLength: p.wireLength, timestampNs: BigInt(i), interfaceIndex: 0 })), { interfaces: [{ linkType: LinkType.EN10MB }] }));
    for (const expression of ['tcp or icmp', 'udp port 53 or arp', 'vlan and tcp[13] & 2 != 0', 'ip[6:2] & 0x1fff != 0 or len > 200']) {
      const theirs = libpcapCompile([expression], { linkType: LinkType.EN10MB, optimize: false })[0]!;
      if (!theirs.ok) throw new Error(theirs.error);
      const verdicts = libpcapRun([theirs.program], ethernetPackets)[0]!;
      const expected = verdicts.flatMap((v, i) => (v !== 0 ? [i + 1] : []));
      for (const file of [ethernetFile, pcapng]) {
        const out = pktfilter(['filter', '-r', file, '--engine', 'direct', expression]);
        expect(out.status, out.stderr).toBe(0);
        expect(out.stdout.trim().split('\n').filter((line) => line !== '').map((line) => Number(line.trim().split(/\s+/)[0])), `${expression} on ${file}`).toEqual(expected);
      }
      const written = join(directory, 'direct-out.pcapng');
      expect(pktfilter(['filter', '-r', pcapng, '--engine', 'direct', '-w', written, expression]).status).toBe(0);
      expect(readCaptureSync(new Uint8Array(readFileSync(written))).records.length, expression).toBe(expected.length);
    }
    // protochain falls back to BPF->JS; -j and --program are refused with a reason.
    expect(pktfilter(['filter', '-r', ethernetFile, '--engine', 'direct', '--count', 'ip protochain 6']).status).toBe(0);
    const jobs = pktfilter(['filter', '-r', ethernetFile, '--engine', 'direct', '-j', '2', 'tcp']);
    expect(jobs.status).not.toBe(0);
    expect(jobs.stderr).toMatch(/--engine direct runs in one thread/);
    expect(pktfilter(['filter', '-r', ethernetFile, '--engine', 'direct', '--program', join(directory, 'x.bpf')]).stderr).toMatch(/--engine direct compiles an EXPRESSION/);
  });

  it('filter -w writes the matching records unchanged, and --program runs a program file', () => {
    const out = join(directory, 'matches.pcap');
    expect(pktfilter(['filter', '-r', ethernetFile, '-w', out, 'udp']).status).toBe(0);
    const written = readCaptureSync(new Uint8Array(readFileSync(out))).records;
    const program = compileFilter('udp');
    const verdicts = libpcapRun([program], ethernetPackets)[0]!;
    const expected = ethernetPackets.filter((_, i) => verdicts[i] !== 0);
    expect(written.map((r) => Buffer.from(r.data).toString('hex'))).toEqual(expected.map((p) => Buffer.from(p.data).toString('hex')));
    expect(written.map((r) => r.wireLength)).toEqual(expected.map((p) => p.wireLength));
    const programFile = join(directory, 'udp.bpf');
    writeFileSync(programFile, formatTcpdumpD(program));
    expect(pktfilter(['filter', '-r', ethernetFile, '--program', programFile, '--count']).stdout.trim()).toBe(String(expected.length));
  });

  it('filter compiles per interface on a pcapng file that mixes link types', () => {
    const file = join(directory, 'mixed.pcapng');
    const records = [
      ...ethernetPackets.slice(0, 60).map((p, i) => ({ data: p.data, wireLength: p.wireLength, timestampNs: BigInt(i), interfaceIndex: 0 })),
      ...rawPackets.slice(0, 60).map((p, i) => ({ data: p.data, wireLength: p.wireLength, timestampNs: BigInt(100 + i), interfaceIndex: 1 })),
    ];
    writeFileSync(file, encodePcapng(records, { interfaces: [{ linkType: LinkType.EN10MB }, { linkType: LinkType.RAW }] }));
    const expression = 'ip and (tcp or udp)';
    const onEthernet = libpcapRun([libpcapCompile([expression], { linkType: LinkType.EN10MB }).map((r) => (r.ok ? r.program : []))[0]!], ethernetPackets.slice(0, 60))[0]!;
    const onRaw = libpcapRun([libpcapCompile([expression], { linkType: 12 }).map((r) => (r.ok ? r.program : []))[0]!], rawPackets.slice(0, 60), LinkType.RAW)[0]!;
    const expected = [...onEthernet, ...onRaw].flatMap((v, i) => (v !== 0 ? [i + 1] : []));
    const out = pktfilter(['filter', '-r', file, expression]);
    expect(out.status).toBe(0);
    expect(out.stdout.trim().split('\n').map((line) => Number(line.trim().split(/\s+/)[0]))).toEqual(expected);
  });

  it('filter reports a missing file and a refused expression as one line with a non-zero exit', () => {
    const missing = pktfilter(['filter', '-r', join(directory, 'nope.pcap'), 'tcp']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/no such file/);
    const refused = pktfilter(['filter', '-r', ethernetFile, 'tcp and udp']);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('expression rejects all packets');
    expect(pktfilter(['filter', 'tcp']).status).toBe(2);
  });
});
