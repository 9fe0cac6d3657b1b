/** Reads a BPF program from text in any supported format (detected, or named). */
import type { RawInstruction } from './opcodes.js';
import { detectBpfFormat } from './detect-format.js';
import type { BpfTextFormat } from './detect-format.js';
import { parseBpfAsm } from './parse-bpf-asm.js';
import { parseTcpdumpDd } from './parse-c-array.js';
import { parseCommaForm } from './parse-comma.js';
import { parseTcpdumpDdd } from './parse-decimal.js';
import { parseTcpdumpD } from './parse-tcpdump-d.js';

/** Parses program text in `format`, or in the format detectBpfFormat finds; throws BpfSyntaxError naming the line. */
export function parseProgram(text: string, format: BpfTextFormat = detectBpfFormat(text)): RawInstruction[] {
  switch (format) {
    case 'd': return parseTcpdumpD(text);
    case 'dd': return parseTcpdumpDd(text);
    case 'ddd': return parseTcpdumpDdd(text);
    case 'comma': return parseCommaForm(text);
    case 'asm': return parseBpfAsm(text);
  }
}
