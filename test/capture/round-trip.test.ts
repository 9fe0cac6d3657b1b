/**
 * Round trips: random records written by our pcap and pcapng writers (random link types, both byte
 * orders, micro and nano, caplen below wirelen, several sections and interfaces with random if_tsresol and
 * if_tsoffset) read back equal by the synchronous walker and by the stream reader in tiny chunks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CaptureRecord } from '../../src/capture/info.js';
import { PcapWriter, encodePcap } from '../../src/capture/pcap-writer.js';
import { PcapngWriter, encodePcapngSections } from '../../src/capture/pcapng-writer.js';
import { readCaptureSync, walkCapture } from '../../src/capture/walk.js';
import { type ExpectedRecord, pcapFileArbitrary, pcapngFileArbitrary } from './support/arbitraries.js';
import { memoryWritable, streamRecords } from './support/streams.js';

/** The comparable fields of a record (data as a plain array so that failures print readably). */
function comparable(record: CaptureRecord | ExpectedRecord): object {
  return {
    timestampNs: record.timestampNs, capturedLength: record.capturedLength, wireLength: record.wireLength,
    linkType: record.linkType, interfaceIndex: record.interfaceIndex, data: [...record.data], comment: record.comment,
  };
}

describe('pcap round trip', () => {
  it('walker and stream read back what PcapWriter wrote, and encodePcap writes the same bytes', async () => {
    await fc.assert(
      fc.asyncProperty(pcapFileArbitrary, fc.integer({ min: 1, max: 40 }), async ({ options, expected }, chunkSize) => {
        const sink = memoryWritable();
        const writer = new PcapWriter(sink.stream, options);
        for (const record of expected) await writer.write(record);
        await writer.close();
        const bytes = sink.bytes();
        expect(bytes).toEqual(encodePcap(expected, options));
        const { records, info } = readCaptureSync(bytes);
        expect(records.map(comparable)).toEqual(expected.map(comparable));
        const shifted = new Uint8Array(bytes.length + 5).subarray(5);
        shifted.set(bytes);
        expect(readCaptureSync(shifted).records.map(comparable)).toEqual(expected.map(comparable));
        expect(info).toMatchObject({ format: 'pcap', linkType: options.linkType, snaplen: options.snaplen, nanosecond: options.nanosecond, bigEndian: options.bigEndian });
        // Every record's data is a view of the file, not a copy.
        for (const record of records) expect(record.data.buffer).toBe(bytes.buffer);
        const streamed = await streamRecords(bytes, chunkSize);
        expect(streamed.error).toBeUndefined();
        expect(streamed.records.map(comparable)).toEqual(expected.map(comparable));
      }),
      { numRuns: 150 },
    );
  });

  it('the reused record gives each record its own bytes, one view per record, and snapshots that outlive it', () => {
    fc.assert(
      fc.property(pcapFileArbitrary, ({ options, expected }) => {
        const bytes = encodePcap(expected, options);
        const kept: CaptureRecord[] = [];
        walkCapture(bytes, (record, index) => {
          expect(record.data).toBe(record.data);
          expect([...record.data]).toEqual([...expected[index]!.data]);
          if (record.capturedLength > 0) expect(record.buffer[record.dataOffset]).toBe(expected[index]!.data[0]);
          kept.push(record.snapshot());
        });
        expect(kept.map(comparable)).toEqual(expected.map(comparable));
      }),
      { numRuns: 100 },
    );
  });

  it('the walker stops when the visitor returns false', () => {
    fc.assert(
      fc.property(pcapFileArbitrary, fc.nat(), ({ options, expected }, stopSeed) => {
        fc.pre(expected.length > 0);
        const stopAt = stopSeed % expected.length;
        const seen: number[] = [];
        const summary = walkCapture(encodePcap(expected, options), (record, index) => { seen.push(record.capturedLength); return index !== stopAt; });
        expect(seen).toEqual(expected.slice(0, stopAt + 1).map((r) => r.capturedLength));
        expect(summary).toMatchObject({ stopped: true, records: stopAt + 1 });
      }),
      { numRuns: 100 },
    );
  });
});

