/** A writer that reproduces the format of a file being read, for copying selected records unchanged. */
import { CaptureWriteError } from './errors.js';
import type { CaptureInfo, CaptureRecordInput } from './info.js';
import type { CaptureWriteTarget } from './output.js';
import { PcapWriter } from './pcap-writer.js';
import { PcapngWriter } from './pcapng-writer.js';

/** What createCaptureWriter returns: records in, file out. */
export interface CaptureWriter {
  /** Appends a record as a reader delivered it (`interfaceIndex` indexes `info.interfaces`); resolves when the output can take more. */
  write(record: CaptureRecordInput): Promise<void>;
  /** Appends a record without waiting (throws on a record the format cannot hold); await `drained()` now and then. */
  append(record: CaptureRecordInput): void;
  /** Resolves when the output can take more; rejects with the stream's error. */
  drained(): Promise<void>;
  /** Flushes and, for a path, closes the file. */
  close(): Promise<void>;
}

/**
 * A writer in the same format as the file `info` describes: pcap with the same magic, byte order, link type
 * and snaplen; or pcapng in the first section's byte order, declaring each interface of `info.interfaces`
 * (a reader's live list) with its link type, snaplen, if_tsresol, if_tsoffset, name and description the
 * first time a record needs it, all in one section so that indices stay those of the reader. A record of a
 * Simple Packet Block that no longer fits one (not interface 0) becomes an Enhanced Packet Block stamped
 * with its interface's earliest time.
 */
export function createCaptureWriter(target: CaptureWriteTarget, info: CaptureInfo): CaptureWriter {
  if (info.format === 'pcap') {
    return new PcapWriter(target, { linkType: info.linkType, snaplen: info.snaplen, nanosecond: info.nanosecond, bigEndian: info.bigEndian });
  }
  const first = info.sections[0];
  const writer = new PcapngWriter(target, {
    bigEndian: info.bigEndian,
    ...(first?.hardware !== undefined ? { hardware: first.hardware } : {}),
    ...(first?.os !== undefined ? { os: first.os } : {}),
    ...(first?.userApplication !== undefined ? { userApplication: first.userApplication } : {}),
  });
  const append = (record: CaptureRecordInput): void => {
    const index = record.interfaceIndex ?? 0;
    while (writer.interfaceCount <= index) {
      const face = info.interfaces[writer.interfaceCount];
      if (face === undefined) throw new CaptureWriteError(`record names interface ${index}, but the capture declares only ${info.interfaces.length}`);
      writer.addInterface({
        linkType: face.linkType, snaplen: face.snaplen, timestampResolution: face.timestampResolution,
        timestampOffsetSeconds: face.timestampOffsetSeconds,
        ...(face.name !== undefined ? { name: face.name } : {}),
        ...(face.description !== undefined ? { description: face.description } : {}),
        ...(face.fcsLength !== undefined ? { fcsLength: face.fcsLength } : {}),
      });
    }
    const face = info.interfaces[index]!;
    if (record.blockType === 'simple') {
      const wireLength = record.wireLength ?? record.data.length;
      const expected = face.snaplen !== 0 && face.snaplen < wireLength ? face.snaplen : wireLength;
      if (index !== 0 || record.data.length !== expected) {
        // No Simple Packet Block can carry it here: an Enhanced one at the interface's earliest time.
        writer.append({ data: record.data, wireLength, interfaceIndex: index, timestampNs: face.timestampOffsetSeconds * 1_000_000_000n });
        return;
      }
    }
    writer.append(record);
  };
  return {
    append,
    write(record: CaptureRecordInput): Promise<void> {
      try {
        append(record);
      } catch (error) {
        return Promise.reject(error);
      }
      return writer.drained();
    },
    drained: () => writer.drained(),
    close: () => writer.close(),
  };
}
