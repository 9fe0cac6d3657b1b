/**
 * A minimal pcapng writer for the corpus (one section, one interface, Enhanced Packet Blocks), kept
 * here so the committed bytes never change with the library's writer. Layout per the pcapng draft
 * (draft-ietf-opsawg-pcapng): SHB, IDB with if_tsresol, then one EPB per packet, little-endian.
 */

/** One packet for the pcapng writer. */
export interface CorpusPcapngRecord { timestampNs: bigint; data: Uint8Array; wireLength?: number }

const BLOCK_SECTION_HEADER = 0x0a0d0d0a;
const BLOCK_INTERFACE_DESCRIPTION = 0x00000001;
const BLOCK_ENHANCED_PACKET = 0x00000006;
const OPTION_IF_TSRESOL = 9;

function padded(length: number): number {
  return (length + 3) & ~3;
}

/** Encodes packets of one link type as a pcapng file with nanosecond (if_tsresol 9) or microsecond (6) timestamps. */
export function encodeCorpusPcapng(records: readonly CorpusPcapngRecord[], linkType: number, nanosecond: boolean, snaplen = 262144): Uint8Array {
  const shbLength = 28;
  const idbLength = 20 + 8 + 4;
  const epbLengths = records.map((r) => 32 + padded(r.data.length));
  const out = new Uint8Array(shbLength + idbLength + epbLengths.reduce((a, b) => a + b, 0));
  const view = new DataView(out.buffer);
  let offset = 0;
  // Section Header Block: byte-order magic, version 1.0, section length unknown (-1).
  view.setUint32(offset, BLOCK_SECTION_HEADER, true);
  view.setUint32(offset + 4, shbLength, true);
  view.setUint32(offset + 8, 0x1a2b3c4d, true);
  view.setUint16(offset + 12, 1, true);
  view.setUint16(offset + 14, 0, true);
  view.setBigInt64(offset + 16, -1n, true);
  view.setUint32(offset + 24, shbLength, true);
  offset += shbLength;
  // Interface Description Block: link type, snaplen, if_tsresol (10^-9 or 10^-6), end of options.
  view.setUint32(offset, BLOCK_INTERFACE_DESCRIPTION, true);
  view.setUint32(offset + 4, idbLength, true);
  view.setUint16(offset + 8, linkType, true);
  view.setUint32(offset + 12, snaplen, true);
  view.setUint16(offset + 16, OPTION_IF_TSRESOL, true);
  view.setUint16(offset + 18, 1, true);
  out[offset + 20] = nanosecond ? 9 : 6;
  // Bytes offset+21..23 pad the option; offset+24..27 are opt_endofopt (zero).
  view.setUint32(offset + 28, idbLength, true);
  offset += idbLength;
  records.forEach((record, i) => {
    const length = epbLengths[i]!;
    const units = nanosecond ? record.timestampNs : record.timestampNs / 1000n;
    view.setUint32(offset, BLOCK_ENHANCED_PACKET, true);
    view.setUint32(offset + 4, length, true);
    view.setUint32(offset + 8, 0, true);
    view.setUint32(offset + 12, Number(units >> 32n), true);
    view.setUint32(offset + 16, Number(units & 0xffffffffn), true);
    view.setUint32(offset + 20, record.data.length, true);
    view.setUint32(offset + 24, record.wireLength ?? record.data.length, true);
    out.set(record.data, offset + 28);
    view.setUint32(offset + length - 4, length, true);
    offset += length;
  });
  return out;
}
