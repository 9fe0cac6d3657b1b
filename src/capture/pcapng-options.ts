/**
 * pcapng options: a list of (code u16, length u16, value padded to 4 bytes) ending with opt_endofopt or
 * at the end of the block body. Option codes are those of draft-ietf-opsawg-pcapng.
 */
import { CaptureFormatError } from './errors.js';

/** Option codes common to every block. */
export const OPT_ENDOFOPT = 0;
export const OPT_COMMENT = 1;
/** Section Header Block option codes. */
export const SHB_HARDWARE = 2;
export const SHB_OS = 3;
export const SHB_USERAPPL = 4;
/** Interface Description Block option codes. */
export const IF_NAME = 2;
export const IF_DESCRIPTION = 3;
export const IF_TSRESOL = 9;
export const IF_FCSLEN = 13;
export const IF_TSOFFSET = 14;

/** One option: its code and where its value lies in the buffer. */
export interface PcapngOption {
  code: number;
  /** Offset of the value in the buffer. */
  start: number;
  /** Length of the value (before padding). */
  length: number;
}

const utf8 = new TextDecoder('utf-8');

/** Decodes an option value as UTF-8 (a trailing NUL, which some writers add, is dropped). */
export function optionText(bytes: Uint8Array, option: PcapngOption): string {
  let end = option.start + option.length;
  while (end > option.start && bytes[end - 1] === 0) end--;
  return utf8.decode(bytes.subarray(option.start, end));
}

/**
 * Lists the options in `bytes[start, end)`; `base` is the file offset of `bytes[0]` for errors and
 * `blockName` names the block. An option that overruns the body is damage.
 */
export function readPcapngOptions(
  bytes: Uint8Array, view: DataView, start: number, end: number, little: boolean, base: number, blockName: string,
): PcapngOption[] {
  const options: PcapngOption[] = [];
  let offset = start;
  while (end - offset >= 4) {
    const code = view.getUint16(offset, little);
    const length = view.getUint16(offset + 2, little);
    if (code === OPT_ENDOFOPT) break;
    const valueEnd = offset + 4 + length;
    if (valueEnd > end) {
      throw new CaptureFormatError(base + offset, `option ${code} of the ${blockName} has length ${length}, which overruns the block`);
    }
    options.push({ code, start: offset + 4, length });
    offset = offset + 4 + ((length + 3) & ~3);
  }
  return options;
}

/** The first opt_comment in an option region, or undefined (lenient: never throws, for lazy getters). */
export function firstComment(bytes: Uint8Array, view: DataView, start: number, end: number, little: boolean): string | undefined {
  let offset = start;
  while (end - offset >= 4) {
    const code = view.getUint16(offset, little);
    const length = view.getUint16(offset + 2, little);
    if (code === OPT_ENDOFOPT || offset + 4 + length > end) return undefined;
    if (code === OPT_COMMENT) return optionText(bytes, { code, start: offset + 4, length });
    offset = offset + 4 + ((length + 3) & ~3);
  }
  return undefined;
}
