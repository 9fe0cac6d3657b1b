/**
 * `pktfilter filter -j N`, spawned as the built CLI: with any number of worker threads and any fragment
 * size, --count, printing, --json and -w give exactly what -j 1 gives (pcap and pcapng); --count agrees with
 * `tcpdump -r FILE --count`; -w copies the records libpcap accepts byte for byte; damaged input gives every
 * good record, then one error line and a non-zero exit; memory does not grow with the file.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { walkCapture } from '../../src/capture/index.js';
import { LinkType } from '../../src/capture/linktype.js';
import { encodePcap } from '../../src/capture/pcap-writer.js';
import { encodePcapngSections } from '../../src/capture/pcapng-writer.js';
import { arbitraryPacket } from '../../src/packet/arbitrary/index.js';
import { libpcapAvailable, libpcapCompile, libpcapRun } from '../support/libpcap.js';
import { describeWithOracle, hasCommand } from '../support/oracle.js';

const repositoryRoot = join(import.meta.dirname, '../..');
const cli = join(repositoryRoot, 'bin/pktfilter.js');

interface Run { status: number; stdout: string; stderr: string }

function pktfilter(args: string[]): Run {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

const expressions = ['tcp', 'udp', 'ip and not icmp', 'tcp port 80 or udp port 53', 'vlan', 'ip6 or arp', 'len > 120', 'ether broadcast'];

/** Small captures of generated Ethernet frames (timestamps one millisecond apart). */
const packetsArbitrary = fc.array(arbitraryPacket({ linkType: LinkType.EN10MB }), { minLength: 5, maxLength: 60 });
const records = (list: { data: Uint8Array; wireLength: number }[]): { data: Uint8Array; wireLength: number; timestampNs: bigint }[] =>
  list.map((p, i) => ({ data: p.data, wireLength: p.wireLength, timestampNs: 1_700_000_000_000_000_000n + BigInt(i) * 1_000_000n }));

