/**
 * pcapng files (draft-ietf-opsawg-pcapng): blocks of (type, total length, body, total length again).
 * Section Header Blocks set the byte order of their section and reset its interfaces; Interface
 * Description Blocks declare link type, snaplen, if_tsresol and if_tsoffset; Enhanced, Simple and
 * obsolete Packet Blocks carry records; every other block type is skipped.
 */
import { Parser } from 'binary-parser/dist/binary_parser.js';
import type { CaptureRecordCursor, CaptureVisitor } from './cursor.js';
import { CaptureFormatError } from './errors.js';
import type { CaptureInfo, CaptureInterface, CaptureSection } from './info.js';
import { MAX_BLOCK_LENGTH, MAX_CAPTURED_LENGTH, pad4 } from './limits.js';
import { linkTypeName } from './linktype.js';
import type { CaptureParser } from './parser.js';
import {
  IF_DESCRIPTION, IF_FCSLEN, IF_NAME, IF_TSOFFSET, IF_TSRESOL, OPT_COMMENT, SHB_HARDWARE, SHB_OS, SHB_USERAPPL,
  optionText, readPcapngOptions, type PcapngOption,
} from './pcapng-options.js';
import { MICROSECOND_RESOLUTION, PcapngClock, ZERO_CLOCK, decodeTimestampResolution } from './timestamp.js';

/** Block type numbers. */
export const BLOCK_SECTION_HEADER = 0x0a0d0d0a;
export const BLOCK_INTERFACE_DESCRIPTION = 0x00000001;
export const BLOCK_PACKET = 0x00000002;
export const BLOCK_SIMPLE_PACKET = 0x00000003;
export const BLOCK_ENHANCED_PACKET = 0x00000006;
/** The byte-order magic of a Section Header Block, as written in the section's byte order. */
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** Fixed parts of the blocks (before options), per byte order. */
interface SectionHeaderFixed { blockType: number; blockTotalLength: number; byteOrderMagic: number; majorVersion: number; minorVersion: number; sectionLength: bigint }
interface InterfaceDescriptionFixed { linkType: number; reserved: number; snaplen: number }

const SECTION_HEADER_FIXED_LENGTH = 24;
const INTERFACE_DESCRIPTION_FIXED_LENGTH = 16;
const ENHANCED_PACKET_FIXED_LENGTH = 28;
const SIMPLE_PACKET_FIXED_LENGTH = 12;
const PACKET_FIXED_LENGTH = 28;

function sectionHeaderParser(endian: 'big' | 'little'): Parser {
  return new Parser().endianness(endian)
    .uint32('blockType').uint32('blockTotalLength').uint32('byteOrderMagic')
    .uint16('majorVersion').uint16('minorVersion').int64('sectionLength');
}

function interfaceDescriptionParser(endian: 'big' | 'little'): Parser {
  return new Parser().endianness(endian).seek(8).uint16('linkType').uint16('reserved').uint32('snaplen');
}

const sectionHeader = { big: sectionHeaderParser('big'), little: sectionHeaderParser('little') };
const interfaceDescription = { big: interfaceDescriptionParser('big'), little: interfaceDescriptionParser('little') };

/** What a record of a section's interface needs: global index, link type, snaplen and clock. */
interface SectionInterface {
  index: number;
  linkType: number;
  snaplen: number;
  clock: PcapngClock;
}

/** A human name of a block type for messages. */
function blockName(type: number): string {
  switch (type) {
    case BLOCK_SECTION_HEADER: return 'section header block';
    case BLOCK_INTERFACE_DESCRIPTION: return 'interface description block';
    case BLOCK_PACKET: return 'packet block';
    case BLOCK_SIMPLE_PACKET: return 'simple packet block';
    case BLOCK_ENHANCED_PACKET: return 'enhanced packet block';
    default: return `block of type 0x${type.toString(16)}`;
  }
}

