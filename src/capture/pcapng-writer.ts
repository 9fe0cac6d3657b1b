/**
 * pcapng writing: Section Header, Interface Description and packet blocks (Enhanced by default, Simple
 * or the obsolete Packet block on request) in the chosen byte order, in memory or streamed.
 */
import { CaptureRecordCursor } from './cursor.js';
import { CaptureWriteError } from './errors.js';
import type { CaptureRecordInput, CaptureTimestampResolution, PcapngPacketBlockType } from './info.js';
import { pad4 } from './limits.js';
import { BufferedCaptureWriter, OutputBuffer, checkUint32, type CaptureWriteTarget } from './output.js';
import {
  IF_DESCRIPTION, IF_FCSLEN, IF_NAME, IF_TSOFFSET, IF_TSRESOL, OPT_COMMENT, SHB_HARDWARE, SHB_OS, SHB_USERAPPL,
} from './pcapng-options.js';
import {
  BLOCK_ENHANCED_PACKET, BLOCK_INTERFACE_DESCRIPTION, BLOCK_PACKET, BLOCK_SECTION_HEADER, BLOCK_SIMPLE_PACKET, BYTE_ORDER_MAGIC,
} from './pcapng-reader.js';
import { MICROSECOND_RESOLUTION, PcapngClock, encodeTimestampResolution } from './timestamp.js';

/** An Interface Description Block to write. */
export interface PcapngInterfaceOptions {
  linkType: number;
  /** Snapshot length; default 262144 (0 means no limit). */
  snaplen?: number;
  /** if_tsresol; default microseconds (the option is then omitted). */
  timestampResolution?: CaptureTimestampResolution;
  /** if_tsoffset in seconds; default 0 (omitted). */
  timestampOffsetSeconds?: bigint;
  name?: string;
  description?: string;
  comments?: string[];
  fcsLength?: number;
}

/** A Section Header Block to write and the interfaces declared right after it. */
export interface PcapngSectionOptions {
  /** Write the section big-endian; default little-endian. */
  bigEndian?: boolean;
  interfaces?: PcapngInterfaceOptions[];
  hardware?: string;
  os?: string;
  userApplication?: string;
  comments?: string[];
}


/**
 * A record for the pcapng writers; `interfaceIndex` is relative to the current section. `blockType`
 * defaults to 'enhanced'; 'simple' needs interface 0 and min(wire length, snaplen) captured bytes and
 * drops the timestamp; 'packet' is the obsolete block type 2.
 */
export interface PcapngRecordInput extends CaptureRecordInput {
  blockType?: PcapngPacketBlockType | undefined;
}

/** One section of encodePcapngSections. */
export interface PcapngSectionInput {
  options: PcapngSectionOptions;
  records: Iterable<PcapngRecordInput>;
}

const utf8 = new TextEncoder();

interface EncodedOption { code: number; value: Uint8Array }

function textOption(code: number, text: string | undefined): EncodedOption[] {
  if (text === undefined) return [];
  const value = utf8.encode(text);
  if (value.length > 0xffff) throw new CaptureWriteError(`option ${code} text of ${value.length} bytes exceeds the 65535-byte option limit`);
  return [{ code, value }];
}

function optionsLength(options: readonly EncodedOption[]): number {
  if (options.length === 0) return 0;
  return options.reduce((sum, option) => sum + 4 + pad4(option.value.length), 0) + 4;
}

/** An interface as the encoder needs it. */
interface WrittenInterface { snaplen: number; clock: PcapngClock }

/** Encodes pcapng blocks into an OutputBuffer, remembering the current section's byte order and interfaces. */
export class PcapngEncoder {
  private little = true;
  private interfaces: WrittenInterface[] = [];
  /** Records encoded so far (for messages). */
  records = 0;

  constructor(readonly out: OutputBuffer) {}

  /** Number of interfaces in the current section. */
  get interfaceCount(): number {
    return this.interfaces.length;
  }

