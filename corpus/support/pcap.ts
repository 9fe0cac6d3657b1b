/**
 * A minimal classic pcap writer for the corpus (little-endian, version 2.4, microsecond or nanosecond
 * magic), kept here so the committed bytes never change with the library's writer.
 */

/** One packet for the pcap writer. */
export interface CorpusPcapRecord { timestampNs: bigint; data: Uint8Array; wireLength?: number }

/** Encodes packets of one link type as a pcap file; microsecond files truncate the nanoseconds. */
export function encodeCorpusPcap(records: readonly CorpusPcapRecord[], linkType: number, nanosecond: boolean, snaplen = 262144): Uint8Array {
  const out = new Uint8Array(24 + records.reduce((sum, r) => sum + 16 + r.data.length, 0));
  const view = new DataView(out.buffer);
  view.setUint32(0, nanosecond ? 0xa1b23c4d : 0xa1b2c3d4, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  view.setUint32(16, snaplen, true);
  view.setUint32(20, linkType, true);
  let offset = 24;
  for (const record of records) {
    const seconds = record.timestampNs / 1_000_000_000n;
    const fraction = record.timestampNs % 1_000_000_000n;
    view.setUint32(offset, Number(seconds), true);
    view.setUint32(offset + 4, Number(nanosecond ? fraction : fraction / 1000n), true);
    view.setUint32(offset + 8, record.data.length, true);
    view.setUint32(offset + 12, record.wireLength ?? record.data.length, true);
    out.set(record.data, offset + 16);
    offset += 16 + record.data.length;
  }
  return out;
}
