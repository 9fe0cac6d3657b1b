/**
 * The record-aligned fragments behind `pktfilter filter` and its -j workers: however small the chunks, the
 * fragments parsed one by one (as a worker parses them, with only their restated headers) give exactly
 * the records of a whole-file walk, with the same frame numbers and file offsets, and the same damage
 * error after the same good records. The fragment runner's matches equal a record-by-record filter.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileToJs } from '../../src/bpf/index.js';
import { CaptureFormatError, encodePcapngSections, walkCapture } from '../../src/capture/index.js';
import { LinkType } from '../../src/capture/linktype.js';
import { encodePcap } from '../../src/capture/pcap-writer.js';
import { compileFilter } from '../../src/compiler/index.js';
import { arbitraryPacket } from '../../src/packet/arbitrary/index.js';
import { FILTER_MINIMUM_FRAGMENT_SIZE, fragmentsOf, type FilterCaptureFragment } from '../../src/cli/filter/fragments.js';
import { FilterFragmentRunner, parseFragment } from '../../src/cli/filter/run-fragment.js';
import { readPcapWindow, walkPcapWindow } from '../../src/cli/filter/pcap-window.js';
import { pcapFileArbitrary, pcapngFileArbitrary } from '../capture/support/arbitraries.js';

interface SeenRecord { frame: number; fileOffset: number; capturedLength: number; wireLength: number; linkType: number; timestampNs: bigint; data: number[] }
interface Outcome { records: SeenRecord[]; error?: { offset: number; problem: string } }

const seen = (record: { fileOffset: number; capturedLength: number; wireLength: number; linkType: number; timestampNs: bigint; data: Uint8Array }, frame: number): SeenRecord => ({
  frame, fileOffset: record.fileOffset, capturedLength: record.capturedLength, wireLength: record.wireLength, linkType: record.linkType,
  timestampNs: record.timestampNs, data: [...record.data],
});

/** Reads `bytes` as a file would be read, `piece` bytes per read at most (short reads included). */
function reader(bytes: Uint8Array, piece: number): (buffer: Uint8Array, offset: number, length: number) => number {
  let position = 0;
  return (buffer, offset, length) => {
    const count = Math.min(length, piece, bytes.length - position);
    buffer.set(bytes.subarray(position, position + count), offset);
    position += count;
    return count;
  };
}

function errorOf(error: unknown): { offset: number; problem: string } {
  if (!(error instanceof CaptureFormatError)) throw error;
  return { offset: error.offset, problem: error.problem };
}

/** What the whole-file walker sees (the reference). */
function walked(bytes: Uint8Array): Outcome {
  const records: SeenRecord[] = [];
  try {
    walkCapture(bytes, (record, index) => { records.push(seen(record, index)); });
    return { records };
  } catch (error) {
    return { records, error: errorOf(error) };
  }
}

/** What parsing each fragment on its own sees, stopping at the first damage as the CLI does. */
function fragmented(bytes: Uint8Array, chunkSize: number, piece: number, reuseBuffer: boolean): { outcome: Outcome; fragments: FilterCaptureFragment[] } {
  const records: SeenRecord[] = [];
  const fragments: FilterCaptureFragment[] = [];
  for (const fragment of fragmentsOf(reader(bytes, piece), { chunkSize, reuseBuffer })) {
    fragments.push({ ...fragment, bytes: fragment.bytes.slice() });
    let counted = 0;
    try {
      parseFragment(fragment, (record, index) => { records.push(seen(record, index)); counted++; });
    } catch (error) {
      return { outcome: { records, error: errorOf(error) }, fragments };
    }
    // The header walk's count of a fragment is the parser's count.
    expect(counted).toBe(fragment.records);
    expect(fragment.firstFrame).toBe(records.length - counted);
  }
  return { outcome: { records }, fragments };
}

