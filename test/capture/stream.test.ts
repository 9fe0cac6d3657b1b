/**
 * The stream reader: file info before the first record, paths and Readables, early exit, bad sources,
 * records larger than a chunk, and memory that stays bounded while a large capture streams through.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureFormatError } from '../../src/capture/errors.js';
import { encodePcap } from '../../src/capture/pcap-writer.js';
import { encodePcapng } from '../../src/capture/pcapng-writer.js';
import { readCapture } from '../../src/capture/stream-reader.js';
import { readCaptureSync } from '../../src/capture/walk.js';
import { chunksOf } from './support/arbitraries.js';

const directory = mkdtempSync(join(tmpdir(), 'pktfilter-capture-stream-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** `count` records of `length` bytes whose first byte is the record number (mod 256). */
function numberedRecords(count: number, length = 64): { data: Uint8Array; timestampNs: bigint; wireLength: number }[] {
  return Array.from({ length: count }, (_, index) => {
    const data = new Uint8Array(length);
    data[0] = index & 0xff;
    return { data, timestampNs: 1_000_000_000n * BigInt(index) + 5000n, wireLength: length + index };
  });
}

describe('readCapture', () => {
  it('open() reports the pcap header before any record is consumed', async () => {
    const bytes = encodePcap(numberedRecords(5), { linkType: 113, snaplen: 1500, nanosecond: true, bigEndian: true });
    const reader = readCapture(Readable.from(chunksOf(bytes, 10)));
    expect(reader.info).toBeUndefined();
    const info = await reader.open();
    expect(info).toMatchObject({ format: 'pcap', linkType: 113, snaplen: 1500, nanosecond: true, bigEndian: true });
    expect(info.interfaces[0]).toMatchObject({ linkTypeName: 'LINUX_SLL', timestampResolution: { base: 10, exponent: 9 } });
    const firsts: number[] = [];
    for await (const record of reader) firsts.push(record.data[0]!);
    expect(firsts).toEqual([0, 1, 2, 3, 4]);
  });

  it('open() on pcapng waits for the interfaces of the first section', async () => {
    const bytes = encodePcapng(numberedRecords(3).map((r, i) => ({ ...r, interfaceIndex: i % 2 })), {
      bigEndian: true, userApplication: 'pktfilter test',
      interfaces: [{ linkType: 101, name: 'tun0', description: 'a tunnel' }, { linkType: 1, timestampResolution: { base: 10, exponent: 9 } }],
    });
    const reader = readCapture(Readable.from(chunksOf(bytes, 3)));
    const info = await reader.open();
    expect(info).toMatchObject({ format: 'pcapng', linkType: 101, bigEndian: true });
    expect(info.sections[0]!.userApplication).toBe('pktfilter test');
    expect(info.interfaces.map((i) => [i.linkType, i.name, i.description])).toEqual([[101, 'tun0', 'a tunnel'], [1, undefined, undefined]]);
    const seen: number[] = [];
    for await (const record of reader) seen.push(record.interfaceIndex);
    expect(seen).toEqual([0, 1, 0]);
  });

  it('reads a path in small chunks like the whole file in memory', async () => {
    const bytes = encodePcap(numberedRecords(300, 97), { linkType: 1 });
    const file = join(directory, 'small-chunks.pcap');
    writeFileSync(file, bytes);
    const streamed = [];
    for await (const record of readCapture(file, { chunkSize: 13 })) streamed.push({ ...record, data: [...record.data] });
    expect(streamed).toEqual(readCaptureSync(bytes).records.map((r) => ({ ...r, data: [...r.data] })));
  });

  it('walk() visits the reused record, stops on false and then releases the source', async () => {
    const source = Readable.from(chunksOf(encodePcap(numberedRecords(50), { linkType: 1 }), 100));
    const reader = readCapture(source);
    const seen: number[] = [];
    const summary = await reader.walk((record, index) => { seen.push(record.buffer[record.dataOffset]!); return index < 9; });
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(summary).toMatchObject({ stopped: true, records: 10, format: 'pcap' });
    expect(source.destroyed).toBe(true);
  });

  it('walk() after open() still visits the records open() had to read', async () => {
    const bytes = encodePcapng(numberedRecords(4).map((r) => ({ ...r, comment: `n${r.data[0]}` })), { interfaces: [{ linkType: 1 }] });
    const reader = readCapture(Readable.from([bytes]));
    await reader.open();
    const seen: string[] = [];
    await reader.walk((record, index) => { seen.push(`${index}:${record.comment}:${record.timestampNs}`); });
    expect(seen).toEqual(['0:n0:5000', '1:n1:1000005000', '2:n2:2000005000', '3:n3:3000005000']);
  });

  it('breaking out of for-await destroys the stream', async () => {
    const source = Readable.from(chunksOf(encodePcap(numberedRecords(50), { linkType: 1 }), 64));
    let count = 0;
    for await (const record of readCapture(source)) {
      count += record.capturedLength > 0 ? 1 : 0;
      if (count === 3) break;
    }
    expect(count).toBe(3);
    expect(source.destroyed).toBe(true);
  });

  it('a reader is consumed once', async () => {
    const reader = readCapture(Readable.from([encodePcap(numberedRecords(1), { linkType: 1 })]));
    for await (const record of reader) expect(record.capturedLength).toBe(64);
    await expect(reader.walk(() => {})).rejects.toThrow(/only once/);
  });

  it('bad sources fail with a clear error: missing file, text stream, empty and cut streams', async () => {
    await expect(readCapture(join(directory, 'missing.pcap')).open()).rejects.toThrow(/ENOENT/);
    await expect(readCapture(Readable.from(['not binary'])).open()).rejects.toThrow(/strings/);
    await expect(readCapture(Readable.from([])).open()).rejects.toThrow(/empty capture file/);
    const file = join(directory, 'cut.pcap');
    const bytes = encodePcap(numberedRecords(3), { linkType: 1 });
    writeFileSync(file, bytes.subarray(0, bytes.length - 10));
    const records: number[] = [];
    const error = await (async () => { try { for await (const r of readCapture(file, { chunkSize: 16 })) records.push(r.data[0]!); } catch (e) { return e; } return undefined; })();
    expect(records).toEqual([0, 1]);
    expect(error).toBeInstanceOf(CaptureFormatError);
    expect((error as CaptureFormatError).offset).toBe(24 + 2 * (16 + 64));
    expect((error as CaptureFormatError).message).toContain(file);
    expect(() => readCapture(file, { chunkSize: 0 })).toThrow(RangeError);
  });

  it('a record far larger than a chunk arrives whole', async () => {
    const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 31) & 0xff);
    const bytes = encodePcapng([{ data: big, timestampNs: 7n }, { data: Uint8Array.of(1, 2, 3), timestampNs: 8n }], { interfaces: [{ linkType: 1, snaplen: 0 }] });
    const got: Uint8Array[] = [];
    for await (const record of readCapture(Readable.from(chunksOf(bytes, 4096)))) got.push(record.data);
    expect(got.length).toBe(2);
    expect(Buffer.compare(got[0]!, big)).toBe(0);
    expect([...got[1]!]).toEqual([1, 2, 3]);
  });

  it('memory stays bounded while 256 MB of pcap stream through', async () => {
    // A Readable that makes a 256 MB capture lazily: the header, then 1 MiB chunks of 1024-byte records.
    const recordLength = 1024 - 16;
    const recordsPerChunk = 1024;
    const chunks = 256;
    const template = encodePcap(numberedRecords(recordsPerChunk, recordLength), { linkType: 1 }).subarray(24);
    let produced = 0;
    const source = new Readable({
      read() {
        if (produced === 0) this.push(Buffer.from(encodePcap([], { linkType: 1 })));
        if (produced === chunks) { this.push(null); return; }
        produced++;
        this.push(Buffer.from(template)); // a fresh copy, as a file stream would allocate
      },
    });
    const baseline = process.memoryUsage();
    let peak = 0;
    let records = 0;
    const summary = await readCapture(source).walk((record) => {
      records++;
      if ((records & 0x3fff) === 0) {
        const now = process.memoryUsage();
        peak = Math.max(peak, now.arrayBuffers - baseline.arrayBuffers, now.rss - baseline.rss);
      }
    });
    expect(summary.records).toBe(chunks * recordsPerChunk);
    expect(records).toBe(chunks * recordsPerChunk);
    // Far below the 256 MB that went through: a few chunks in flight plus garbage not yet collected.
    expect(peak).toBeLessThan(96 * 1024 * 1024);
  });
});
