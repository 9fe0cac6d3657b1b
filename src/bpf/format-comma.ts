/** The comma form `N,code jt jf k,...` that `iptables -m bpf --bytecode` and `tc ... bpf bytecode` take. */
import type { RawInstruction } from './opcodes.js';

/** The comma form of a program (no trailing newline), e.g. `4,40 0 0 12,21 0 1 2048,6 0 0 262144,6 0 0 0`. */
export function formatCommaForm(program: readonly RawInstruction[]): string {
  return [String(program.length), ...program.map((insn) => `${insn.code} ${insn.jt} ${insn.jf} ${insn.k >>> 0}`)].join(',');
}
