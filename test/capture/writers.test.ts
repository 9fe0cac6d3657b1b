/**
 * The streaming writers: paths and Writables, backpressure, copying a capture unchanged with
 * createCaptureWriter (byte-identical for pcap), and clear errors for what a format cannot hold.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createCaptureWriter } from '../../src/capture/capture-writer.js';
import { CaptureWriteError } from '../../src/capture/errors.js';
import { PcapWriter, encodePcap } from '../../src/capture/pcap-writer.js';
import { PcapngWriter, encodePcapng, encodePcapngSections } from '../../src/capture/pcapng-writer.js';
import { readCapture } from '../../src/capture/stream-reader.js';
import { readCaptureSync } from '../../src/capture/walk.js';
import { chunksOf, pcapFileArbitrary, pcapngFileArbitrary } from './support/arbitraries.js';
import { memoryWritable } from './support/streams.js';

const directory = mkdtempSync(join(tmpdir(), 'pktfilter-capture-writers-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Compares large byte arrays quickly (vitest's deep equality is slow on megabytes), naming the first difference. */
function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  if (Buffer.compare(actual, expected) === 0) return;
  let at = 0;
  while (at < actual.length && at < expected.length && actual[at] === expected[at]) at++;
  expect.fail(`bytes differ at offset ${at} (lengths ${actual.length} and ${expected.length})`);
}

const record = (length: number, timestampNs: bigint): { data: Uint8Array; timestampNs: bigint } =>
  ({ data: new Uint8Array(length).map((_, i) => i & 0xff), timestampNs });

