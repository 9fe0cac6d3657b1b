/**
 * `pktfilter filter --count` and `-w` through the WebAssembly walker (src/cli/filter/wasm-walk.ts, the default
 * `--engine auto` for counting and writing a pcap file):
 * - walkPcapInWasm on random pcap files in both byte orders, read in chunks of any size (records larger than a
 *   chunk too), clean or damaged (cut anywhere, or an absurd captured length): the count, the records written
 *   and the stop equal a whole-file walk filtered record by record with BPF->JS, up to the damage;
 * - the built CLI: the same stdout, stderr and exit code as `--engine js` on the corpus and on damaged,
 *   refused and odd inputs (where the general path takes over), and counts equal to `tcpdump -r --count`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { compileToJs } from '../../src/bpf/index.js';
import { CaptureFormatError, walkCapture } from '../../src/capture/index.js';
import { LinkType } from '../../src/capture/linktype.js';
import { encodePcap } from '../../src/capture/pcap-writer.js';
import { compileFilter } from '../../src/compiler/index.js';
import { arbitraryPacket } from '../../src/packet/arbitrary/index.js';
import { walkPcapInWasm, type WasmWalkOptions } from '../../src/cli/filter/wasm-walk.js';
import { describeWithOracle, hasCommand } from '../support/oracle.js';

const repositoryRoot = join(import.meta.dirname, '../..');
const directory = mkdtempSync(join(tmpdir(), 'pktfilter-wasm-walk-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const expressions = ['ip', 'tcp port 80', 'udp or arp', 'vlan and tcp', 'ip6', 'len > 100', 'ether[0] & 1 = 1', 'ip[6:2] & 0x1fff != 0'];

/** A pcap file of generated Ethernet frames, then its damage: none, cut after some bytes, or an absurd captured length in record k. */
const fileArbitrary = fc.record({
  packets: fc.array(arbitraryPacket({ linkType: LinkType.EN10MB }), { maxLength: 40 }),
  bigEndian: fc.boolean(),
  damage: fc.constantFrom('none', 'cut', 'absurd'),
  where: fc.nat(),
}).map(({ packets, bigEndian, damage, where }) => {
  const file = encodePcap(packets.map((p, i) => ({ data: p.data, wireLength: p.wireLength, timestampNs: BigInt(i) * 1_000_000n })), { linkType: LinkType.EN10MB, bigEndian });
  if (damage === 'cut' && file.length > 24) return file.slice(0, 24 + (where % (file.length - 24)));
  if (damage === 'absurd' && packets.length > 0) {
    let at = 24;
    for (let i = 0; i < where % packets.length; i++) at += 16 + packets[i]!.data.length;
    new DataView(file.buffer).setUint32(at + 8, 0x10000001 + (where % 1000), !bigEndian);
  }
  return file;
});

/** Appends bytes to a list (records may be too long to spread into push's arguments). */
function append(list: number[], bytes: Uint8Array): void {
  for (const byte of bytes) list.push(byte);
}

/** The reference: a whole-file walk, each record filtered with BPF->JS, counted (and its header and bytes kept) up to the damage (its record index). */
function reference(file: Uint8Array, expression: string): { matches: number; written: number[]; damagedRecord?: number; damageOffset?: number } {
  const filter = compileToJs(compileFilter(expression, { linkType: LinkType.EN10MB }));
  let matches = 0;
  let records = 0;
  const written: number[] = [];
  try {
    walkCapture(file, (record) => {
      records++;
      if (filter(record.data, record.capturedLength, record.wireLength) !== 0) {
        matches++;
        append(written, file.subarray(record.fileOffset, record.fileOffset + 16 + record.capturedLength));
      }
    });
    return { matches, written };
  } catch (error) {
    if (!(error instanceof CaptureFormatError)) throw error;
    return { matches, written, damagedRecord: records, damageOffset: error.offset };
  }
}

/** Walk options that collect what the walker writes. */
function collecting(chunkSize: number, limit = Number.POSITIVE_INFINITY): { options: WasmWalkOptions; written: number[] } {
  const written: number[] = [];
  return { written, options: { chunkSize, limit, write: (bytes, start, length) => { append(written, bytes.subarray(start, start + length)); } } };
}

