/** Reads the `tcpdump -ddd` listing (count, then `code jt jf k` per line) into raw instructions. */
import type { RawInstruction } from './opcodes.js';
import { BpfSyntaxError } from './errors.js';
import { numberedLines, parseBpfNumber } from './text-numbers.js';

/** Parses `tcpdump -ddd` text; the leading count must match the number of instruction lines. */
export function parseTcpdumpDdd(text: string): RawInstruction[] {
  const lines = numberedLines(text).filter((l) => l.text.trim() !== '');
  if (lines.length === 0) throw new BpfSyntaxError('empty input: expected the instruction count', 1);
  const first = lines[0]!;
  const count = parseBpfNumber(first.text, first.line, 'instruction count');
  const program = lines.slice(1).map(({ line, text: content }) => {
    const fields = content.trim().split(/\s+/);
    if (fields.length !== 4) throw new BpfSyntaxError(`expected 'code jt jf k', got '${content.trim()}'`, line);
    const [code, jt, jf, k] = fields as [string, string, string, string];
    return { code: parseBpfNumber(code, line, 'code', 0xffff), jt: parseBpfNumber(jt, line, 'jt', 0xff), jf: parseBpfNumber(jf, line, 'jf', 0xff), k: parseBpfNumber(k, line, 'k') };
  });
  if (program.length !== count) throw new BpfSyntaxError(`count says ${count} instructions but ${program.length} follow`, first.line);
  return program;
}
