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
import { afterAll, describe, expect, it } from 'vitest';
import { compileToJs } from '../../src/bpf/index.js';
import { CaptureFormatError, encodePcapngSections, walkCapture } from '../../src/capture/index.js';
import { LinkType } from '../../src/capture/linktype.js';
import { encodePcap } from '../../src/capture/pcap-writer.js';
import { compileFilter } from '../../src/compiler/index.js';
import { arbitraryPacket } from '../../src/packet/arbitrary/index.js';
import { FILTER_MINIMUM_FRAGMENT_SIZE, FILTER_READ_ALIGNMENT, allocatePageAlignedBytes, fragmentsOf, type FilterCaptureFragment, type FilterWalkStop } from '../../src/cli/filter/fragments.js';
import { guessPcapRecordStart } from '../../src/cli/filter/pcap-resync.js';
import { countPcapPart } from '../../src/cli/filter/worker.js';
import { filterProgramCompiler } from '../../src/cli/filter/compile-program.js';
import { FilterFragmentRunner, parseFragment, type FilterRunSettings } from '../../src/cli/filter/run-fragment.js';
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
    if (reuseBuffer && !fragment.last) {
      // The reused memory is page-aligned and each fragment starts where addresses and file offsets agree modulo 64
      // (the last fragment may be a copy: the cut-off tail of a file that ends inside a unit).
      expect(((fragment.bytes.byteOffset - fragment.base) % FILTER_READ_ALIGNMENT + FILTER_READ_ALIGNMENT) % FILTER_READ_ALIGNMENT).toBe(0);
    }
    let counted = 0;
    try {
      parseFragment(fragment, (record, index) => {
        records.push(seen(record, index));
        counted++;
        // Every record's link type was announced by the header walk (the main thread compiles for those).
        expect(fragment.linkTypes).toContain(record.linkType);
      });
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

describe('fragments that stop at an offset and start mid-file (filter --count -j N)', () => {
  it('stop before the first record at or after `stopAt`, say where it is, and a walk started there gives the rest', () => {
    fc.assert(fc.property(pcapFileArbitrary, damageArbitrary, fc.double({ min: 0, max: 1, noNaN: true }), chunkArbitrary, pieceArbitrary, ({ options, expected }, damage, at, chunkSize, piece) => {
      const bytes = damaged(encodePcap(expected.map((r) => ({ data: r.data, timestampNs: r.timestampNs, wireLength: r.wireLength })), options), damage);
      const reference = walked(bytes);
      if (bytes.length < 24 || (reference.error !== undefined && reference.error.offset < 24)) return;
      const stopAt = 24 + Math.floor(at * (bytes.length - 24));
      const records: SeenRecord[] = [];
      let error: { offset: number; problem: string } | undefined;
      /** Parses every fragment of a walk; returns its stop (undefined at the end or after damage). */
      const run = (walk: Generator<FilterCaptureFragment, FilterWalkStop | undefined>): FilterWalkStop | undefined => {
        for (let step = walk.next(); ; step = walk.next()) {
          if (step.done === true) return step.value;
          try {
            parseFragment(step.value, (record, index) => { records.push(seen(record, index)); });
          } catch (caught) {
            error = errorOf(caught);
            return undefined;
          }
        }
      };
      const stop = run(fragmentsOf(reader(bytes, piece), { chunkSize, reuseBuffer: true, stopAt }));
      if (stop !== undefined) {
        // The stop is the first record (perhaps a damaged one) at or after stopAt; every record before it was given.
        expect(stop.offset).toBeGreaterThanOrEqual(stopAt);
        expect(reference.records.filter((record) => record.fileOffset >= stopAt && record.fileOffset < stop.offset)).toEqual([]);
        expect(records).toEqual(reference.records.filter((record) => record.fileOffset < stop.offset));
        expect(stop.frame).toBe(records.length);
        run(fragmentsOf(reader(bytes.subarray(stop.offset), piece), { chunkSize, reuseBuffer: true, start: { ...stop, header: bytes.subarray(0, 24) } }));
      }
      expect(error === undefined ? { records } : { records, error }).toEqual(reference);
    }), { numRuns: 300 });
  });
});

describe('guessing a record start in the middle of a pcap file', () => {
  const directory = mkdtempSync(join(tmpdir(), 'pktfilter-resync-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  /** The guess at `from` in `bytes`, written to a file. */
  const guessIn = (bytes: Uint8Array, from: number): number | undefined => {
    const file = join(directory, 'resync.pcap');
    writeFileSync(file, bytes);
    const descriptor = openSync(file, 'r');
    try {
      return guessPcapRecordStart(descriptor, bytes.subarray(0, 24), from, bytes.length);
    } finally {
      closeSync(descriptor);
    }
  };

  it('finds the first record at or after the offset in most captures of generated frames', () => {
    let right = 0;
    const runs = 100;
    fc.assert(fc.property(fc.array(arbitraryPacket({ linkType: LinkType.EN10MB }), { minLength: 20, maxLength: 80 }), fc.double({ min: 0, max: 0.6, noNaN: true }), (list, at) => {
      const bytes = encodePcap(list.map((p, i) => ({ data: p.data, wireLength: p.wireLength, timestampNs: 1_700_000_000_000_000_000n + BigInt(i) * 1000n })), { linkType: LinkType.EN10MB });
      const offsets: number[] = [];
      walkCapture(bytes, (record) => { offsets.push(record.fileOffset); });
      const from = 24 + Math.floor(at * (bytes.length - 24));
      const guess = guessIn(bytes, from);
      // A guess is never before `from` and never past the true record (which starts a plausible chain itself).
      const truth = offsets.find((offset) => offset >= from)!;
      expect(guess).toBeDefined();
      expect(guess!).toBeGreaterThanOrEqual(from);
      expect(guess!).toBeLessThanOrEqual(truth);
      if (guess === truth) right++;
    }), { numRuns: runs, seed: 7 });
    // Generated payloads can look like record headers (a wrong guess only costs time), but rarely.
    expect(right).toBeGreaterThanOrEqual(0.8 * runs);
  });

  it('a worker\'s count of a part, when clean and started at the true record, is exactly that stretch of the whole walk', () => {
    // Frames with zero payloads fool the guess (see below); the others are generated frames.
    const zeros = new Uint8Array(300);
    zeros.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x00]);
    const expression = 'ip or arp';
    const program = compileFilter(expression, { linkType: LinkType.EN10MB });
    const single = compileToJs(program);
    const worker = new FilterFragmentRunner({ expression, engine: 'js', mode: 'count', programs: { [LinkType.EN10MB]: program } });
    const file = join(directory, 'part.pcap');
    let checked = 0;
    fc.assert(fc.property(
      fc.array(fc.oneof(arbitraryPacket({ linkType: LinkType.EN10MB }), fc.constant({ data: zeros, wireLength: 300 })), { minLength: 10, maxLength: 60 }),
      fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }),
      (list, a, b) => {
        const bytes = encodePcap(list.map((p, i) => ({ data: p.data, wireLength: p.wireLength, timestampNs: 1_700_000_000_000_000_000n + BigInt(i) * 1000n })), { linkType: LinkType.EN10MB });
        writeFileSync(file, bytes);
        const reference: { offset: number; match: boolean }[] = [];
        walkCapture(bytes, (record) => { reference.push({ offset: record.fileOffset, match: single(record.data, record.capturedLength, record.wireLength) !== 0 }); });
        const [from, end] = [24 + Math.floor(Math.min(a, b) * (bytes.length - 24)), 24 + Math.ceil(Math.max(a, b) * (bytes.length - 24))];
        const result = countPcapPart(worker, file, bytes.subarray(0, 24), from, end);
        const first = reference.findIndex((record) => record.offset >= from);
        if (!result.clean || first < 0 || result.guess !== reference[first]!.offset) return;
        checked++;
        let last = reference.findIndex((record) => record.offset >= end);
        if (last < 0) last = reference.length;
        const stretch = reference.slice(first, last);
        expect(result).toEqual({
          guess: reference[first]!.offset, next: last < reference.length ? reference[last]!.offset : -1,
          records: stretch.length, matches: stretch.filter((record) => record.match).length, looping: 0, clean: true,
        });
      },
    ), { numRuns: 150 });
    // Most parts start at a generated frame, where the guess is right: the property was not checked vacuously.
    expect(checked).toBeGreaterThan(30);
  });

  it('can be fooled by payloads that look like record headers (so the CLI must check every guess)', () => {
    // Frames whose payload is zeros: sixteen zero bytes read as a record header of length zero at time zero.
    const frame = new Uint8Array(600);
    frame.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x00]);
    const bytes = encodePcap(Array.from({ length: 10 }, (_, i) => ({ data: frame, timestampNs: 1_700_000_000_000_000_000n + BigInt(i) })), { linkType: LinkType.EN10MB });
    const from = 24 + 3 * (16 + 600) + 100;
    expect(guessIn(bytes, from)).toBe(from);
    expect((from - 24) % (16 + 600)).not.toBe(0);
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

/** A runner as the main thread makes it: it compiles the expression for each link type it meets. */
const mainThreadRunner = (settings: FilterRunSettings): FilterFragmentRunner => new FilterFragmentRunner(settings, filterProgramCompiler(settings));

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
      const counter = mainThreadRunner({ expression, engine: 'js', mode: 'count', ...(limit !== undefined ? { limit } : {}) });
      const printer = mainThreadRunner({ expression, engine: 'interp', mode: 'print', ...(limit !== undefined ? { limit } : {}) });
      const copier = mainThreadRunner({ expression, engine: 'js', mode: 'pcap-records', ...(limit !== undefined ? { limit } : {}) });
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
    const runner = mainThreadRunner({ expression: 'tcp and udp port', engine: 'js', mode: 'count' });
    const [fragment] = [...fragmentsOf(reader(bytes, 1 << 20), {})];
    const result = runner.run(fragment!);
    expect(result.failure).toMatch(/EN10MB|ETHERNET/i);
    expect(result.matches).toBe(0);
  });

  it('without a compiler (as in a worker) runs the programs and refusals the main thread sent, refusing only at a record of a refused link type', () => {
    // Section 1: Ethernet and raw IP interfaces; `ether broadcast` compiles for Ethernet only.
    const expression = 'ether broadcast or ip';
    fc.assert(fc.property(
      fc.array(arbitraryPacket({ linkType: LinkType.EN10MB }), { minLength: 1, maxLength: 20 }),
      fc.array(arbitraryPacket({ linkType: LinkType.RAW }), { maxLength: 5 }),
      chunkArbitrary,
      (ethernet, raw, chunkSize) => {
        const bytes = encodePcapngSections([{
          options: { interfaces: [{ linkType: LinkType.EN10MB }, { linkType: LinkType.RAW }] },
          records: [
            ...ethernet.map((p, i) => ({ data: p.data, wireLength: p.wireLength, timestampNs: BigInt(i), interfaceIndex: 0 })),
            ...raw.map((p, i) => ({ data: p.data, wireLength: p.wireLength, timestampNs: BigInt(100 + i), interfaceIndex: 1 })),
          ],
        }]);
        const settings: FilterRunSettings = { expression, engine: 'js', mode: 'print' };
        const reference = mainThreadRunner(settings);
        const compile = filterProgramCompiler(settings);
        const worker = new FilterFragmentRunner({ ...settings, programs: { [LinkType.EN10MB]: compile(LinkType.EN10MB) } });
        let refusalSent = false;
        const describe = (_record: unknown, frame: number): string => `${frame}\n`;
        for (const fragment of fragmentsOf(reader(bytes, 1 << 20), { chunkSize })) {
          if (!refusalSent && fragment.linkTypes?.includes(LinkType.RAW)) {
            let refusal = '';
            try { compile(LinkType.RAW); } catch (error) { refusal = (error as Error).message; }
            expect(refusal).toMatch(/RAW/);
            worker.addPrograms({}, { [LinkType.RAW]: refusal });
            refusalSent = true;
          }
          const expected = reference.run(fragment, describe);
          expect(worker.run(fragment, describe)).toEqual(expected);
          if (expected.failure !== undefined) break;
        }
        expect(refusalSent).toBe(true);
      },
    ), { numRuns: 40 });
  });
});

describe('page-aligned read buffers', () => {
  it('start on a page boundary and have at least the capacity asked for', () => {
    for (const capacity of [1, 4095, 65536, 65537, 300_000]) {
      const bytes = allocatePageAlignedBytes(capacity);
      expect(bytes.length).toBeGreaterThanOrEqual(capacity);
      expect(bytes.byteOffset).toBe(0);
    }
  });
});