/** Damage to apply to a file: none, cut it, or overwrite four bytes with a huge length. */
const damageArbitrary = fc.oneof(
  fc.constant({ kind: 'none' as const, at: 0 }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('smash' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
);

function damaged(bytes: Uint8Array, damage: { kind: 'none' | 'cut' | 'smash'; at: number }): Uint8Array {
  if (damage.kind === 'none') return bytes;
  const position = Math.floor(damage.at * bytes.length);
  if (damage.kind === 'cut') return bytes.slice(0, position);
  const copy = bytes.slice();
  for (let i = position; i < Math.min(position + 4, copy.length); i++) copy[i] = 0xff;
  return copy;
}

const chunkArbitrary = fc.integer({ min: 1, max: 700 });
const pieceArbitrary = fc.integer({ min: 1, max: 800 });

describe('record-aligned capture fragments', () => {
  it('give a pcap file\'s records, frame numbers, offsets and damage exactly as the whole-file walker', () => {
    fc.assert(fc.property(pcapFileArbitrary, damageArbitrary, chunkArbitrary, pieceArbitrary, fc.boolean(), ({ options, expected }, damage, chunkSize, piece, reuse) => {
      const bytes = damaged(encodePcap(expected.map((r) => ({ data: r.data, timestampNs: r.timestampNs, wireLength: r.wireLength })), options), damage);
      const { outcome } = fragmented(bytes, chunkSize, piece, reuse);
      expect(outcome).toEqual(walked(bytes));
    }), { numRuns: 300 });
  });

  it('give a pcapng file\'s records (sections, interfaces and clocks restated) and damage exactly as the whole-file walker', () => {
    fc.assert(fc.property(pcapngFileArbitrary, damageArbitrary, chunkArbitrary, pieceArbitrary, fc.boolean(), ({ sections }, damage, chunkSize, piece, reuse) => {
      const bytes = damaged(encodePcapngSections(sections), damage);
      const { outcome } = fragmented(bytes, chunkSize, piece, reuse);
      expect(outcome).toEqual(walked(bytes));
    }), { numRuns: 300 });
  });

  it('never exceed one chunk (or one unit) plus the restated headers, and cover the file once', () => {
    fc.assert(fc.property(pcapFileArbitrary, chunkArbitrary, ({ options, expected }, chunkSize) => {
      const bytes = encodePcap(expected.map((r) => ({ data: r.data, timestampNs: r.timestampNs, wireLength: r.wireLength })), options);
      const { fragments } = fragmented(bytes, chunkSize, 1 << 20, false);
      const largestRecord = Math.max(0, ...expected.map((r) => 16 + r.data.length));
      let covered = 0;
      fragments.forEach((fragment, i) => {
        const restated = i === 0 ? 0 : 24;
        expect(fragment.bytes.length - restated).toBeLessThanOrEqual(Math.max(chunkSize, FILTER_MINIMUM_FRAGMENT_SIZE, largestRecord));
        // The restated header is the file's own, and the rest is the next stretch of the file.
        if (i > 0) expect([...fragment.bytes.subarray(0, 24)]).toEqual([...bytes.subarray(0, 24)]);
        expect(fragment.base + restated).toBe(covered);
        expect([...fragment.bytes.subarray(restated)]).toEqual([...bytes.subarray(covered, covered + fragment.bytes.length - restated)]);
        covered += fragment.bytes.length - restated;
      });
      expect(covered).toBe(bytes.length);
    }), { numRuns: 200 });
  });
});

describe('parallel pcap windows', () => {
  it('chained window by window (each read on its own, started at the record the window before ends with) give the whole-file walk', () => {
    const directory = mkdtempSync(join(tmpdir(), 'pktfilter-windows-'));
    try {
      fc.assert(fc.property(pcapFileArbitrary, damageArbitrary, fc.integer({ min: 1, max: 600 }), fc.boolean(), ({ options, expected }, damage, windowSize, reuse) => {
        const bytes = damaged(encodePcap(expected.map((r) => ({ data: r.data, timestampNs: r.timestampNs, wireLength: r.wireLength })), options), damage);
        if (bytes.length < 24) return;
        const reference = walked(bytes);
        // Files whose header the parser refuses never reach the windows (the main thread checks the header).
        if (reference.error !== undefined && reference.error.offset < 24) return;
        const file = join(directory, 'windows.pcap');
        writeFileSync(file, bytes);
        const descriptor = openSync(file, 'r');
        const records: SeenRecord[] = [];
        let error: { offset: number; problem: string } | undefined;
        try {
          let first = 24;
          let frame = 0;
          let spare: Uint8Array | undefined;
          for (let start = 24; start < bytes.length && error === undefined; start += windowSize) {
            const window = readPcapWindow(descriptor, start, Math.min(start + windowSize, bytes.length), reuse ? spare : undefined);
            const walk = walkPcapWindow(descriptor, bytes.subarray(0, 24), window, Math.min(start + windowSize, bytes.length), first, frame);
            try {
              parseFragment(walk.fragment, (record, index) => { records.push(seen(record, index)); });
            } catch (caught) {
              error = errorOf(caught);
            }
            spare = new Uint8Array(walk.fragment.bytes.buffer);
            if (walk.ended) break;
            first = walk.nextStart;
            frame = walk.nextFrame;
          }
        } finally {
          closeSync(descriptor);
        }
        expect(error === undefined ? { records } : { records, error }).toEqual(reference);
      }), { numRuns: 250 });
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('the fragment runner', () => {
  const expressions = ['tcp', 'udp port 53', 'ip and not icmp', 'vlan', 'ip6 or arp', 'len > 100', 'tcp[tcpflags] & tcp-syn != 0'];
  const programs = new Map(expressions.map((e) => [e, compileToJs(compileFilter(e, { linkType: LinkType.EN10MB }))]));
  const packets = fc.array(arbitraryPacket({ linkType: LinkType.EN10MB }), { minLength: 1, maxLength: 40 });

  it('matches exactly the records a record-by-record filter accepts, in every output mode and under -c', () => {
    fc.assert(fc.property(packets, fc.constantFrom(...expressions), chunkArbitrary, fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }), (list, expression, chunkSize, limit) => {
      const bytes = encodePcap(list.map((p, i) => ({ data: p.data, wireLength: p.wireLength, timestampNs: BigInt(i) * 1000n })), { linkType: LinkType.EN10MB });
      const single = programs.get(expression)!;
      const expectedFrames: number[] = [];
      walkCapture(bytes, (record, index) => { if (single(record.data, record.capturedLength, record.wireLength) !== 0) expectedFrames.push(index); });
      const wanted = limit === undefined ? expectedFrames : expectedFrames.slice(0, limit);
      const counter = new FilterFragmentRunner({ expression, engine: 'js', mode: 'count', ...(limit !== undefined ? { limit } : {}) });
      const printer = new FilterFragmentRunner({ expression, engine: 'interp', mode: 'print', ...(limit !== undefined ? { limit } : {}) });
      const copier = new FilterFragmentRunner({ expression, engine: 'js', mode: 'pcap-records', ...(limit !== undefined ? { limit } : {}) });
      let counted = 0;
      const printed: string[] = [];
      const copied: number[] = [];
      for (const fragment of fragmentsOf(reader(bytes, 1 << 20), { chunkSize })) {
        const left = (limit ?? Infinity) - counted;
        const count = counter.run(fragment);
        const lines = printer.run(fragment, (record, frame) => `${frame} ${record.fileOffset}\n`).lines!;
        const records = copier.run(fragment);
        const taken = Math.min(count.matches, left);
        counted += taken;
        printed.push(...lines.slice(0, taken));
        if (taken > 0) copied.push(...records.records!.subarray(0, records.recordEnds![taken - 1]));
        if (counted === limit) break;
      }
      expect(counted).toBe(wanted.length);
      // Frame numbers are 1-based and the offsets those of the records in the file.
      const offsets: number[] = [];
      walkCapture(bytes, (record) => { offsets.push(record.fileOffset); });
      expect(printed).toEqual(wanted.map((frame) => `${frame + 1} ${offsets[frame]!}\n`));
      // The copied bytes are the matching records' headers and data exactly as in the file.
      const expectedBytes: number[] = [];
      for (const frame of wanted) {
        const end = frame + 1 < offsets.length ? offsets[frame + 1]! : bytes.length;
        expectedBytes.push(...bytes.subarray(offsets[frame]!, end));
      }
      expect(copied).toEqual(expectedBytes);
    }), { numRuns: 120 });
  });

  it('reports a refused expression as a failure of the fragment, naming the link type', () => {
    const bytes = encodePcap([{ data: new Uint8Array(20), timestampNs: 0n }], { linkType: LinkType.EN10MB });
    const runner = new FilterFragmentRunner({ expression: 'tcp and udp port', engine: 'js', mode: 'count' });
    const [fragment] = [...fragmentsOf(reader(bytes, 1 << 20), {})];
    const result = runner.run(fragment!);
    expect(result.failure).toMatch(/EN10MB|ETHERNET/i);
    expect(result.matches).toBe(0);
  });
});
