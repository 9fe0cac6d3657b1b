/** Recognises a capture file by its first four bytes and creates the parser for its format. */
import { CaptureFormatError } from './errors.js';
import type { CaptureParser } from './parser.js';
import { PcapParser, isPcapMagic } from './pcap-reader.js';
import { BLOCK_SECTION_HEADER, PcapngParser } from './pcapng-reader.js';

/** Bytes needed to recognise the format. */
export const MAGIC_LENGTH = 4;

/** Explains magics of files that are not pcap or pcapng but are often mistaken for them. */
function foreignMagic(magic: number): string {
  if (magic === 0xa1b2cd34 || magic === 0x34cdb2a1) return "Kuznetzov's modified pcap format is not supported";
  if (magic >>> 16 === 0x1f8b) return 'gzip-compressed file: decompress it first';
  if (magic === 0x28b52ffd) return 'zstd-compressed file: decompress it first';
  return `unknown magic 0x${magic.toString(16).padStart(8, '0')}: not a pcap or pcapng file`;
}

/** The parser for a file starting with `bytes` (at least four bytes), or a CaptureFormatError at offset 0. */
export function createCaptureParser(bytes: Uint8Array): CaptureParser {
  if (bytes.length < MAGIC_LENGTH) {
    throw new CaptureFormatError(0, bytes.length === 0 ? 'empty capture file' : `capture file of ${bytes.length} bytes is too short for a magic number`);
  }
  const magic = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  if (isPcapMagic(magic)) return new PcapParser();
  if (magic === BLOCK_SECTION_HEADER) return new PcapngParser();
  throw new CaptureFormatError(0, foreignMagic(magic));
}