/** Incremental reader of a pcapng file. */
export class PcapngParser implements CaptureParser {
  readonly info: CaptureInfo = {
    format: 'pcapng', linkType: -1, snaplen: 0, nanosecond: false, bigEndian: false, interfaces: [], sections: [],
  };
  records = 0;
  needed = 12;
  stopped = false;
  private littleEndian = true;
  private sectionInterfaces: SectionInterface[] = [];
  /** What the incomplete unit is, for the truncation message. */
  private pendingName = 'block header';

  /** Parses every complete block of `bytes[start, end)`. */
  parse(bytes: Uint8Array, start: number, end: number, base: number, cursor: CaptureRecordCursor, visit: CaptureVisitor): number {
    const view = bytes === cursor.buffer ? cursor.view : new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    cursor.buffer = bytes;
    cursor.view = view;
    let offset = start;
    for (;;) {
      const available = end - offset;
      if (available < 8) return this.wait(offset, 12, 'block header');
      let little = this.littleEndian;
      const rawType = view.getUint32(offset, true);
      // The section header's type reads the same in both byte orders; its byte-order magic decides.
      if (rawType === BLOCK_SECTION_HEADER) {
        if (available < 12) return this.wait(offset, 12, 'section header block');
        const magic = view.getUint32(offset + 8, false);
        if (magic === BYTE_ORDER_MAGIC) little = false;
        else if (magic === 0x4d3c2b1a) little = true;
        else throw new CaptureFormatError(base + offset + 8, `section header block has a bad byte-order magic 0x${magic.toString(16).padStart(8, '0')}`);
      } else if (this.info.sections.length === 0) {
        throw new CaptureFormatError(base + offset, 'pcapng file does not start with a section header block');
      }
      const type = little ? rawType : view.getUint32(offset, false);
      const length = view.getUint32(offset + 4, little);
      const name = blockName(type);
      if (length < 12 || length % 4 !== 0) {
        throw new CaptureFormatError(base + offset + 4, `${name} has a bad total length ${length} (must be a multiple of 4, at least 12)`);
      }
      if (length > MAX_BLOCK_LENGTH) {
        throw new CaptureFormatError(base + offset + 4, `${name} has an absurd total length ${length} (limit ${MAX_BLOCK_LENGTH})`);
      }
      if (available < length) return this.wait(offset, length, name);
      const trailing = view.getUint32(offset + length - 4, little);
      if (trailing !== length) {
        throw new CaptureFormatError(base + offset + length - 4, `${name} at offset ${base + offset} has a trailing total length ${trailing} that disagrees with its leading ${length}`);
      }
      const blockEnd = offset + length;
      switch (type) {
        case BLOCK_SECTION_HEADER:
          this.readSectionHeader(bytes, view, offset, length, little, base);
          break;
        case BLOCK_INTERFACE_DESCRIPTION:
          this.readInterfaceDescription(bytes, view, offset, length, little, base);
          break;
        case BLOCK_ENHANCED_PACKET:
        case BLOCK_PACKET: {
          if (length < ENHANCED_PACKET_FIXED_LENGTH + 4) {
            throw new CaptureFormatError(base + offset + 4, `${name} total length ${length} is below the minimum 32`);
          }
          const interfaceId = type === BLOCK_ENHANCED_PACKET ? view.getUint32(offset + 8, little) : view.getUint16(offset + 8, little);
          const face = this.sectionInterface(interfaceId, base + offset + 8, name);
          const capturedLength = view.getUint32(offset + 20, little);
          const dataStart = offset + (type === BLOCK_ENHANCED_PACKET ? ENHANCED_PACKET_FIXED_LENGTH : PACKET_FIXED_LENGTH);
          if (capturedLength > MAX_CAPTURED_LENGTH || dataStart + pad4(capturedLength) > blockEnd - 4) {
            throw new CaptureFormatError(base + offset + 20, `${name} captured length ${capturedLength} overruns its total length ${length}`);
          }
          cursor.timestampHigh = view.getUint32(offset + 12, little);
          cursor.timestampLow = view.getUint32(offset + 16, little);
          cursor.wireLength = view.getUint32(offset + 24, little);
          cursor.capturedLength = capturedLength;
          cursor.dataOffset = dataStart;
          cursor.optionsStart = dataStart + pad4(capturedLength);
          cursor.optionsEnd = blockEnd - 4;
          cursor.blockType = type === BLOCK_ENHANCED_PACKET ? 'enhanced' : 'packet';
          if (this.deliver(cursor, face, face.clock, offset, base, little, visit)) return blockEnd;
          break;
        }
        case BLOCK_SIMPLE_PACKET: {
          if (length < SIMPLE_PACKET_FIXED_LENGTH + 4) {
            throw new CaptureFormatError(base + offset + 4, `${name} total length ${length} is below the minimum 16`);
          }
          const face = this.sectionInterface(0, base + offset, name);
          const wireLength = view.getUint32(offset + 8, little);
          const capturedLength = face.snaplen !== 0 && face.snaplen < wireLength ? face.snaplen : wireLength;
          const dataStart = offset + SIMPLE_PACKET_FIXED_LENGTH;
          if (dataStart + capturedLength > blockEnd - 4) {
            throw new CaptureFormatError(base + offset + 8,
              `${name} packet length ${wireLength} (snaplen ${face.snaplen}) overruns its total length ${length}`);
          }
          cursor.timestampHigh = 0;
          cursor.timestampLow = 0;
          cursor.wireLength = wireLength;
          cursor.capturedLength = capturedLength;
          cursor.dataOffset = dataStart;
          cursor.optionsStart = 0;
          cursor.optionsEnd = 0;
          cursor.blockType = 'simple';
          if (this.deliver(cursor, face, ZERO_CLOCK, offset, base, little, visit)) return blockEnd;
          break;
        }
        default:
          break; // Name resolution, statistics, secrets, custom and unknown blocks are skipped.
      }
      offset = blockEnd;
    }
  }

