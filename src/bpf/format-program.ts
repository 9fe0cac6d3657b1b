/** One entry point over the printers: a program in any output format by name. */
import type { RawInstruction } from './opcodes.js';
import { formatBpfAsm } from './format-bpf-asm.js';
import { formatTcpdumpDd } from './format-c-array.js';
import { formatCommaForm } from './format-comma.js';
import { formatTcpdumpDdd } from './format-decimal.js';
import { formatDot } from './format-dot.js';
import { formatTcpdumpD } from './format-tcpdump-d.js';
import type { BpfTextFormat } from './detect-format.js';

/** Output formats: the text formats plus the Graphviz control-flow graph. */
export type BpfOutputFormat = BpfTextFormat | 'dot';

/** The program as `tcpdump -d`, `-dd` or `-ddd` prints it (byte-identical to tcpdump for the same program). */
export function formatTcpdump(program: readonly RawInstruction[], option: 'd' | 'dd' | 'ddd'): string {
  return option === 'd' ? formatTcpdumpD(program) : option === 'dd' ? formatTcpdumpDd(program) : formatTcpdumpDdd(program);
}

/** The program in `format`; every text format ends with a newline (the comma form gets one added). */
export function formatProgram(program: readonly RawInstruction[], format: BpfOutputFormat): string {
  switch (format) {
    case 'd': case 'dd': case 'ddd': return formatTcpdump(program, format);
    case 'asm': return formatBpfAsm(program);
    case 'comma': return formatCommaForm(program) + '\n';
    case 'dot': return formatDot(program);
  }
}
