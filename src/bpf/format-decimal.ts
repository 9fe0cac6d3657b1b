/** The `tcpdump -ddd` listing: the instruction count, then `code jt jf k` in decimal, one per line. */
import type { RawInstruction } from './opcodes.js';

/** The whole `tcpdump -ddd` listing of a program. */
export function formatTcpdumpDdd(program: readonly RawInstruction[]): string {
  return `${program.length}\n` + program.map((insn) => `${insn.code} ${insn.jt} ${insn.jf} ${insn.k >>> 0}\n`).join('');
}