describe('pcapng round trip', () => {
  it('walker and stream read back several sections, interfaces, resolutions, offsets and block types', async () => {
    await fc.assert(
      fc.asyncProperty(pcapngFileArbitrary, fc.integer({ min: 1, max: 64 }), async ({ sections, expected }, chunkSize) => {
        const bytes = encodePcapngSections(sections);
        const { records, info } = readCaptureSync(bytes);
        expect(records.map(comparable)).toEqual(expected.map(comparable));
        // The same file at an odd offset inside a larger buffer (a pooled Buffer, a slice of a bigger read).
        const shifted = new Uint8Array(bytes.length + 3).subarray(3);
        shifted.set(bytes);
        expect(readCaptureSync(shifted).records.map(comparable)).toEqual(expected.map(comparable));
        // File-level facts: every section and interface with its options.
        expect(info.sections.map((s) => [s.bigEndian, s.comments])).toEqual(sections.map((s) => [!!s.options.bigEndian, s.options.comments]));
        const interfaces = sections.flatMap((s) => s.options.interfaces ?? []);
        expect(info.interfaces.map((i) => [i.linkType, i.snaplen, i.timestampResolution, i.timestampOffsetSeconds, i.name, i.description]))
          .toEqual(interfaces.map((i) => [i.linkType, i.snaplen, i.timestampResolution, i.timestampOffsetSeconds ?? 0n, i.name, i.description]));
        expect(info.linkType).toBe(interfaces[0]!.linkType);
        const streamed = await streamRecords(bytes, chunkSize);
        expect(streamed.error).toBeUndefined();
        expect(streamed.records.map(comparable)).toEqual(expected.map(comparable));
      }),
      { numRuns: 150 },
    );
  });

  it('skips unknown and unused blocks (name resolution, statistics, custom, any other type)', () => {
    const skippable = fc.oneof(fc.constantFrom(4, 5, 9, 10, 0xbad, 0x40000bad), fc.integer({ min: 7, max: 0x7fffffff }).filter((t) => t !== 0x0a0d0d0a));
    fc.assert(
      fc.property(pcapngFileArbitrary, fc.array(fc.record({ at: fc.nat(), type: skippable, body: fc.uint8Array({ maxLength: 40 }) }), { minLength: 1, maxLength: 4 }), ({ sections, expected }, inserts) => {
        const bytes = encodePcapngSections(sections);
        const { info } = readCaptureSync(bytes);
        // Block boundaries after the first section header, each with its section's byte order.
        const view = new DataView(bytes.buffer);
        const boundaries: { offset: number; little: boolean }[] = [];
        for (let offset = 0; offset < bytes.length;) {
          const little = ![...info.sections].reverse().find((section) => section.offset <= offset)!.bigEndian;
          offset += view.getUint32(offset + 4, little);
          boundaries.push({ offset, little });
        }
        const pieces: Uint8Array[] = [];
        let from = 0;
        const chosen = inserts.map((insert) => ({ ...insert, where: boundaries[insert.at % boundaries.length]! })).sort((a, b) => a.where.offset - b.where.offset);
        for (const { type, body, where } of chosen) {
          pieces.push(bytes.subarray(from, where.offset));
          from = where.offset;
          // type, total length, body padded to 4 bytes, total length again.
          const length = 12 + ((body.length + 3) & ~3);
          const block = new Uint8Array(length);
          const blockView = new DataView(block.buffer);
          blockView.setUint32(0, type, where.little);
          blockView.setUint32(4, length, where.little);
          block.set(body, 8);
          blockView.setUint32(length - 4, length, where.little);
          pieces.push(block);
        }
        pieces.push(bytes.subarray(from));
        const withUnknown = new Uint8Array(Buffer.concat(pieces));
        expect(readCaptureSync(withUnknown).records.map(comparable)).toEqual(expected.map(comparable));
      }),
      { numRuns: 150 },
    );
  });

  it('PcapngWriter streams the same bytes as encodePcapngSections', async () => {
    await fc.assert(
      fc.asyncProperty(pcapngFileArbitrary, async ({ sections }) => {
        const sink = memoryWritable();
        const [first, ...rest] = sections;
        const writer = new PcapngWriter(sink.stream, first!.options);
        for (const record of first!.records) await writer.write(record);
        for (const section of rest) {
          writer.startSection(section.options);
          for (const record of section.records) await writer.write(record);
        }
        await writer.close();
        expect(sink.bytes()).toEqual(encodePcapngSections(sections));
      }),
      { numRuns: 60 },
    );
  });

  it('reading then rewriting keeps every byte when resolutions are no finer than nanoseconds', () => {
    fc.assert(
      fc.property(pcapngFileArbitrary, ({ sections }) => {
        // Finer decimal resolutions lose digits below a nanosecond; binary ones up to 2^-29 round-trip exactly.
        fc.pre(sections.every((s) => (s.options.interfaces ?? []).every((i) => {
          const r = i.timestampResolution!;
          return r.base === 10 ? r.exponent <= 9 : r.exponent <= 29;
        })));
        const bytes = encodePcapngSections(sections);
        const { records, info } = readCaptureSync(bytes);
        let next = 0;
        const again = encodePcapngSections(sections.map((section, index) => {
          const count = [...section.records].length;
          const own = records.slice(next, next + count).map((r, k) => ({
            ...r, interfaceIndex: info.interfaces[r.interfaceIndex]!.sectionInterfaceIndex, blockType: [...section.records][k]!.blockType,
          }));
          next += count;
          expect(info.interfaces.filter((i) => i.section === index).length).toBe(section.options.interfaces!.length);
          return { options: section.options, records: own };
        }));
        expect(again).toEqual(bytes);
      }),
      { numRuns: 100 },
    );
  });
});
