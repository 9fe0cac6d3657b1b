/**
 * collectBpfCaptureBatch: a capture file in memory becomes a batch whose records are exactly the file's
 * records (checked against the capture reader's own snapshots), and a batch filter over it accepts exactly
 * the records the single-packet engines accept one by one; for pcap and pcapng (two interfaces), and
 * damaged files are refused with the capture reader's error.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collectBpfCaptureBatch } from '../../src/bpf/capture-batch.js';
import { compileToJsBatch, createBatchInterpreter, createInterpreter } from '../../src/bpf/index.js';
import { encodePcap } from '../../src/capture/pcap-writer.js';
import { encodePcapng } from '../../src/capture/pcapng-writer.js';
import { readCaptureSync } from '../../src/capture/walk.js';
import { CaptureFormatError } from '../../src/capture/errors.js';
import { randomPacket, runnableProgram } from './program-arbitrary.js';

const captures = fc.record({
  packets: fc.array(randomPacket(80), { maxLength: 30 }),
  format: fc.constantFrom('pcap', 'pcapng'),
}).map(({ packets, format }) => {
  const records = packets.map((packet, i) => ({
    data: packet.data, wireLength: packet.wireLength ?? packet.data.length, timestampNs: BigInt(i) * 1000n, interfaceIndex: i % 2,
  }));
  return format === 'pcap'
    ? encodePcap(records, { linkType: 1 })
    : encodePcapng(records, { interfaces: [{ linkType: 1 }, { linkType: 101 }] });
});

describe('collectBpfCaptureBatch', () => {
  it('describes every record of the file in place, and batch filters over it agree with per-record runs', () => {
    fc.assert(fc.property(captures, runnableProgram(20), (file, program) => {
      const batch = collectBpfCaptureBatch(file);
      const { records } = readCaptureSync(file);
      expect(batch.count).toBe(records.length);
      expect(batch.buffer).toBe(file);
      records.forEach((record, i) => {
        const start = batch.offsets[i]!;
        expect(file.subarray(start, start + batch.capturedLengths[i]!)).toEqual(record.data);
        expect(batch.wireLengths[i]).toBe(record.wireLength);
        expect(batch.linkTypes[i]).toBe(record.linkType);
      });
      const single = createInterpreter(program);
      const expected = records.flatMap((record, i) => (single(record.data, record.data.length, record.wireLength) !== 0 ? [i] : []));
      for (const run of [compileToJsBatch(program), createBatchInterpreter(program)]) {
        const matches = new Uint32Array(batch.count);
        const count = run(batch.buffer, batch.offsets, batch.capturedLengths, batch.wireLengths, batch.count, matches);
        expect(Array.from(matches.subarray(0, count))).toEqual(expected);
      }
    }), { numRuns: 200 });
  });

  it('grows past its first thousand records', () => {
    const records = Array.from({ length: 2500 }, (_, i) => ({ data: Uint8Array.of(i & 0xff, i >> 8), timestampNs: 0n }));
    const batch = collectBpfCaptureBatch(encodePcap(records, { linkType: 1 }));
    expect(batch.count).toBe(2500);
    expect(batch.buffer[batch.offsets[2499]!]).toBe(2499 & 0xff);
    expect(batch.buffer[batch.offsets[2499]! + 1]).toBe(2499 >> 8);
  });

  it('refuses a damaged file with the capture reader\'s error', () => {
    const file = encodePcap([{ data: new Uint8Array(40), timestampNs: 0n }], { linkType: 1 });
    expect(() => collectBpfCaptureBatch(file.subarray(0, file.length - 5))).toThrow(CaptureFormatError);
    expect(() => collectBpfCaptureBatch(Uint8Array.of(1, 2, 3, 4))).toThrow(CaptureFormatError);
  });
});
