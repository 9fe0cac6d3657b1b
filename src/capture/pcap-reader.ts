/**
 * Classic pcap files: a 24-byte file header (magic a1b2c3d4 for microseconds or a1b23c4d for
 * nanoseconds, in either byte order; version 2.4; snaplen; link type) then records of a 16-byte header
 * (seconds, fraction, captured length, wire length) and the captured bytes.
 */
import { Parser } from 'binary-parser/dist/binary_parser.js';
import type { CaptureRecordCursor, CaptureVisitor } from './cursor.js';
import { CaptureFormatError } from './errors.js';
import type { CaptureInfo, CaptureInterface } from './info.js';
import { MAX_CAPTURED_LENGTH } from './limits.js';
import { linkTypeName } from './linktype.js';
import type { CaptureParser } from './parser.js';
import { PcapClock } from './timestamp.js';

/** The four pcap magic numbers as read big-endian from the first four bytes. */
export const PCAP_MAGIC_MICROSECONDS = 0xa1b2c3d4;
export const PCAP_MAGIC_NANOSECONDS = 0xa1b23c4d;
export const PCAP_MAGIC_MICROSECONDS_SWAPPED = 0xd4c3b2a1;
export const PCAP_MAGIC_NANOSECONDS_SWAPPED = 0x4d3cb2a1;

/** Length of the pcap file header and of a record header. */
export const PCAP_FILE_HEADER_LENGTH = 24;
export const PCAP_RECORD_HEADER_LENGTH = 16;

/** Bit of the link-type field saying that bits 28..31 hold an FCS length (libpcap LT_FCS_LENGTH_PRESENT). */
const FCS_LENGTH_PRESENT = 0x04000000;

interface PcapFileHeader {
  magic: number;
  versionMajor: number;
  versionMinor: number;
  thiszone: number;
  sigfigs: number;
  snaplen: number;
  linkTypeField: number;
}

function fileHeaderParser(endian: 'big' | 'little'): Parser {
  return new Parser()
    .endianness(endian)
    .uint32('magic')
    .uint16('versionMajor')
    .uint16('versionMinor')
    .int32('thiszone')
    .uint32('sigfigs')
    .uint32('snaplen')
    .uint32('linkTypeField');
}

const bigEndianHeader = fileHeaderParser('big');
const littleEndianHeader = fileHeaderParser('little');

/** True when the first four bytes (read big-endian) are a pcap magic in either byte order. */
export function isPcapMagic(magic: number): boolean {
  return magic === PCAP_MAGIC_MICROSECONDS || magic === PCAP_MAGIC_NANOSECONDS
    || magic === PCAP_MAGIC_MICROSECONDS_SWAPPED || magic === PCAP_MAGIC_NANOSECONDS_SWAPPED;
}

/** Incremental reader of a pcap file (header first, then records). */
export class PcapParser implements CaptureParser {
  readonly info: CaptureInfo = {
    format: 'pcap', linkType: -1, snaplen: 0, nanosecond: false, bigEndian: false, interfaces: [], sections: [],
  };
  records = 0;
  needed = PCAP_FILE_HEADER_LENGTH;
  stopped = false;
  private headerRead = false;
  private littleEndian = true;
  private clock = new PcapClock(false);