describeWithOracle('pktfilter filter -j N (CLI)', libpcapAvailable() && hasCommand('tcpdump'), 'tcpdump, gcc and libpcap-dev', () => {
  let directory = '';
  beforeAll(() => {
    execFileSync(process.execPath, [join(repositoryRoot, 'scripts/build.mjs')], { cwd: repositoryRoot, stdio: 'ignore' });
    directory = mkdtempSync(join(tmpdir(), 'pktfilter-filter-jobs-'));
  });
  afterAll(() => { if (directory) rmSync(directory, { recursive: true, force: true }); });

  /** Runs one mode with -j 1 and with the other job counts; every output (stdout, -w file, exit) must be the same. */
  function expectSameAcrossJobs(file: string, mode: string[], expression: string, fragmentSize: number, jobs: number[], extra: string[] = []): Run {
    const outputOf = (j: number): { run: Run; written?: string } => {
      const out = join(directory, `out-${j}.cap`);
      const writes = mode[0] === '-w';
      const run = pktfilter(['filter', '-r', file, '-j', String(j), ...(j > 1 ? extra : []), '--fragment-size', String(fragmentSize), ...(writes ? ['-w', out] : mode), expression]);
      return writes ? { run, written: readFileSync(out).toString('hex') } : { run };
    };
    const single = outputOf(1);
    for (const j of jobs) expect(outputOf(j), `-j ${j} ${mode.join(' ')} ${expression}`).toEqual(single);
    return single.run;
  }

  it('gives the same count, lines, JSON and -w file with -j 2 and -j 3 as with -j 1 (pcap)', () => {
    fc.assert(fc.property(packetsArbitrary, fc.constantFrom(...expressions), fc.integer({ min: 64, max: 3000 }), (list, expression, fragmentSize) => {
      const file = join(directory, 'jobs.pcap');
      writeFileSync(file, encodePcap(records(list), { linkType: LinkType.EN10MB }));
      const counted = expectSameAcrossJobs(file, ['--count'], expression, fragmentSize, [3]);
      expect(counted.status).toBe(0);
      // -j 3 --count: the WebAssembly walker in this thread (the default), counting in parts with --engine js.
      expectSameAcrossJobs(file, ['--count'], expression, fragmentSize, [3], ['--engine', 'js']);
      const printed = expectSameAcrossJobs(file, [], expression, fragmentSize, [2]);
      expect(printed.stdout.split('\n').filter(Boolean)).toHaveLength(Number(counted.stdout.trim()));
      expectSameAcrossJobs(file, ['--json'], expression, fragmentSize, [3]);
      expectSameAcrossJobs(file, ['-w'], expression, fragmentSize, [2]);
      expectSameAcrossJobs(file, ['-c', '3'], expression, fragmentSize, [2]);
      // The workers reading their own windows of the file.
      expectSameAcrossJobs(file, ['--count'], expression, fragmentSize, [2], ['--worker-reads']);
      expectSameAcrossJobs(file, [], expression, fragmentSize, [3], ['--worker-reads']);
      expectSameAcrossJobs(file, ['-w'], expression, fragmentSize, [2], ['--worker-reads']);
    }), { numRuns: 2 });
  });

  it('gives the same output with -j 2 on pcapng files of several sections and link types', () => {
    const sectionArbitrary = fc.tuple(fc.boolean(), packetsArbitrary, fc.array(arbitraryPacket({ linkType: LinkType.RAW }), { maxLength: 20 }));
    fc.assert(fc.property(fc.array(sectionArbitrary, { minLength: 1, maxLength: 3 }), fc.constantFrom('tcp', 'udp or icmp', 'ip6'), fc.integer({ min: 64, max: 2000 }), (sections, expression, fragmentSize) => {
      const file = join(directory, 'jobs.pcapng');
      writeFileSync(file, encodePcapngSections(sections.map(([bigEndian, ethernet, raw]) => ({
        options: { bigEndian, interfaces: [{ linkType: LinkType.EN10MB }, { linkType: LinkType.RAW, timestampResolution: { base: 10, exponent: 9 } }] },
        records: [...records(ethernet).map((r) => ({ ...r, interfaceIndex: 0 })), ...records(raw).map((r) => ({ ...r, interfaceIndex: 1 }))],
      }))));
      expectSameAcrossJobs(file, ['--count'], expression, fragmentSize, [2]);
      expectSameAcrossJobs(file, [], expression, fragmentSize, [2]);
      expectSameAcrossJobs(file, ['-w'], expression, fragmentSize, [2]);
    }), { numRuns: 3 });
  });

  it('counts what tcpdump -r --count counts, with -j 1 and -j 2', () => {
    const list = fc.sample(arbitraryPacket({ linkType: LinkType.EN10MB }), { numRuns: 400, seed: 2026 });
    const file = join(directory, 'count.pcap');
    writeFileSync(file, encodePcap(records(list), { linkType: LinkType.EN10MB }));
    for (const expression of expressions.slice(0, 5)) {
      const tcpdump = execFileSync('tcpdump', ['-r', file, '--count', expression], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      const expected = /^(\d+) packets?/m.exec(tcpdump)![1];
      for (const jobs of ['1', '2']) {
        expect(pktfilter(['filter', '-r', file, '-j', jobs, '--fragment-size', '4096', '--count', expression]).stdout.trim(), `${expression} -j ${jobs}`).toBe(expected);
      }
      // Without --fragment-size a small file is counted in this thread whatever -j says.
      expect(pktfilter(['filter', '-r', file, '-j', '2', '--count', expression]).stdout.trim(), `${expression} -j 2`).toBe(expected);
    }
  });

  it('counts in parts (each worker finding its first record itself) exactly as tcpdump, also when payloads fool that search', () => {
    // Frames with a zero payload read as chains of empty record headers: a worker's guess inside them is wrong,
    // and the main thread must notice and count that part itself.
    const zeros = new Uint8Array(600);
    zeros.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x00]);
    fc.assert(fc.property(fc.array(fc.oneof(arbitraryPacket({ linkType: LinkType.EN10MB }), fc.constant({ data: zeros, wireLength: 600 })), { minLength: 20, maxLength: 120 }), fc.integer({ min: 64, max: 4000 }), (list, fragmentSize) => {
      const file = join(directory, 'parts.pcap');
      writeFileSync(file, encodePcap(records(list), { linkType: LinkType.EN10MB }));
      for (const expression of ['ip', 'ether broadcast']) {
        const tcpdump = execFileSync('tcpdump', ['-r', file, '--count', expression], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
        const expected = /^(\d+) packets?/m.exec(tcpdump)![1];
        // Parts are counted by --engine js; the default engine walks the file in this thread instead.
        for (const [jobs, engine] of [['2', 'js'], ['4', 'js'], ['2', 'auto']]) {
          const counted = pktfilter(['filter', '-r', file, '-j', jobs!, '--engine', engine!, '--fragment-size', String(fragmentSize), '--count', expression]);
          expect({ status: counted.status, stdout: counted.stdout.trim() }, `${expression} -j ${jobs} --engine ${engine}`).toEqual({ status: 0, stdout: expected });
        }
      }
    }), { numRuns: 4 });
  });

  it('-w writes the input\'s file header and the records libpcap accepts, byte for byte', () => {
    const list = fc.sample(arbitraryPacket({ linkType: LinkType.EN10MB }), { numRuns: 200, seed: 77 });
    const input = encodePcap(records(list), { linkType: LinkType.EN10MB, nanosecond: true, bigEndian: true });
    const file = join(directory, 'write.pcap');
    writeFileSync(file, input);
    const spans: [number, number][] = [];
    walkCapture(input, (record) => { spans.push([record.fileOffset, record.dataOffset + record.capturedLength]); });
    for (const expression of ['udp', 'tcp or arp']) {
      const [compiled] = libpcapCompile([expression], { linkType: LinkType.EN10MB });
      if (!compiled!.ok) throw new Error(`libpcap refused ${expression}: ${compiled!.error}`);
      const verdicts = libpcapRun([compiled.program], list.map((p) => ({ data: p.data, wireLength: p.wireLength })))[0]!;
      const expected = [input.subarray(0, 24), ...spans.filter((_, i) => verdicts[i] !== 0).map(([start, end]) => input.subarray(start, end))];
      for (const jobs of ['1', '2']) {
        const out = join(directory, `write-${jobs}.pcap`);
        expect(pktfilter(['filter', '-r', file, '-j', jobs, '--fragment-size', '2048', '-w', out, expression]).status).toBe(0);
        expect(Buffer.compare(readFileSync(out), Buffer.concat(expected)), `${expression} -j ${jobs}`).toBe(0);
      }
    }
  });

  it('on damaged input prints every good record, then one error line naming the offset, and exits non-zero (also with -j)', () => {
    const list = fc.sample(arbitraryPacket({ linkType: LinkType.EN10MB }), { numRuns: 120, seed: 5 });
    const input = encodePcap(records(list), { linkType: LinkType.EN10MB });
    const offsets: number[] = [];
    walkCapture(input, (record) => { offsets.push(record.fileOffset); });
    const good = 90;
    // Cut: the file ends 5 bytes into record 90's header. Smash: record 90's captured length reads 0xffffffff.
    const cut = input.slice(0, offsets[good]! + 5);
    const smashed = input.slice();
    smashed.fill(0xff, offsets[good]! + 8, offsets[good]! + 12);
    const intact = join(directory, 'intact.pcap');
    writeFileSync(intact, input.subarray(0, offsets[good]!));
    for (const [name, bytes] of [['cut', cut], ['smashed', smashed]] as const) {
      const file = join(directory, `${name}.pcap`);
      writeFileSync(file, bytes);
      for (const expression of ['ip']) {
        const reference = pktfilter(['filter', '-r', intact, expression]);
        for (const jobs of [['1'], ['3'], ['2', '--worker-reads']]) {
          const printed = pktfilter(['filter', '-r', file, '-j', ...jobs, '--fragment-size', '1500', expression]);
          expect(printed.status, `${name} -j ${jobs.join(' ')}`).toBe(1);
          expect(printed.stdout).toBe(reference.stdout);
          expect(printed.stderr.trim().split('\n')).toHaveLength(1);
          expect(printed.stderr).toContain(`at byte offset ${offsets[good]!}`);
          expect(printed.stderr).toContain(`record ${good}`);
          for (const engine of ['auto', 'js']) {
            const counted = pktfilter(['filter', '-r', file, '-j', ...jobs, '--engine', engine, '--fragment-size', '1500', '--count', expression]);
            expect(counted.status).toBe(1);
            expect(counted.stdout).toBe('');
            expect(counted.stderr).toBe(printed.stderr);
          }
        }
      }
    }
  });

  it('keeps peak memory independent of the capture size (streams, never slurps)', () => {
    // Two captures of the same 1400-byte frame: 4,000 and 40,000 records (about 5.7 and 57 MB), read in
    // 256 KiB chunks: by the WebAssembly walker (the default, with -j 1 and -j 2), and by -j 2 workers counting
    // in parts (--engine js).
    const frame = new Uint8Array(1400);
    frame.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x00, 0x45]);
    const files = new Map([4_000, 40_000].map((count) => {
      const file = join(directory, `memory-${count}.pcap`);
      writeFileSync(file, encodePcap(Array.from({ length: count }, (_, i) => ({ data: frame, timestampNs: BigInt(i) * 1000n })), { linkType: LinkType.EN10MB }));
      return [count, file] as const;
    }));
    /** The CLI process's peak resident set (KB), the smaller of two runs (a busy machine adds transient noise to one run now and then). */
    const peakOf = (count: number, options: string[]): number => Math.min(...[0, 1].map(() => {
      const file = files.get(count)!;
      const argv = JSON.stringify(['filter', '-r', file, ...options, '--fragment-size', '262144', '--count', 'ip']);
      const script = `import(${JSON.stringify(pathToFileURL(join(repositoryRoot, 'dist/cli.js')).href)}).then(async (m) => { await m.main(${argv}); process.stderr.write('peak ' + process.resourceUsage().maxRSS + '\\n'); })`;
      const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
      expect(result.stdout.trim(), result.stderr).toBe(String(count));
      return Number(/peak (\d+)/.exec(result.stderr)![1]);
    }));
    for (const options of [['-j', '1'], ['-j', '2'], ['-j', '2', '--engine', 'js']]) {
      const small = peakOf(4_000, options);
      const large = peakOf(40_000, options);
      // Ten times the file, at most 25 MB more (allocator noise), far less than the 51 MB it grew.
      expect(large - small, `${options.join(' ')}: ${small} KB then ${large} KB`).toBeLessThan(25_000);
    }
  });
});
