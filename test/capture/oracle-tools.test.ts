/**
 * Oracles: files our writers produce are read by real tshark, tcpdump and libpcap with the same
 * timestamps, lengths, link types and interfaces; files that editcap, mergecap and text2pcap produce
 * are read by us as tshark and libpcap read them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import type { CaptureRecord } from '../../src/capture/info.js';
import { SUPPORTED_LINK_TYPES, linkTypeName } from '../../src/capture/linktype.js';
import { encodePcap } from '../../src/capture/pcap-writer.js';
import { encodePcapngSections } from '../../src/capture/pcapng-writer.js';
import { readCaptureSync } from '../../src/capture/walk.js';
import { describeWithOracle, hasCommand } from '../support/oracle.js';
import { pcapFileArbitrary, pcapngFileArbitraryWith } from './support/arbitraries.js';
import { captureWalkAvailable, epochText, libpcapDump, tcpdumpTimes, tsharkFields } from './support/tools.js';

const directory = mkdtempSync(join(tmpdir(), 'pktfilter-capture-oracle-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let fileCounter = 0;

/** Writes bytes to a fresh file in the test directory. */
function tempFile(bytes: Uint8Array, extension: string): string {
  const file = join(directory, `f${fileCounter++}.${extension}`);
  writeFileSync(file, bytes);
  return file;
}

const TSHARK_FIELDS = ['frame.time_epoch', 'frame.len', 'frame.cap_len', 'frame.interface_id', 'frame.section_number', 'frame.encap_type', 'frame.comment'];

/**
 * Checks our reading of `file` against tshark's: time (empty for blocks without one), lengths, the
 * section-local interface id tshark 4.0 prints, the section number, comments, and that link types map
 * one-to-one onto tshark's encapsulation types.
 */
function expectTsharkAgrees(file: string, records: readonly CaptureRecord[], untimed: ReadonlySet<number> = new Set()): void {
  const { info } = readCaptureSync(readFileSync(file));
  const frames = tsharkFields(file, TSHARK_FIELDS);
  expect(frames.length).toBe(records.length);
  const encapsulationOf = new Map<number, string>();
  const linkTypeOf = new Map<string, number>();
  records.forEach((record, index) => {
    const [time, len, capLen, interfaceId, sectionNumber, encapsulation, comment] = frames[index]!;
    expect(time, `frame ${index + 1} time`).toBe(untimed.has(index) ? '' : epochText(record.timestampNs));
    expect(Number(len)).toBe(record.wireLength);
    expect(Number(capLen)).toBe(record.capturedLength);
    if (info.format === 'pcapng') {
      const face = info.interfaces[record.interfaceIndex]!;
      expect(Number(interfaceId)).toBe(face.sectionInterfaceIndex);
      expect(Number(sectionNumber)).toBe(face.section + 1);
    }
    expect(comment ?? '').toBe(record.comment ?? '');
    // The same link type always shows as the same encapsulation, and different supported ones as
    // different encapsulations (tshark lumps the link types it does not know into one).
    expect(encapsulationOf.get(record.linkType) ?? encapsulation).toBe(encapsulation);
    if (SUPPORTED_LINK_TYPES.includes(record.linkType)) expect(linkTypeOf.get(encapsulation!) ?? record.linkType).toBe(record.linkType);
    encapsulationOf.set(record.linkType, encapsulation!);
    linkTypeOf.set(encapsulation!, record.linkType);
  });
}

/** Checks our reading of a one-link-type `file` against libpcap's pcap_next_ex (nanosecond precision). */
function expectLibpcapAgrees(file: string): void {
  const { records, info } = readCaptureSync(readFileSync(file));
  const dump = libpcapDump(file);
  if ('error' in dump) throw new Error(`libpcap could not read ${file}: ${dump.error}`);
  expect(dump.records.map((r) => [r.time, r.capturedLength, r.wireLength]))
    .toEqual(records.map((r) => [epochText(r.timestampNs), r.capturedLength, r.wireLength]));
  const name = linkTypeName(info.linkType);
  if (!/^(LINKTYPE_|USER)/.test(name)) expect(dump.linkTypeName).toBe(name);
}

