/** Number syntax shared by the BPF text parsers: decimal, 0x hex, 0b binary, 0-prefixed octal, optional minus. */
import { BpfSyntaxError } from './errors.js';

const numberPattern = /^(-)?(?:0x([0-9a-f]+)|0b([01]+)|0([0-7]+)|(\d+))$/i;

/** Parses `text` as a number that fits in 32 bits (negatives wrap as two's complement); throws BpfSyntaxError naming `line` and `what`. */
export function parseBpfNumber(text: string, line: number, what: string, max = 0xffffffff): number {
  const match = numberPattern.exec(text.trim());
  if (!match) throw new BpfSyntaxError(`${what}: '${text.trim()}' is not a number`, line);
  const [, minus, hex, binary, octal, decimal] = match;
  const magnitude = hex !== undefined ? parseInt(hex, 16) : binary !== undefined ? parseInt(binary, 2)
    : octal !== undefined ? parseInt(octal, 8) : Number(decimal);
  if (!Number.isSafeInteger(magnitude) || magnitude > (minus ? 0x80000000 : max)) {
    throw new BpfSyntaxError(`${what}: ${text.trim()} is out of range (at most ${max})`, line);
  }
  return minus ? (-magnitude >>> 0) : magnitude;
}

/** Splits text into lines numbered from 1, without their line endings. */
export function numberedLines(text: string): { line: number; text: string }[] {
  return text.split(/\r?\n/).map((content, index) => ({ line: index + 1, text: content }));
}