  /** Reads the file header at `start`, which must hold at least 24 bytes. */
  private readHeader(bytes: Uint8Array, start: number, base: number): void {
    const first = bytes[start]!;
    const bigEndian = first === 0xa1;
    const header = (bigEndian ? bigEndianHeader : littleEndianHeader)
      .parse(bytes.subarray(start, start + PCAP_FILE_HEADER_LENGTH)) as PcapFileHeader;
    const nanosecond = header.magic === PCAP_MAGIC_NANOSECONDS;
    if (!nanosecond && header.magic !== PCAP_MAGIC_MICROSECONDS) {
      throw new CaptureFormatError(base + start, `unknown pcap magic 0x${header.magic.toString(16)}`);
    }
    if (header.versionMajor !== 2) {
      throw new CaptureFormatError(base + start + 4, `unsupported pcap version ${header.versionMajor}.${header.versionMinor} (expected 2.x)`);
    }
    const linkType = header.linkTypeField & 0xffff;
    const face: CaptureInterface = {
      index: 0, section: 0, sectionInterfaceIndex: 0, linkType, linkTypeName: linkTypeName(linkType),
      snaplen: header.snaplen, timestampResolution: { base: 10, exponent: nanosecond ? 9 : 6 }, timestampOffsetSeconds: 0n,
    };
    if ((header.linkTypeField & FCS_LENGTH_PRESENT) !== 0) face.fcsLength = header.linkTypeField >>> 28;
    Object.assign(this.info, { linkType, snaplen: header.snaplen, nanosecond, bigEndian });
    this.info.interfaces.push(face);
    this.info.sections.push({
      offset: base + start, bigEndian, majorVersion: header.versionMajor, minorVersion: header.versionMinor,
    });
    this.littleEndian = !bigEndian;
    this.clock = new PcapClock(nanosecond);
    this.headerRead = true;
  }

  /** Parses the header (once) and then every complete record of `bytes[start, end)`. */
  parse(bytes: Uint8Array, start: number, end: number, base: number, cursor: CaptureRecordCursor, visit: CaptureVisitor): number {
    let offset = start;
    if (!this.headerRead) {
      if (end - offset < PCAP_FILE_HEADER_LENGTH) {
        this.needed = PCAP_FILE_HEADER_LENGTH;
        return offset;
      }
      this.readHeader(bytes, offset, base);
      offset += PCAP_FILE_HEADER_LENGTH;
    }
    const view = bytes === cursor.buffer ? cursor.view : new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    cursor.buffer = bytes;
    cursor.view = view;
    cursor.clock = this.clock;
    cursor.linkType = this.info.linkType;
    cursor.interfaceIndex = 0;
    cursor.optionsStart = 0;
    cursor.optionsEnd = 0;
    cursor.blockType = undefined;
    const little = this.littleEndian;
    let records = this.records;
    while (end - offset >= PCAP_RECORD_HEADER_LENGTH) {
      const capturedLength = view.getUint32(offset + 8, little);
      if (capturedLength > MAX_CAPTURED_LENGTH) {
        this.records = records;
        throw new CaptureFormatError(base + offset,
          `record ${records} has an absurd captured length ${capturedLength} (limit ${MAX_CAPTURED_LENGTH}, snaplen ${this.info.snaplen})`);
      }
      const next = offset + PCAP_RECORD_HEADER_LENGTH + capturedLength;
      if (next > end) {
        this.records = records;
        this.needed = PCAP_RECORD_HEADER_LENGTH + capturedLength;
        return offset;
      }
      cursor.timestampHigh = view.getUint32(offset, little);
      cursor.timestampLow = view.getUint32(offset + 4, little);
      cursor.capturedLength = capturedLength;
      cursor.wireLength = view.getUint32(offset + 12, little);
      cursor.dataOffset = offset + PCAP_RECORD_HEADER_LENGTH;
      cursor.fileOffset = base + offset;
      offset = next;
      if (visit(cursor, records++) === false) {
        this.records = records;
        this.stopped = true;
        return offset;
      }
    }
    this.records = records;
    this.needed = PCAP_RECORD_HEADER_LENGTH;
    return offset;
  }

  /** Names what was cut short: the file header, a record header or a record's data. */
  truncated(offset: number, available: number): CaptureFormatError {
    if (!this.headerRead) {
      return new CaptureFormatError(offset, `truncated pcap file header: ${PCAP_FILE_HEADER_LENGTH} bytes needed, ${available} present`);
    }
    if (this.needed === PCAP_RECORD_HEADER_LENGTH) {
      return new CaptureFormatError(offset, `truncated header of record ${this.records}: ${PCAP_RECORD_HEADER_LENGTH} bytes needed, ${available} present`);
    }
    return new CaptureFormatError(offset, `truncated record ${this.records}: ${this.needed} bytes needed (16-byte header and ${this.needed - PCAP_RECORD_HEADER_LENGTH} captured), ${available} present`);
  }
}