const haveTshark = hasCommand('tshark', ['--version']);
const haveTcpdump = hasCommand('tcpdump', ['--version']);
const haveEditcap = hasCommand('editcap', ['--version']) && hasCommand('mergecap', ['--version']) && hasCommand('text2pcap', ['--version']);

describeWithOracle('tshark and tcpdump read the files our writers produce', haveTshark && haveTcpdump, 'tshark, tcpdump', () => {
  it('pcap in both byte orders, micro and nano, any link type: same times, lengths, link type and snaplen', () => {
    // tcpdump prints "[Error converting time]" from 2^31 seconds on (2038), so keep times below that; it
    // only has printers (ending every frame with a newline) for known link types, so use the supported ones.
    const before2038 = fc.tuple(pcapFileArbitrary.filter((f) => f.expected.length > 0), fc.constantFrom(...SUPPORTED_LINK_TYPES))
      .map(([f, linkType]) => ({
        options: { ...f.options, linkType },
        expected: f.expected.map((r) => ({ ...r, timestampNs: r.timestampNs % (2n ** 31n * 1_000_000_000n) })),
      }));
    for (const { options, expected } of fc.sample(before2038, { numRuns: 10, seed: 42 })) {
      const file = tempFile(encodePcap(expected, options), 'pcap');
      const { records } = readCaptureSync(readFileSync(file));
      expectTsharkAgrees(file, records);
      const { header, times } = tcpdumpTimes(file);
      expect(times).toEqual(records.map((r) => (r.capturedLength === 0 ? 'invalid' : epochText(r.timestampNs))));
      const name = linkTypeName(options.linkType);
      expect(header).toContain(/^(LINKTYPE_|USER)/.test(name) ? 'link-type ' : `link-type ${name} `);
      // libpcap replaces a snaplen of 0 or above 262144 with its own maximum.
      if (options.snaplen > 0 && options.snaplen <= 262144) expect(header).toContain(`snapshot length ${options.snaplen}`);
    }
  });

  it('pcapng with several sections, interfaces, if_tsresol and if_tsoffset: tshark agrees frame by frame', () => {
    const files = fc.sample(pcapngFileArbitraryWith({ realisticTimes: true }).filter((f) => f.expected.length > 0), { numRuns: 10, seed: 7 });
    for (const { sections } of files) {
      const file = tempFile(encodePcapngSections(sections), 'pcapng');
      const { records } = readCaptureSync(readFileSync(file));
      const untimed = new Set<number>();
      [...sections.flatMap((s) => [...s.records])].forEach((r, i) => { if (r.blockType === 'simple') untimed.add(i); });
      expectTsharkAgrees(file, records, untimed);
    }
  });
});

describeWithOracle('libpcap reads the pcapng files our writers produce', captureWalkAvailable() && haveTshark, 'gcc with libpcap-dev, tshark', () => {
  it('one section, one link type, any if_tsresol and if_tsoffset: pcap_next_ex gives the same times', () => {
    const arbitrary = pcapngFileArbitraryWith({ realisticTimes: true, simpleBlocks: false, maxSections: 1 })
      // libpcap wants every interface of a file to share the link type and snaplen of the first.
      .map(({ sections }) => ({ sections: sections.map((s) => ({ ...s, options: { ...s.options, interfaces: s.options.interfaces!.map((i) => ({ ...i, linkType: 1, snaplen: 262144 })) } })) }))
      .filter(({ sections }) => [...sections[0]!.records].length > 0);
    for (const { sections } of fc.sample(arbitrary, { numRuns: 10, seed: 3 })) {
      const file = tempFile(encodePcapngSections(sections), 'pcapng');
      expectLibpcapAgrees(file);
    }
  });
});