describe('capture writers', () => {
  it('PcapWriter and PcapngWriter write files at a path', async () => {
    const records = Array.from({ length: 2000 }, (_, i) => record(60 + (i % 1400), 1_700_000_000_000_000_000n + BigInt(i) * 1000n));
    const pcapFile = join(directory, 'out.pcap');
    const pcap = new PcapWriter(pcapFile, { linkType: 1, nanosecond: true, bigEndian: true });
    for (const r of records) await pcap.write(r);
    await pcap.close();
    expectSameBytes(readFileSync(pcapFile), encodePcap(records, { linkType: 1, nanosecond: true, bigEndian: true }));
    const pcapngFile = join(directory, 'out.pcapng');
    const options = { interfaces: [{ linkType: 101, timestampResolution: { base: 10 as const, exponent: 9 } }] };
    const pcapng = new PcapngWriter(pcapngFile, options);
    for (const r of records) pcapng.append(r);
    await pcapng.close();
    expectSameBytes(readFileSync(pcapngFile), encodePcapng(records, options));
  });

  it('waits for a slow Writable and loses nothing', async () => {
    const parts: Buffer[] = [];
    let waits = 0;
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, callback) { parts.push(chunk); setTimeout(callback, 1); },
    });
    const writer = new PcapWriter(slow, { linkType: 1 });
    const records = Array.from({ length: 600 }, (_, i) => record(1000, BigInt(i) * 1000n));
    for (const r of records) {
      const done = writer.write(r);
      let settled = false;
      void done.then(() => { settled = true; });
      await Promise.resolve();
      if (!settled) waits++;
      await done;
    }
    await writer.close();
    expect(waits).toBeGreaterThan(0);
    expectSameBytes(Buffer.concat(parts), encodePcap(records, { linkType: 1 }));
  });

  it('createCaptureWriter copies a pcap byte for byte, odd header fields and unnormalised fractions too', async () => {
    await fc.assert(
      fc.asyncProperty(pcapFileArbitrary, fc.integer({ min: 1, max: 300 }), async ({ options, expected }, chunkSize) => {
        const bytes = encodePcap(expected, options);
        // A microsecond fraction of 1,000,000 or more is kept as it is by the raw-word copy.
        if (bytes.length > 24 + 8 && !options.nanosecond) new DataView(bytes.buffer).setUint32(24 + 4, 1_999_999, !options.bigEndian);
        const reader = readCapture(Readable.from(chunksOf(bytes, chunkSize)));
        const sink = memoryWritable();
        const writer = createCaptureWriter(sink.stream, await reader.open());
        await reader.walk((r) => writer.append(r), { beforeNextChunk: () => writer.drained() });
        await writer.close();
        expectSameBytes(sink.bytes(), bytes);
      }),
      { numRuns: 60 },
    );
  });

  it('createCaptureWriter copies pcapng records unchanged, with their interfaces, from one or several sections', async () => {
    await fc.assert(
      fc.asyncProperty(pcapngFileArbitrary, async ({ sections }) => {
        const bytes = encodePcapngSections(sections);
        const reader = readCapture(Readable.from([bytes]));
        const sink = memoryWritable();
        const writer = createCaptureWriter(sink.stream, await reader.open());
        for await (const r of reader) await writer.write(r);
        await writer.close();
        const before = readCaptureSync(bytes);
        const after = readCaptureSync(sink.bytes());
        // Everything but the file offsets (the copy is one section); a Simple Packet Block of a later section
        // (not interface 0 of the copy) becomes an Enhanced one at its interface's earliest time.
        const strip = (list: typeof before.records): object[] => list.map(({ fileOffset: _, ...rest }) => ({ ...rest, data: [...rest.data] }));
        const moved = before.records.map((r) => {
          if (r.blockType !== 'simple' || r.interfaceIndex === 0) return r;
          const { blockType: _, ...rest } = r;
          return { ...rest, timestampNs: before.info.interfaces[r.interfaceIndex]!.timestampOffsetSeconds * 1_000_000_000n };
        });
        expect(strip(after.records)).toEqual(strip(moved));
        const used = new Set(before.records.map((r) => r.interfaceIndex));
        for (const index of used) {
          const { index: _i, section: _s, sectionInterfaceIndex: _l, ...face } = before.info.interfaces[index]!;
          expect(after.info.interfaces[index]).toMatchObject(face);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('pcapng to pcapng of the same interface keeps raw timestamps, even finer than nanoseconds', async () => {
    const options = { interfaces: [{ linkType: 1, timestampResolution: { base: 10 as const, exponent: 12 } }] };
    const bytes = encodePcapng([record(60, 1_000_000_123n), record(70, 2_000_000_456n)], options);
    // Put picoseconds the nanosecond-based API could not express into the first record's low word.
    const view = new DataView(bytes.buffer);
    const epb = readCaptureSync(bytes).records[0]!.fileOffset;
    view.setUint32(epb + 16, view.getUint32(epb + 16, true) + 7, true);
    const reader = readCapture(Readable.from([bytes]));
    const sink = memoryWritable();
    const writer = createCaptureWriter(sink.stream, await reader.open());
    await reader.walk((r) => writer.append(r));
    await writer.close();
    expectSameBytes(sink.bytes(), bytes);
  });

  it('rejects what a format cannot hold, naming the record', async () => {
    const sink = memoryWritable();
    const pcap = new PcapWriter(sink.stream, { linkType: 1 });
    await pcap.write(record(10, 1n));
    await expect(pcap.write(record(10, -1n))).rejects.toThrow(/pcap record 1: timestamp -1 ns/);
    expect(() => pcap.append(record(10, 2n ** 32n * 1_000_000_000n))).toThrow(CaptureWriteError);
    expect(() => pcap.append({ ...record(10, 1n), wireLength: 2 ** 32 })).toThrow(/wire length 4294967296/);
    await pcap.close();
    await expect(pcap.write(record(10, 1n))).rejects.toThrow(/closed/);
    // Failed records left nothing behind: one header, one record.
    expect(sink.bytes().length).toBe(24 + 16 + 10);

    const pcapng = new PcapngWriter(memoryWritable().stream, { interfaces: [{ linkType: 1, snaplen: 100 }] });
    expect(() => pcapng.append({ ...record(10, 1n), interfaceIndex: 1 })).toThrow(/interface 1 was not declared/);
    expect(() => pcapng.append({ ...record(10, 1n), blockType: 'simple', wireLength: 200 })).toThrow(/simple packet block needs/);
    expect(() => pcapng.append({ ...record(10, 1n), comment: 'x'.repeat(70_000) })).toThrow(/65535-byte option limit/);
    expect(() => pcapng.addInterface({ linkType: 70_000 })).toThrow(/does not fit 16 bits/);
    await pcapng.close();
  });

  it('a stream error reaches close(), not an unhandled rejection', async () => {
    const writer = new PcapWriter(join(directory, 'no-such-directory', 'x.pcap'), { linkType: 1 });
    for (let i = 0; i < 2000; i++) writer.append(record(1000, 1n));
    await expect(writer.close()).rejects.toThrow(/ENOENT/);
  });

  it('a capture can be rewritten from the fast walk with backpressure, in constant chunks', async () => {
    const bytes = encodePcap(Array.from({ length: 500 }, (_, i) => record(100 + i, BigInt(i))), { linkType: 1 });
    const file = join(directory, 'copy-source.pcap');
    writeFileSync(file, bytes);
    const reader = readCapture(file, { chunkSize: 4096 });
    const output = join(directory, 'copy.pcap');
    const writer = createCaptureWriter(output, await reader.open());
    await reader.walk((r) => writer.append(r), { beforeNextChunk: () => writer.drained() });
    await writer.close();
    expectSameBytes(readFileSync(output), bytes);
  });
});