  /** Writes a block: type, total length, the body `fill` writes at its offset, options, total length. */
  private block(type: number, bodyLength: number, options: readonly EncodedOption[], fill: (view: DataView, offset: number) => void): void {
    const total = 12 + pad4(bodyLength) + optionsLength(options);
    const start = this.out.reserve(total);
    const { view, bytes } = this.out;
    const little = this.little;
    bytes.fill(0, start, start + total);
    view.setUint32(start, type, little);
    view.setUint32(start + 4, total, little);
    fill(view, start + 8);
    let offset = start + 8 + pad4(bodyLength);
    if (options.length > 0) {
      for (const option of options) {
        view.setUint16(offset, option.code, little);
        view.setUint16(offset + 2, option.value.length, little);
        bytes.set(option.value, offset + 4);
        offset += 4 + pad4(option.value.length);
      }
      offset += 4; // opt_endofopt: code 0, length 0 (already zero)
    }
    view.setUint32(offset, total, little);
  }

  /** Starts a section: a Section Header Block (length of section unknown, -1) and its interfaces. */
  sectionHeader(options: PcapngSectionOptions): void {
    this.little = !options.bigEndian;
    this.interfaces = [];
    const encoded = [
      ...(options.comments ?? []).flatMap((c) => textOption(OPT_COMMENT, c)),
      ...textOption(SHB_HARDWARE, options.hardware), ...textOption(SHB_OS, options.os), ...textOption(SHB_USERAPPL, options.userApplication),
    ];
    const little = this.little;
    this.block(BLOCK_SECTION_HEADER, 16, encoded, (view, offset) => {
      view.setUint32(offset, BYTE_ORDER_MAGIC, little);
      view.setUint16(offset + 4, 1, little);
      view.setUint16(offset + 6, 0, little);
      view.setBigInt64(offset + 8, -1n, little);
    });
    for (const face of options.interfaces ?? []) this.interfaceDescription(face);
  }

  /** Declares an interface in the current section and returns its index there. */
  interfaceDescription(options: PcapngInterfaceOptions): number {
    const resolution = options.timestampResolution ?? MICROSECOND_RESOLUTION;
    const offsetSeconds = options.timestampOffsetSeconds ?? 0n;
    const snaplen = checkUint32(options.snaplen ?? 262144, 'interface snaplen');
    if (!Number.isInteger(options.linkType) || options.linkType < 0 || options.linkType > 0xffff) {
      throw new CaptureWriteError(`pcapng link type ${options.linkType} does not fit 16 bits`);
    }
    const encoded: EncodedOption[] = [
      ...(options.comments ?? []).flatMap((c) => textOption(OPT_COMMENT, c)),
      ...textOption(IF_NAME, options.name), ...textOption(IF_DESCRIPTION, options.description),
    ];
    if (resolution.base !== 10 || resolution.exponent !== 6) {
      encoded.push({ code: IF_TSRESOL, value: Uint8Array.of(encodeTimestampResolution(resolution)) });
    }
    if (options.fcsLength !== undefined) encoded.push({ code: IF_FCSLEN, value: Uint8Array.of(options.fcsLength & 0xff) });
    if (offsetSeconds !== 0n) {
      const value = new Uint8Array(8);
      new DataView(value.buffer).setBigInt64(0, BigInt.asIntN(64, offsetSeconds), this.little);
      encoded.push({ code: IF_TSOFFSET, value });
    }
    const little = this.little;
    this.block(BLOCK_INTERFACE_DESCRIPTION, 8, encoded, (view, offset) => {
      view.setUint16(offset, options.linkType, little);
      view.setUint16(offset + 2, 0, little);
      view.setUint32(offset + 4, snaplen, little);
    });
    this.interfaces.push({ snaplen, clock: new PcapngClock(resolution, offsetSeconds) });
    return this.interfaces.length - 1;
  }

  /** Writes one record as an Enhanced (default), Simple or obsolete Packet block, bytes unchanged. */
  packet(record: PcapngRecordInput): void {
    try {
      this.packetBlock(record);
    } catch (error) {
      throw error instanceof CaptureWriteError ? new CaptureWriteError(`pcapng record ${this.records}: ${error.message}`) : error;
    }
    this.records++;
  }

