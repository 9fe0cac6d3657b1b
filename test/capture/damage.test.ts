/**
 * Damaged files: truncation at every offset, bit flips, random bytes and absurd lengths. Only
 * CaptureFormatError may escape, every error names an offset inside the file, every record that lies
 * wholly before the damage is delivered unchanged first, and the stream reader (in random chunk sizes)
 * delivers the same records and the same error as the walker.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CaptureFormatError } from '../../src/capture/errors.js';
import type { CaptureRecord } from '../../src/capture/info.js';
import { encodePcap } from '../../src/capture/pcap-writer.js';
import { encodePcapngSections } from '../../src/capture/pcapng-writer.js';
import { readCaptureSync, walkCapture } from '../../src/capture/walk.js';
import { pcapFileArbitrary, pcapngFileArbitrary } from './support/arbitraries.js';
import { streamRecords } from './support/streams.js';

/** A sound file, its records, and where each record's header or block ends. */
interface SoundFile { bytes: Uint8Array; records: CaptureRecord[]; ends: number[] }

function soundFile(bytes: Uint8Array): SoundFile {
  const { records, info } = readCaptureSync(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ends = records.map((record) => {
    if (info.format === 'pcap') return record.fileOffset + 16 + record.capturedLength;
    // A pcapng record ends where its block ends: the block's total length, in its section's byte order.
    const section = [...info.sections].reverse().find((s) => s.offset <= record.fileOffset)!;
    return record.fileOffset + view.getUint32(record.fileOffset + 4, !section.bigEndian);
  });
  return { bytes, records, ends };
}

const fileArbitrary: fc.Arbitrary<SoundFile> = fc.oneof(
  pcapFileArbitrary.map(({ options, expected }) => soundFile(encodePcap(expected, options))),
  pcapngFileArbitrary.map(({ sections }) => soundFile(encodePcapngSections(sections))),
);

/** Walks `bytes`, keeping snapshots and the error; fails the test on anything but CaptureFormatError. */
function walkDamaged(bytes: Uint8Array): { records: CaptureRecord[]; error: CaptureFormatError | undefined } {
  const records: CaptureRecord[] = [];
  try {
    walkCapture(bytes, (record) => { records.push(record.snapshot()); });
    return { records, error: undefined };
  } catch (error) {
    if (!(error instanceof CaptureFormatError)) throw error;
    expect(Number.isInteger(error.offset)).toBe(true);
    expect(error.offset).toBeGreaterThanOrEqual(0);
    expect(error.offset).toBeLessThanOrEqual(bytes.length);
    expect(error.problem.length).toBeGreaterThan(0);
    expect(error.message).toContain(`byte offset ${error.offset}`);
    return { records, error };
  }
}

function same(record: CaptureRecord): object {
  return { ...record, data: [...record.data] };
}

/** The records of `file` lying wholly before `offset`, which a reader must deliver before any error. */
function recordsBefore(file: SoundFile, offset: number): object[] {
  return file.records.filter((_, index) => file.ends[index]! <= offset).map(same);
}

/** Checks the walker and the stream reader against each other on damaged bytes. */
async function checkBothReaders(damaged: Uint8Array, file: SoundFile, firstDamage: number, chunkSize: number): Promise<void> {
  const walked = walkDamaged(damaged);
  const intact = recordsBefore(file, firstDamage);
  expect(walked.records.slice(0, intact.length).map(same)).toEqual(intact);
  const streamed = await streamRecords(damaged, chunkSize);
  if (streamed.error !== undefined && !(streamed.error instanceof CaptureFormatError)) throw streamed.error;
  expect(streamed.records.map(same)).toEqual(walked.records.map(same));
  expect((streamed.error as CaptureFormatError | undefined)?.offset).toBe(walked.error?.offset);
  expect((streamed.error as CaptureFormatError | undefined)?.problem).toBe(walked.error?.problem);
}

describe('damaged captures', () => {
  it('truncation at every offset delivers every complete record, then an error at the cut', async () => {
    await fc.assert(
      fc.asyncProperty(fileArbitrary, fc.integer({ min: 1, max: 50 }), async (file, chunkSize) => {
        fc.pre(file.bytes.length < 3000);
        for (let cut = 0; cut < file.bytes.length; cut++) {
          const truncated = file.bytes.subarray(0, cut);
          const walked = walkDamaged(truncated);
          expect(walked.records.map(same)).toEqual(recordsBefore(file, cut));
          // A cut inside a record's header, data or block is reported at the start of that record or block.
          const inside = file.records.findIndex((record, index) => record.fileOffset < cut && cut < file.ends[index]!);
          if (inside >= 0) {
            expect(walked.error?.offset).toBe(file.records[inside]!.fileOffset);
            expect(walked.error?.problem).toMatch(/^truncated /);
          }
          if (cut === 0) expect(walked.error?.problem).toBe('empty capture file');
          if (cut % 7 === 0) await checkBothReaders(truncated, file, cut, chunkSize);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('bit flips and overwritten bytes: only CaptureFormatError, intact records first, both readers agree', async () => {
    await fc.assert(
      fc.asyncProperty(
        fileArbitrary,
        fc.array(fc.record({ position: fc.nat(), value: fc.oneof(fc.integer({ min: 0, max: 7 }).map((bit) => -1 - bit), fc.integer({ min: 0, max: 255 })) }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 100 }),
        async (file, edits, chunkSize) => {
          const damaged = file.bytes.slice();
          let firstDamage = damaged.length;
          for (const { position, value } of edits) {
            const at = position % damaged.length;
            // Negative values flip bit (-1 - value); others overwrite the byte.
            damaged[at] = value < 0 ? damaged[at]! ^ (1 << (-1 - value)) : value;
            if (damaged[at] !== file.bytes[at]) firstDamage = Math.min(firstDamage, at);
          }
          await checkBothReaders(damaged, file, firstDamage, chunkSize);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('absurd length fields are reported at the record or block that holds them', async () => {
    await fc.assert(
      fc.asyncProperty(fileArbitrary, fc.nat(), fc.constantFrom(0xffffffff, 0x80000000, 0x10000004, 0x7ffffffc), async (file, pick, absurd) => {
        fc.pre(file.records.length > 0);
        const index = pick % file.records.length;
        const record = file.records[index]!;
        const damaged = file.bytes.slice();
        const view = new DataView(damaged.buffer);
        const { info } = readCaptureSync(file.bytes);
        const little = info.format === 'pcap' ? !info.bigEndian : ![...info.sections].reverse().find((s) => s.offset <= record.fileOffset)!.bigEndian;
        // pcap: the record's captured length; pcapng: the block's total length.
        view.setUint32(record.fileOffset + (info.format === 'pcap' ? 8 : 4), absurd, little);
        const walked = walkDamaged(damaged);
        expect(walked.error).toBeInstanceOf(CaptureFormatError);
        // pcap: reported at the record; pcapng: at the length field when absurd or not a multiple of 4,
        // otherwise the block runs past the end of the file and is reported as truncated at its start.
        if (info.format === 'pcap') expect(walked.error!.offset).toBe(record.fileOffset);
        else expect([record.fileOffset, record.fileOffset + 4]).toContain(walked.error!.offset);
        expect(walked.records.map(same)).toEqual(file.records.slice(0, index).map(same));
        await checkBothReaders(damaged, file, record.fileOffset, 64);
      }),
      { numRuns: 150 },
    );
  });

  it('a pcapng block whose trailing length disagrees is reported at that length', async () => {
    await fc.assert(
      fc.asyncProperty(pcapngFileArbitrary, fc.nat(), fc.integer({ min: 1, max: 0xffff }), async ({ sections }, pick, delta) => {
        const file = soundFile(encodePcapngSections(sections));
        fc.pre(file.records.length > 0);
        const index = pick % file.records.length;
        const start = file.records[index]!.fileOffset;
        const end = file.ends[index]!;
        const damaged = file.bytes.slice();
        const view = new DataView(damaged.buffer);
        const little = damaged[start + 4] === view.getUint32(start + 4, true) % 256 && view.getUint32(end - 4, true) === end - start;
        view.setUint32(end - 4, (end - start + delta) >>> 0, little);
        const walked = walkDamaged(damaged);
        expect(walked.error?.offset).toBe(end - 4);
        expect(walked.error?.problem).toMatch(/trailing total length .* disagrees/);
        expect(walked.records.map(same)).toEqual(file.records.slice(0, index).map(same));
      }),
      { numRuns: 150 },
    );
  });

  it('random bytes, with or without a capture magic in front, never escape as another error', async () => {
    const magics = [[0xa1, 0xb2, 0xc3, 0xd4], [0xd4, 0xc3, 0xb2, 0xa1], [0x4d, 0x3c, 0xb2, 0xa1], [0x0a, 0x0d, 0x0d, 0x0a], []];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...magics), fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 1, max: 64 }), async (magic, tail, chunkSize) => {
        const bytes = new Uint8Array([...magic, ...tail]);
        const walked = walkDamaged(bytes);
        const streamed = await streamRecords(bytes, chunkSize);
        if (streamed.error !== undefined && !(streamed.error instanceof CaptureFormatError)) throw streamed.error;
        expect(streamed.records.length).toBe(walked.records.length);
        expect((streamed.error as CaptureFormatError | undefined)?.offset).toBe(walked.error?.offset);
      }),
      { numRuns: 500 },
    );
  });

  it('names the problem of common non-captures and cut headers', () => {
    const problem = (bytes: number[]): string => { try { walkCapture(new Uint8Array(bytes), () => {}); return 'no error'; } catch (e) { return (e as CaptureFormatError).problem; } };
    expect(problem([])).toBe('empty capture file');
    expect(problem([0x1f, 0x8b, 8, 0])).toMatch(/gzip/);
    expect(problem([0x50, 0x4b, 3, 4, 0])).toMatch(/unknown magic 0x504b0304/);
    expect(problem([0xa1, 0xb2, 0xc3, 0xd4, 0, 2])).toMatch(/truncated pcap file header: 24 bytes needed, 6 present/);
    expect(problem([0xd4, 0xc3, 0xb2, 0xa1, 3, 0, 4, 0, ...new Array(16).fill(0)])).toMatch(/unsupported pcap version 3\.4/);
  });
});
