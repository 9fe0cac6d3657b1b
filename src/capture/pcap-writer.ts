import type { PacketRecord } from './record.js';

/** Options of a pcap file header. */
export interface PcapWriteOptions {
  linkType: number;
  /** Snapshot length written in the header; default 262144. */
  snaplen?: number;
  /** Nanosecond magic (a1b23c4d) instead of microsecond (a1b2c3d4); default false. */
  nanosecond?: boolean;
  /** Write big-endian; default little-endian. */
  bigEndian?: boolean;
}

type RecordInput = Pick<PacketRecord, 'data' | 'timestampNs'> & Partial<Pick<PacketRecord, 'wireLength'>>;

/** Encodes whole records as one classic pcap file in memory (tests, corpus, small outputs). */
export function encodePcap(records: Iterable<RecordInput>, options: PcapWriteOptions): Uint8Array {
  const list = [...records];
  const size = 24 + list.reduce((sum, r) => sum + 16 + r.data.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  const little = !options.bigEndian;
  view.setUint32(0, options.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4, little);
  view.setUint16(4, 2, little);
  view.setUint16(6, 4, little);
  view.setUint32(16, options.snaplen ?? 262144, little);
  view.setUint32(20, options.linkType, little);
  let offset = 24;
  const divisor = options.nanosecond ? 1n : 1000n;
  for (const r of list) {
    const seconds = r.timestampNs / 1_000_000_000n;
    const fraction = (r.timestampNs % 1_000_000_000n) / divisor;
    view.setUint32(offset, Number(seconds), little);
    view.setUint32(offset + 4, Number(fraction), little);
    view.setUint32(offset + 8, r.data.length, little);
    view.setUint32(offset + 12, r.wireLength ?? r.data.length, little);
    out.set(r.data, offset + 16);
    offset += 16 + r.data.length;
  }
  return out;
}