  private packetBlock(record: PcapngRecordInput): void {
    const data = record.data;
    const interfaceIndex = record.interfaceIndex ?? 0;
    const face = this.interfaces[interfaceIndex];
    if (face === undefined) {
      throw new CaptureWriteError(`interface ${interfaceIndex} was not declared in this section (it has ${this.interfaces.length})`);
    }
    const wireLength = checkUint32(record.wireLength ?? data.length, 'wire length');
    const blockType = record.blockType ?? 'enhanced';
    const little = this.little;
    if (blockType === 'simple') {
      const expected = face.snaplen !== 0 && face.snaplen < wireLength ? face.snaplen : wireLength;
      if (interfaceIndex !== 0 || data.length !== expected) {
        throw new CaptureWriteError(`a simple packet block needs interface 0 and min(wire length, snaplen) = ${expected} captured bytes, got interface ${interfaceIndex} and ${data.length}`);
      }
      this.block(BLOCK_SIMPLE_PACKET, 4 + data.length, [], (view, offset) => {
        view.setUint32(offset, wireLength, little);
        this.out.bytes.set(data, offset + 4);
      });
      return;
    }
    let high: number;
    let low: number;
    if (record instanceof CaptureRecordCursor && record.clock instanceof PcapngClock && record.clock.sameAs(face.clock)) {
      // A record of a pcapng interface with the same resolution and offset: copy its timestamp words.
      high = record.timestampHigh;
      low = record.timestampLow;
    } else {
      const units = face.clock.nanosecondsToUnits(record.timestampNs);
      high = Number(units >> 32n);
      low = Number(units & 0xffffffffn);
    }
    const options = textOption(OPT_COMMENT, record.comment);
    if (blockType === 'packet' && interfaceIndex > 0xffff) throw new CaptureWriteError(`interface ${interfaceIndex} does not fit a packet block`);
    this.block(blockType === 'packet' ? BLOCK_PACKET : BLOCK_ENHANCED_PACKET, 20 + data.length, options, (view, offset) => {
      if (blockType === 'packet') {
        view.setUint16(offset, interfaceIndex, little);
        view.setUint16(offset + 2, 0, little); // drops count
      } else {
        view.setUint32(offset, interfaceIndex, little);
      }
      view.setUint32(offset + 4, high, little);
      view.setUint32(offset + 8, low, little);
      view.setUint32(offset + 12, data.length, little);
      view.setUint32(offset + 16, wireLength, little);
      this.out.bytes.set(data, offset + 20);
    });
  }
}

/** Encodes several pcapng sections, each with its interfaces and records, into one file in memory. */
export function encodePcapngSections(sections: Iterable<PcapngSectionInput>): Uint8Array {
  const out = new OutputBuffer();
  const encoder = new PcapngEncoder(out);
  for (const section of sections) {
    encoder.sectionHeader(section.options);
    for (const record of section.records) encoder.packet(record);
  }
  const file = new Uint8Array(out.length);
  file.set(out.bytes.subarray(0, out.length));
  return file;
}

/** Encodes records as a one-section pcapng file in memory (default: one interface of `linkType` 1). */
export function encodePcapng(records: Iterable<PcapngRecordInput>, options: PcapngSectionOptions = { interfaces: [{ linkType: 1 }] }): Uint8Array {
  return encodePcapngSections([{ options, records }]);
}

/**
 * Writes a pcapng file block by block to a Node Writable or a path. The constructor's section header
 * and interfaces come first; `addInterface` and `startSection` add more. Await `write` and `close`.
 */
export class PcapngWriter extends BufferedCaptureWriter<PcapngRecordInput> {
  private readonly encoder = new PcapngEncoder(this.out);

  constructor(target: CaptureWriteTarget, options: PcapngSectionOptions) {
    super(target);
    this.encoder.sectionHeader(options);
  }

  /** Records written so far. */
  get recordsWritten(): number {
    return this.encoder.records;
  }

  /** Interfaces declared in the current section. */
  get interfaceCount(): number {
    return this.encoder.interfaceCount;
  }

  /** Declares another interface in the current section; returns its index for records. */
  addInterface(options: PcapngInterfaceOptions): number {
    this.sink.check('PcapngWriter.addInterface');
    return this.encoder.interfaceDescription(options);
  }

  /** Starts a new section (new byte order allowed); interface indices start again at 0. */
  startSection(options: PcapngSectionOptions): void {
    this.sink.check('PcapngWriter.startSection');
    this.encoder.sectionHeader(options);
  }

  /**
   * Appends one record (its bytes are copied at once) without waiting; throws CaptureWriteError for a
   * record that does not fit its interface. Await `drained()` now and then (for example once per chunk read).
   */
  append(record: PcapngRecordInput): void {
    this.sink.check('PcapngWriter.write');
    this.encoder.packet(record);
    this.flushWhenFull();
  }
}