  /** Fills the cursor's interface fields and visits it; true when the visitor stopped the walk. */
  private deliver(cursor: CaptureRecordCursor, face: SectionInterface, clock: CaptureRecordCursor['clock'], offset: number,
    base: number, little: boolean, visit: CaptureVisitor): boolean {
    cursor.clock = clock;
    cursor.linkType = face.linkType;
    cursor.interfaceIndex = face.index;
    cursor.fileOffset = base + offset;
    cursor.littleEndian = little;
    if (visit(cursor, this.records++) === false) {
      this.stopped = true;
      return true;
    }
    return false;
  }

  private wait(offset: number, needed: number, name: string): number {
    this.needed = needed;
    this.pendingName = name;
    return offset;
  }

  private sectionInterface(interfaceId: number, fileOffset: number, name: string): SectionInterface {
    const face = this.sectionInterfaces[interfaceId];
    if (face === undefined) {
      throw new CaptureFormatError(fileOffset,
        `${name} refers to interface ${interfaceId} but its section has ${this.sectionInterfaces.length} interface description block(s)`);
    }
    return face;
  }

  private readSectionHeader(bytes: Uint8Array, view: DataView, offset: number, length: number, little: boolean, base: number): void {
    if (length < SECTION_HEADER_FIXED_LENGTH + 4) {
      throw new CaptureFormatError(base + offset + 4, `section header block total length ${length} is below the minimum 28`);
    }
    const fixed = sectionHeader[little ? 'little' : 'big'].parse(bytes.subarray(offset, offset + SECTION_HEADER_FIXED_LENGTH)) as SectionHeaderFixed;
    if (fixed.majorVersion !== 1) {
      throw new CaptureFormatError(base + offset + 12, `unsupported pcapng version ${fixed.majorVersion}.${fixed.minorVersion} (expected 1.x)`);
    }
    const section: CaptureSection = {
      offset: base + offset, bigEndian: !little, majorVersion: fixed.majorVersion, minorVersion: fixed.minorVersion,
    };
    const options = readPcapngOptions(bytes, view, offset + SECTION_HEADER_FIXED_LENGTH, offset + length - 4, little, base, 'section header block');
    for (const option of options) {
      if (option.code === SHB_HARDWARE) section.hardware = optionText(bytes, option);
      else if (option.code === SHB_OS) section.os = optionText(bytes, option);
      else if (option.code === SHB_USERAPPL) section.userApplication = optionText(bytes, option);
      else if (option.code === OPT_COMMENT) (section.comments ??= []).push(optionText(bytes, option));
    }
    if (this.info.sections.length === 0) this.info.bigEndian = !little;
    this.info.sections.push(section);
    this.littleEndian = little;
    this.sectionInterfaces = [];
  }