describe('walkPcapInWasm', () => {
  it('counts and writes what a whole-file walk with BPF->JS accepts, and stops at the damaged record, for any chunk size and readers', async () => {
    let damaged = 0;
    let readAhead = 0;
    const readers = fc.record({ readers: fc.integer({ min: 1, max: 4 }), readAheadChunkSize: fc.integer({ min: 1, max: 500 }) });
    await fc.assert(fc.asyncProperty(fileArbitrary, fc.constantFrom(...expressions), fc.integer({ min: 64, max: 3000 }), fc.boolean(), readers, async (file, expression, chunkSize, writing, reading) => {
      const path = join(directory, 'random.pcap');
      writeFileSync(path, file);
      const { options, written } = collecting(chunkSize);
      // Read ahead when a round of readers fits in the file (the rest is the one-thread loop's).
      if (reading.readers > 1 && file.length - 24 >= reading.readers * Math.ceil(reading.readAheadChunkSize / 64) * 64) readAhead++;
      const counted = await walkPcapInWasm(path, (linkType) => compileFilter(expression, { linkType }), { ...(writing ? options : { chunkSize, limit: Number.POSITIVE_INFINITY }), ...reading });
      const expected = reference(file, expression);
      if (writing) expect(written).toEqual(expected.written);
      expect(counted).toBeDefined();
      expect(counted!.matches).toBe(expected.matches);
      expect(Array.from(counted!.header)).toEqual(Array.from(file.subarray(0, 24)));
      if (expected.damagedRecord === undefined) {
        expect(counted!.stop).toBeUndefined();
      } else {
        damaged++;
        expect(counted!.stop).toEqual({ offset: expected.damageOffset, frame: expected.damagedRecord });
      }
    }), { numRuns: 400 });
    expect(damaged).toBeGreaterThan(100);
    expect(readAhead).toBeGreaterThan(50);
  });

  it('hands records longer than the read-ahead carry room to the one-thread loop, and counts and writes them all', async () => {
    // Frames of 300 KiB (over the 256 KiB carry room in front of each read-ahead chunk) between small ones: the
    // read-ahead cannot carry such a record into the next chunk and leaves the rest of the file to the one-thread loop.
    const sizes = [60, 300 << 10, 60, 61, 300 << 10, 62, ...Array.from({ length: 40 }, (_, i) => 60 + i)];
    const packets = sizes.map((size, i) => ({ data: new Uint8Array(size).fill(i & 0xff), timestampNs: BigInt(i) }));
    for (const bigEndian of [false, true]) {
      const file = encodePcap(packets, { linkType: LinkType.EN10MB, bigEndian });
      const path = join(directory, 'long-records.pcap');
      writeFileSync(path, file);
      const expected = reference(file, 'len > 61');
      for (const readAheadChunkSize of [4096, 100_000]) {
        const run = collecting(8192);
        const walked = await walkPcapInWasm(path, (linkType) => compileFilter('len > 61', { linkType }), { ...run.options, readers: 2, readAheadChunkSize });
        expect(walked).toEqual({ matches: expected.matches, header: file.subarray(0, 24) });
        expect(run.written).toEqual(expected.written);
      }
    }
  });

  it('stops counting and writing at the limit, reading alone or ahead', async () => {
    const file = encodePcap(Array.from({ length: 50 }, (_, i) => ({ data: new Uint8Array(60 + i), timestampNs: BigInt(i) })), { linkType: LinkType.EN10MB });
    const path = join(directory, 'limit.pcap');
    writeFileSync(path, file);
    const all = (): ReturnType<typeof compileFilter> => compileFilter('len > 0', { linkType: LinkType.EN10MB });
    // The first seven records: 16 + 60 ... 16 + 66 bytes each.
    const seven = Array.from(file.subarray(24, 24 + 7 * 16 + (60 + 66) * 7 / 2));
    for (const reading of [{ readers: 1 }, { readers: 2, readAheadChunkSize: 256 }, { readers: 3, readAheadChunkSize: 64 }]) {
      const single = collecting(256, 7);
      expect(await walkPcapInWasm(path, all, { ...single.options, ...reading })).toEqual({ matches: 7, header: file.subarray(0, 24) });
      expect(single.written).toEqual(seven);
    }
  });

  it('leaves to the general path what the walker cannot do', async () => {
    const file = encodePcap([{ data: new Uint8Array(60), timestampNs: 0n }], { linkType: LinkType.EN10MB });
    const path = join(directory, 'small.pcap');
    writeFileSync(path, file);
    const ip = (): ReturnType<typeof compileFilter> => compileFilter('ip', { linkType: LinkType.EN10MB });
    // A refused expression, a program with a backward jump, a damaged header, a pcapng file.
    const count = { chunkSize: 4096, limit: Infinity };
    expect(await walkPcapInWasm(path, () => undefined, count)).toBeUndefined();
    expect(await walkPcapInWasm(path, () => [{ code: 0x00, jt: 0, jf: 0, k: 1 }, { code: 0x05, jt: 0, jf: 0, k: 0xfffffffe }, { code: 0x06, jt: 0, jf: 0, k: 0 }], count)).toBeUndefined();
    const version3 = file.slice();
    version3[4] = 3;
    writeFileSync(path, version3);
    expect(await walkPcapInWasm(path, ip, count)).toBeUndefined();
    writeFileSync(path, Uint8Array.from([0x0a, 0x0d, 0x0d, 0x0a, ...new Uint8Array(24)]));
    expect(await walkPcapInWasm(path, ip, count)).toBeUndefined();
  });
});