describeWithOracle('files written by editcap, mergecap and text2pcap', haveEditcap && haveTshark && captureWalkAvailable(), 'editcap, mergecap, text2pcap, tshark, gcc with libpcap-dev', () => {
  // Random Ethernet-sized records with nanosecond times (the snaplen stays 262144: libpcap cuts records to a smaller one).
  const sample = fc.sample(pcapFileArbitrary.filter((f) => f.expected.length > 1), { numRuns: 1, seed: 11 })[0]!;
  // libpcap 1.10 reads pcap seconds as signed 32-bit (the format, Wireshark and we read them unsigned),
  // so the times stay before 2038 here.
  const before2038 = sample.expected.map((r) => ({ ...r, timestampNs: r.timestampNs % (2n ** 31n * 1_000_000_000n) }));
  const original = tempFile(encodePcap(before2038, { linkType: 1, snaplen: 262144, nanosecond: true }), 'pcap');
  const originalRecords = readCaptureSync(readFileSync(original)).records;

  it('editcap -F pcapng keeps every record (time, lengths, bytes)', () => {
    const converted = join(directory, 'editcap.pcapng');
    execFileSync('editcap', ['-F', 'pcapng', original, converted]);
    const { records, info } = readCaptureSync(readFileSync(converted));
    expect(info.format).toBe('pcapng');
    expect(records.map((r) => [r.timestampNs, r.capturedLength, r.wireLength, [...r.data]]))
      .toEqual(originalRecords.map((r) => [r.timestampNs, r.capturedLength, r.wireLength, [...r.data]]));
    expect(info.sections[0]!.userApplication).toMatch(/Editcap/i);
    expectTsharkAgrees(converted, records);
    expectLibpcapAgrees(converted);
  });

  it('editcap -F nsecpcap and -F pcap: nanosecond and microsecond magic', () => {
    for (const [format, nanosecond] of [['nsecpcap', true], ['pcap', false]] as const) {
      const converted = join(directory, `editcap-${format}.pcap`);
      execFileSync('editcap', ['-F', format, original, converted]);
      const { records, info } = readCaptureSync(readFileSync(converted));
      expect(info).toMatchObject({ format: 'pcap', nanosecond });
      // Microseconds keep the time down to the microsecond (truncated).
      expect(records.map((r) => r.timestampNs)).toEqual(originalRecords.map((r) => (nanosecond ? r.timestampNs : r.timestampNs - (r.timestampNs % 1000n))));
      expectTsharkAgrees(converted, records);
      expectLibpcapAgrees(converted);
    }
  });

  it('editcap -a adds packet comments we read', () => {
    const commented = join(directory, 'commented.pcapng');
    execFileSync('editcap', ['-F', 'pcapng', '-a', '1:first frame', '-a', `${originalRecords.length}:last one`, original, commented]);
    const { records } = readCaptureSync(readFileSync(commented));
    expect(records[0]!.comment).toBe('first frame');
    expect(records.at(-1)!.comment).toBe('last one');
    expectTsharkAgrees(commented, records);
  });

  it('mergecap of two link types gives a pcapng with two interfaces', () => {
    const raw = tempFile(encodePcap([{ data: Uint8Array.of(0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2), timestampNs: 1_600_000_000_000_000_500n }], { linkType: 101, nanosecond: true }), 'pcap');
    const merged = join(directory, 'merged.pcapng');
    execFileSync('mergecap', ['-F', 'pcapng', '-w', merged, original, raw]);
    const { records, info } = readCaptureSync(readFileSync(merged));
    expect(info.interfaces.map((i) => i.linkType).sort((a, b) => a - b)).toEqual([1, 101]);
    expect(records.length).toBe(originalRecords.length + 1);
    expectTsharkAgrees(merged, records);
  });

  it('text2pcap hex dumps with timestamps, pcap and pcapng', () => {
    // A hex dump of three frames: a time stamp line prefix, then offset and bytes (text2pcap's input format).
    const frames = [[0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x08, 0x00, 1, 2, 3], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 1, 2, 3, 4, 5, 0x08, 0x06], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]];
    const text = frames.map((bytes, index) => `2024-01-02 03:04:0${index}.12345${index}\n000000 ${bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ')}\n`).join('');
    const input = join(directory, 'dump.txt');
    writeFileSync(input, text);
    for (const format of ['pcap', 'pcapng']) {
      const output = join(directory, `text2pcap.${format}`);
      execFileSync('text2pcap', ['-q', '-F', format, '-t', '%Y-%m-%d %H:%M:%S.%f', input, output], { stdio: 'pipe', env: { ...process.env, TZ: 'UTC' } });
      const { records, info } = readCaptureSync(readFileSync(output));
      expect(info.format).toBe(format);
      expect(records.map((r) => [...r.data])).toEqual(frames);
      expectTsharkAgrees(output, records);
      expectLibpcapAgrees(output);
    }
  });
});