  private readInterfaceDescription(bytes: Uint8Array, view: DataView, offset: number, length: number, little: boolean, base: number): void {
    if (length < INTERFACE_DESCRIPTION_FIXED_LENGTH + 4) {
      throw new CaptureFormatError(base + offset + 4, `interface description block total length ${length} is below the minimum 20`);
    }
    const fixed = interfaceDescription[little ? 'little' : 'big'].parse(bytes.subarray(offset, offset + INTERFACE_DESCRIPTION_FIXED_LENGTH)) as InterfaceDescriptionFixed;
    const face: CaptureInterface = {
      index: this.info.interfaces.length,
      section: this.info.sections.length - 1,
      sectionInterfaceIndex: this.sectionInterfaces.length,
      linkType: fixed.linkType,
      linkTypeName: linkTypeName(fixed.linkType),
      snaplen: fixed.snaplen,
      timestampResolution: MICROSECOND_RESOLUTION,
      timestampOffsetSeconds: 0n,
    };
    const options = readPcapngOptions(bytes, view, offset + INTERFACE_DESCRIPTION_FIXED_LENGTH, offset + length - 4, little, base, 'interface description block');
    for (const option of options) this.readInterfaceOption(bytes, view, option, little, base, face);
    this.info.interfaces.push(face);
    if (face.index === 0) {
      this.info.linkType = face.linkType;
      this.info.snaplen = face.snaplen;
      const { base: radix, exponent } = face.timestampResolution;
      this.info.nanosecond = radix === 10 ? exponent > 6 : exponent > 19;
    }
    this.sectionInterfaces.push({
      index: face.index, linkType: face.linkType, snaplen: face.snaplen,
      clock: new PcapngClock(face.timestampResolution, face.timestampOffsetSeconds),
    });
  }

  private readInterfaceOption(bytes: Uint8Array, view: DataView, option: PcapngOption, little: boolean, base: number, face: CaptureInterface): void {
    const expectLength = (length: number, what: string): void => {
      if (option.length !== length) {
        throw new CaptureFormatError(base + option.start - 4, `interface description block option ${what} has length ${option.length}, expected ${length}`);
      }
    };
    switch (option.code) {
      case IF_NAME: face.name = optionText(bytes, option); break;
      case IF_DESCRIPTION: face.description = optionText(bytes, option); break;
      case OPT_COMMENT: (face.comments ??= []).push(optionText(bytes, option)); break;
      case IF_TSRESOL:
        expectLength(1, 'if_tsresol');
        face.timestampResolution = decodeTimestampResolution(bytes[option.start]!);
        break;
      case IF_TSOFFSET:
        expectLength(8, 'if_tsoffset');
        face.timestampOffsetSeconds = view.getBigInt64(option.start, little);
        break;
      case IF_FCSLEN:
        if (option.length >= 1) face.fcsLength = bytes[option.start]!;
        break;
      default:
        break;
    }
  }

  /** Names the block that was cut short. */
  truncated(offset: number, available: number): CaptureFormatError {
    return new CaptureFormatError(offset, `truncated ${this.pendingName}: ${this.needed} bytes needed, ${available} present`);
  }
}