interface Run { status: number; stdout: string; stderr: string }
function pktfilter(args: string[]): Run {
  const result = spawnSync(process.execPath, [join(repositoryRoot, 'bin/pktfilter.js'), ...args], { encoding: 'utf8' });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

describe('pktfilter filter --count and -w with the WebAssembly walker (CLI)', () => {
  it('gives what --engine js gives on damaged, refused, limited and odd inputs', () => {
    const packets = fc.sample(arbitraryPacket({ linkType: LinkType.EN10MB }), { numRuns: 300, seed: 7 });
    const file = encodePcap(packets.map((p, i) => ({ data: p.data, wireLength: p.wireLength, timestampNs: BigInt(i) * 1000n })), { linkType: LinkType.EN10MB, bigEndian: true });
    const cut = join(directory, 'cut.pcap');
    writeFileSync(cut, file.subarray(0, file.length - 7));
    const absurd = join(directory, 'absurd.pcap');
    const bent = file.slice();
    new DataView(bent.buffer).setUint32(24 + 16 + packets[0]!.data.length + 8, 0x7fffffff);
    writeFileSync(absurd, bent);
    const empty = join(directory, 'empty.pcap');
    writeFileSync(empty, new Uint8Array(0));
    const headerOnly = join(directory, 'header-only.pcap');
    writeFileSync(headerOnly, file.subarray(0, 24));
    const whole = join(directory, 'whole.pcap');
    writeFileSync(whole, file);
    const cases: string[][] = [
      ['-r', cut, 'tcp'], ['--fragment-size', '100', '-r', cut, 'udp'], ['-r', absurd, 'ip'], ['-r', empty, 'ip'], ['-r', headerOnly, 'ip'],
      ['-c', '5', '-r', whole, 'ip or ip6'], ['--fragment-size', '64', '-r', whole, 'vlan and tcp'], ['-r', whole, 'wlan host 1:2:3:4:5:6'],
      ['-r', join(repositoryRoot, 'corpus/05-tcp-timers.pcapng'), 'tcp'], ['-r', join(repositoryRoot, 'corpus/06-anycast-gre-raw.pcap'), 'proto gre'],
    ];
    /** stdout, stderr, exit code and the -w file's bytes (or its absence) of one run. */
    const outcome = (mode: string[], engine: string, args: string[]): Run & { file?: string } => {
      const out = join(directory, `out-${engine}.pcap`);
      rmSync(out, { force: true });
      const run = pktfilter(['filter', ...mode.map((word) => (word === 'OUT' ? out : word)), '--engine', engine, ...args]);
      return existsSync(out) ? { ...run, file: readFileSync(out).toString('hex') } : run;
    };
    for (const args of cases) {
      for (const mode of [['--count'], ['-w', 'OUT'], ['-j', '2', '--count'], ['-j', '3', '-w', 'OUT']]) {
        expect(outcome(mode, 'auto', args), `${mode.join(' ')} ${args.join(' ')}`).toEqual(outcome(mode, 'js', args));
      }
    }
    // The cases reach the damage and refusal paths.
    expect(pktfilter(['filter', '--count', '-r', cut, 'tcp']).status).toBe(1);
    expect(pktfilter(['filter', '--count', '-r', absurd, 'ip']).stderr).toMatch(/absurd captured length/);
  });
});

describeWithOracle('pktfilter filter --count with the WebAssembly walker against tcpdump', hasCommand('tcpdump'), 'tcpdump', () => {
  it('counts what tcpdump -r --count counts on every pcap file of the corpus', () => {
    const files = readdirSync(join(repositoryRoot, 'corpus')).filter((name) => name.endsWith('.pcap'));
    expect(files.length).toBeGreaterThan(4);
    for (const name of files) {
      const path = join(repositoryRoot, 'corpus', name);
      for (const expression of ['ip', 'tcp', 'udp', 'proto gre', 'arp or icmp', 'len > 100']) {
        const tcpdump = spawnSync('tcpdump', ['-r', path, '--count', expression], { encoding: 'utf8' });
        if (tcpdump.status !== 0) continue;
        const theirs = /(\d+) packets?/.exec(tcpdump.stdout + tcpdump.stderr)?.[1];
        const ours = pktfilter(['filter', '--count', '-r', path, expression]);
        expect(ours.status, `${name}: ${expression}`).toBe(0);
        expect(ours.stdout.trim(), `${name}: ${expression}`).toBe(theirs);
      }
    }
  });
});
