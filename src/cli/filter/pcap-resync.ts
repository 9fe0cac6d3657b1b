/**
 * Finding a record boundary in the middle of a pcap file without walking it from the start, so that a worker
 * of `pktfilter filter -j N --count` can filter a later part of the file while the parts before it are still
 * being walked. The answer is only a guess: the caller accepts the worker's result only when the walk of the
 * part before ends exactly at the guessed record (and otherwise walks that part itself), so a wrong guess
 * costs time, never a wrong result.
 */
import { readFully } from './fragments.js';

const PCAP_FILE_HEADER_LENGTH = 24;
const PCAP_RECORD_HEADER_LENGTH = 16;
/** Bytes searched (and read) from the starting point for a chain of plausible record headers. */
const SEARCH_LENGTH = 256 << 10;
/** Consecutive plausible record headers that make a guess. */
const CHAIN_LENGTH = 12;
/** Fewest plausible headers when the chain leaves the bytes read (records of tens of kilobytes). */
const SHORT_CHAIN_LENGTH = 4;
/** Largest captured length believed when the file header's snapshot length is smaller (libpcap's largest snapshot). */
const LARGEST_PLAUSIBLE_CAPTURE = 262144;

/** The largest captured length a guess believes for a file with this pcap header (also the limit of a walk from a guess). */
export function largestPlausiblePcapRecord(header: Uint8Array): number {
  const littleEndian = header[0] === 0xd4 || header[0] === 0x4d;
  return Math.max(new DataView(header.buffer, header.byteOffset, header.byteLength).getUint32(16, littleEndian), LARGEST_PLAUSIBLE_CAPTURE);
}

/**
 * The first file offset at or after `from` where CHAIN_LENGTH record headers follow one another plausibly
 * (sub-second part in range, captured length at most the snapshot length and the wire length, each record
 * inside the file), or where fewer do and reach the end of the file exactly; undefined when none starts in
 * the SEARCH_LENGTH bytes from `from`. `header` is the file's 24-byte pcap header.
 */
export function guessPcapRecordStart(descriptor: number, header: Uint8Array, from: number, fileSize: number): number | undefined {
  if (header.length < PCAP_FILE_HEADER_LENGTH || from < PCAP_FILE_HEADER_LENGTH || from >= fileSize) return undefined;
  const magic = ((header[0]! << 24) | (header[1]! << 16) | (header[2]! << 8) | header[3]!) >>> 0;
  const littleEndian = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  const nanosecond = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  const largestCapture = largestPlausiblePcapRecord(header);
  const fractionLimit = nanosecond ? 1_000_000_000 : 1_000_000;
  const length = Math.min(SEARCH_LENGTH, fileSize - from);
  const bytes = new Uint8Array(length);
  const filled = readFully(descriptor, bytes, 0, length, from);
  const data = new DataView(bytes.buffer, 0, filled);
  /** Whether a plausible chain of record headers starts at `start` (an index into `bytes`). */
  const chainAt = (start: number): boolean => {
    let position = start;
    for (let records = 0; records < CHAIN_LENGTH; records++) {
      if (from + position === fileSize) return records > 0;
      if (position + PCAP_RECORD_HEADER_LENGTH > filled) return records >= SHORT_CHAIN_LENGTH;
      const fraction = data.getUint32(position + 4, littleEndian);
      const capturedLength = data.getUint32(position + 8, littleEndian);
      const wireLength = data.getUint32(position + 12, littleEndian);
      if (fraction >= fractionLimit || capturedLength > largestCapture || capturedLength > wireLength) return false;
      position += PCAP_RECORD_HEADER_LENGTH + capturedLength;
      if (from + position > fileSize) return false;
    }
    return true;
  };
  for (let start = 0; start + PCAP_RECORD_HEADER_LENGTH <= filled; start++) {
    if (chainAt(start)) return from + start;
  }
  return undefined;
}
