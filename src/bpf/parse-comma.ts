/** Reads the comma form `N,code jt jf k,...` (iptables xt_bpf, tc bpf bytecode) into raw instructions. */
import type { RawInstruction } from './opcodes.js';
import { BpfSyntaxError } from './errors.js';
import { parseBpfNumber } from './text-numbers.js';

/** Parses the comma form; surrounding quotes and whitespace are ignored, and the count must match. */
export function parseCommaForm(text: string): RawInstruction[] {
  const body = text.trim().replace(/^(['"])([\s\S]*)\1$/, '$2').trim().replace(/,\s*$/, '');
  const parts = body.split(',');
  const count = parseBpfNumber(parts[0] ?? '', 1, 'instruction count');
  const program = parts.slice(1).map((part, index) => {
    const fields = part.trim().split(/\s+/);
    if (fields.length !== 4) throw new BpfSyntaxError(`instruction ${index}: expected 'code jt jf k', got '${part.trim()}'`, 1);
    const [code, jt, jf, k] = fields as [string, string, string, string];
    const what = (name: string): string => `instruction ${index} ${name}`;
    return { code: parseBpfNumber(code, 1, what('code'), 0xffff), jt: parseBpfNumber(jt, 1, what('jt'), 0xff), jf: parseBpfNumber(jf, 1, what('jf'), 0xff), k: parseBpfNumber(k, 1, what('k')) };
  });
  if (program.length !== count) throw new BpfSyntaxError(`count says ${count} instructions but ${program.length} follow`, 1);
  return program;
}
