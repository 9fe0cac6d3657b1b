/**
 * Parallel reading of a classic pcap file for `pktfilter filter -j N`: the records region is cut into
 * fixed windows of the file that the workers read themselves (so the copying from the page cache runs in
 * parallel). Which record a window starts with is known only once the window before was walked: the
 * workers pass that boundary along a chain (through the main thread), walking only record headers, which
 * is cheap, before they filter. Window k holds the records whose header starts in [start, end).
 */
import { MAX_CAPTURED_LENGTH } from '../../capture/limits.js';
import { FILTER_READ_ALIGNMENT, allocatePageAlignedBytes, readFully, type FilterCaptureFragment } from './fragments.js';

const PCAP_FILE_HEADER_LENGTH = 24;
const PCAP_RECORD_HEADER_LENGTH = 16;

/** A window after its first record is known: the fragment to filter and where the next window starts. */
export interface PcapWindowWalk {
  fragment: FilterCaptureFragment;
  /** File offset of the first record header at or after the window's end (the next window's first record). */
  nextStart: number;
  /** Frame number of that record. */
  nextFrame: number;
  /** The walk met damage or the end of the file: no later window has records. */
  ended: boolean;
}

/** Bytes of a window read ahead of its walk: `bytes[24 + i]` is file byte `start + i`. */
export interface PcapWindowBytes {
  buffer: Uint8Array;
  start: number;
  /** File bytes read: `start` … `start + length`. */
  length: number;
}

/** Room past a window's end for the record that crosses it (most do), so that it rarely needs a larger buffer. */
const CROSSING_ROOM = 128 << 10;

/**
 * Reads window [start, end) of the file into a buffer that leaves 24 bytes in front for the restated
 * header. The buffer is a view into page-aligned memory, placed so that addresses agree with file offsets
 * modulo FILTER_READ_ALIGNMENT (the kernel's copy is much faster so): `spare` when it is large enough (the
 * whole memory of a window filtered already), else new memory.
 */
export function readPcapWindow(descriptor: number, start: number, end: number, spare?: Uint8Array): PcapWindowBytes {
  const needed = PCAP_FILE_HEADER_LENGTH + end - start;
  const shift = (((start - PCAP_FILE_HEADER_LENGTH) % FILTER_READ_ALIGNMENT) + FILTER_READ_ALIGNMENT) % FILTER_READ_ALIGNMENT;
  const memory = spare !== undefined && spare.byteOffset === 0 && spare.length >= shift + needed + CROSSING_ROOM
    ? spare
    : allocatePageAlignedBytes(FILTER_READ_ALIGNMENT + needed + CROSSING_ROOM);
  const buffer = memory.subarray(shift);
  const length = readFully(descriptor, buffer, PCAP_FILE_HEADER_LENGTH, end - start, start);
  return { buffer, start, length };
}

/**
 * Walks a window's record headers from `first` (its first record, at frame `frame`) and returns the
 * fragment to filter: the file header restated right before that record, then the records starting in
 * the window, the last one completed by reading past the window's end. A record the walk cannot size, or
 * the end of the file inside a record, ends the fragment there (the parser then names the problem).
 */
export function walkPcapWindow(descriptor: number, header: Uint8Array, window: PcapWindowBytes, end: number, first: number, frame: number): PcapWindowWalk {
  const littleEndian = header[0] === 0xd4 || header[0] === 0x4d;
  let buffer = window.buffer;
  let available = window.start + window.length; // file offset where the bytes read stop
  const atFile = (offset: number): number => PCAP_FILE_HEADER_LENGTH + offset - window.start;
  let fileEnded = window.length < end - window.start;
  /** Makes file bytes up to `upTo` present (reading past the window); false when the file ends first. */
  const ensure = (upTo: number): boolean => {
    if (upTo <= available) return true;
    if (fileEnded) return false;
    if (atFile(upTo) > buffer.length) {
      const larger = new Uint8Array(Buffer.allocUnsafeSlow(Math.max(atFile(upTo), buffer.length + (buffer.length >> 2))).buffer);
      larger.set(buffer.subarray(0, atFile(available)));
      buffer = larger;
    }
    available += readFully(descriptor, buffer, atFile(available), upTo - available, available);
    if (available < upTo) fileEnded = true;
    return available >= upTo;
  };
  const read32 = (offset: number): number => {
    const i = atFile(offset);
    return littleEndian
      ? (buffer[i]! | (buffer[i + 1]! << 8) | (buffer[i + 2]! << 16) | (buffer[i + 3]! << 24)) >>> 0
      : ((buffer[i]! << 24) | (buffer[i + 1]! << 16) | (buffer[i + 2]! << 8) | buffer[i + 3]!) >>> 0;
  };
  if (first >= end) {
    // A record that began in an earlier window covers this whole window: nothing starts here.
    buffer.set(header, 0);
    const fragment: FilterCaptureFragment = { bytes: buffer.subarray(0, PCAP_FILE_HEADER_LENGTH), base: first - PCAP_FILE_HEADER_LENGTH, firstFrame: frame, records: 0, last: false, restated: true };
    return { fragment, nextStart: first, nextFrame: frame, ended: false };
  }
  let position = first;
  let records = 0;
  let ended = false;
  while (position < end) {
    if (!ensure(position + PCAP_RECORD_HEADER_LENGTH)) { ended = true; break; }
    const capturedLength = read32(position + 8);
    if (capturedLength > MAX_CAPTURED_LENGTH) { ended = true; break; }
    const next = position + PCAP_RECORD_HEADER_LENGTH + capturedLength;
    if (!ensure(next)) { ended = true; break; }
    position = next;
    records++;
  }
  if (!ended && position === available && fileEnded) ended = true;
  // An unfinished unit goes into the fragment whole (as far as the file has it) for the parser to report.
  const fragmentEnd = ended ? available : position;
  if (first < window.start || first > available) throw new RangeError(`window starting at ${window.start} cannot begin with the record at ${first}`);
  const headerAt = atFile(first) - PCAP_FILE_HEADER_LENGTH;
  buffer.set(header, headerAt);
  const fragment: FilterCaptureFragment = {
    bytes: buffer.subarray(headerAt, atFile(fragmentEnd)), base: first - PCAP_FILE_HEADER_LENGTH, firstFrame: frame, records,
    last: ended, restated: true,
  };
  return { fragment, nextStart: position, nextFrame: frame + records, ended };
}
