/**
 * Test support: a small, independent reader of the corpus files (little-endian pcap with either magic,
 * pcapng with SHB, IDB and EPB), so the corpus tests do not lean on the library's own readers.
 */

/** One record as read back from a corpus file. */
export interface ReadRecord { timestampNs: bigint; data: Uint8Array; wireLength: number }

/** A capture as read back: link type, timestamp resolution and records. */
export interface ReadCapture { linkType: number; nanosecond: boolean; records: ReadRecord[] }

/** Reads a little-endian pcap file (magic a1b2c3d4 or a1b23c4d). */
export function readPcap(bytes: Uint8Array): ReadCapture {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, true);
  if (magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new Error(`not a little-endian pcap: magic ${magic.toString(16)}`);
  const nanosecond = magic === 0xa1b23c4d;
  const records: ReadRecord[] = [];
  let offset = 24;
  while (offset < bytes.length) {
    const seconds = BigInt(view.getUint32(offset, true));
    const fraction = BigInt(view.getUint32(offset + 4, true));
    const captured = view.getUint32(offset + 8, true);
    const wireLength = view.getUint32(offset + 12, true);
    records.push({ timestampNs: seconds * 1_000_000_000n + (nanosecond ? fraction : fraction * 1000n), data: bytes.subarray(offset + 16, offset + 16 + captured), wireLength });
    offset += 16 + captured;
  }
  return { linkType: view.getUint32(20, true), nanosecond, records };
}

/** Reads a little-endian pcapng file with one interface. */
export function readPcapng(bytes: Uint8Array): ReadCapture {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let linkType = -1;
  let resolution = 6;
  const records: ReadRecord[] = [];
  for (let offset = 0; offset < bytes.length;) {
    const type = view.getUint32(offset, true);
    const length = view.getUint32(offset + 4, true);
    if (length < 12 || view.getUint32(offset + length - 4, true) !== length) throw new Error(`bad pcapng block at ${offset}`);
    if (type === 0x0a0d0d0a && view.getUint32(offset + 8, true) !== 0x1a2b3c4d) throw new Error('not a little-endian pcapng section');
    if (type === 1) {
      linkType = view.getUint16(offset + 8, true);
      for (let o = offset + 16; o + 4 <= offset + length - 4;) {
        const code = view.getUint16(o, true);
        const optionLength = view.getUint16(o + 2, true);
        if (code === 0) break;
        if (code === 9) resolution = bytes[o + 4]!;
        o += 4 + ((optionLength + 3) & ~3);
      }
    }
    if (type === 6) {
      const units = (BigInt(view.getUint32(offset + 12, true)) << 32n) | BigInt(view.getUint32(offset + 16, true));
      const captured = view.getUint32(offset + 20, true);
      records.push({ timestampNs: units * 10n ** BigInt(9 - resolution), data: bytes.subarray(offset + 28, offset + 28 + captured), wireLength: view.getUint32(offset + 24, true) });
    }
    offset += length;
  }
  return { linkType, nanosecond: resolution === 9, records };
}

/** Reads either format by its first bytes. */
export function readCorpusFile(bytes: Uint8Array): ReadCapture {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true) === 0x0a0d0d0a ? readPcapng(bytes) : readPcap(bytes);
}

/** Big-endian unsigned read of 1, 2 or 4 bytes, as pcap-filter's `proto[offset:size]`; undefined past the end. */
export function load(data: Uint8Array, offset: number, size: 1 | 2 | 4 = 1): number | undefined {
  if (offset < 0 || offset + size > data.length) return undefined;
  let value = 0;
  for (let i = 0; i < size; i++) value = value * 256 + data[offset + i]!;
  return value;
}
