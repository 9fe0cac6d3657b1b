/** The `tcpdump -dd` listing: a C array of struct bpf_insn initialisers. */
import type { RawInstruction } from './opcodes.js';

/** The whole `tcpdump -dd` listing of a program: one `{ 0xCODE, jt, jf, 0xK },` line per instruction. */
export function formatTcpdumpDd(program: readonly RawInstruction[]): string {
  return program
    .map((insn) => `{ 0x${insn.code.toString(16)}, ${insn.jt}, ${insn.jf}, 0x${(insn.k >>> 0).toString(16).padStart(8, '0')} },\n`)
    .join('');
}
