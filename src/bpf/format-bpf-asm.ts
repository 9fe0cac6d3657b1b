/**
 * The Linux `bpf_asm` syntax (tools/bpf/bpf_asm, Documentation/networking/filter.rst) with labels.
 * Instructions it cannot spell (unknown opcodes, unused fields set, jumps out of the program) are printed
 * as `.insn code, jt, jf, k`, an extension our parser reads back.
 */
import type { RawInstruction } from './opcodes.js';
import { SKF_AD_OFF } from './opcodes.js';
import { disassemble, isConditionalJump } from './instructions.js';
import type { BpfInstruction } from './instructions.js';

/** Linux ancillary loads: `ld #name` is `ld [SKF_AD_OFF + offset]` (SKF_AD_OFF = -0x1000). */
export const BPF_ASM_ANCILLARY: Readonly<Record<string, number>> = {
  proto: 0, type: 4, ifidx: 8, nla: 12, nlan: 16, mark: 20, queue: 24, hatype: 28, rxhash: 32, cpu: 36,
  vlan_tci: 44, vlan_avail: 48, poff: 52, rand: 56, vlan_tpid: 60,
};
const ancillaryByK = new Map<number, string>(Object.entries(BPF_ASM_ANCILLARY).map(([name, offset]) => [SKF_AD_OFF + offset, name]));

const hex = (k: number): string => `0x${(k >>> 0).toString(16)}`;
const label = (target: number): string => `L${target}`;

/** Jump targets of the instruction at `index` (absolute indexes), or undefined when it is not a jump. */
function jumpTargets(insn: RawInstruction, index: number): number[] | undefined {
  if ((insn.code & 0x07) !== 0x05) return undefined;
  if (!isConditionalJump(insn.code)) return [index + 1 + (insn.k | 0)];
  return [index + 1 + insn.jt, index + 1 + insn.jf];
}

function body(typed: BpfInstruction, index: number): string | undefined {
  const next = index + 1;
  switch (typed.kind) {
    case 'loadConstant': return `${typed.dst === 'A' ? 'ld' : 'ldx'} #${hex(typed.val)}`;
    case 'loadAbsolute': {
      const name = typed.size === 4 ? ancillaryByK.get(typed.off) : undefined;
      if (name) return `ld #${name}`;
      return `${typed.size === 4 ? 'ld' : typed.size === 2 ? 'ldh' : 'ldb'} [${typed.off}]`;
    }
    case 'loadIndirect': return `${typed.size === 4 ? 'ld' : typed.size === 2 ? 'ldh' : 'ldb'} [x + ${typed.off}]`;
    case 'loadScratch': return `${typed.dst === 'A' ? 'ld' : 'ldx'} M[${typed.n}]`;
    case 'loadLength': return `${typed.dst === 'A' ? 'ld' : 'ldx'} #len`;
    case 'loadMemShift': return `ldxb 4*([${typed.off}]&0xf)`;
    case 'storeScratch': return `${typed.src === 'A' ? 'st' : 'stx'} M[${typed.n}]`;
    case 'aluOpConstant': {
      const decimal = typed.op === 'and' || typed.op === 'or' || typed.op === 'xor' ? hex(typed.val) : String(typed.val);
      return `${typed.op} #${decimal}`;
    }
    case 'aluOpX': return `${typed.op} x`;
    case 'negateA': return 'neg';
    case 'jump': return `ja ${label(next + (typed.skip | 0))}`;
    case 'jumpIf':
    case 'jumpIfX': {
      const operand = typed.kind === 'jumpIf' ? `#${hex(typed.val)}` : 'x';
      const mnemonic = { eq: 'jeq', gt: 'jgt', ge: 'jge', set: 'jset' }[typed.cond as 'eq' | 'gt' | 'ge' | 'set'];
      const whenTrue = label(next + typed.skipTrue);
      return typed.skipFalse === 0 ? `${mnemonic} ${operand}, ${whenTrue}` : `${mnemonic} ${operand}, ${whenTrue}, ${label(next + typed.skipFalse)}`;
    }
    case 'retA': return 'ret a';
    case 'retConstant': return `ret #${typed.val}`;
    case 'tax': return 'tax';
    case 'txa': return 'txa';
    case 'raw': return undefined;
  }
}

/** The program in bpf_asm syntax, one instruction per line, with `L<index>:` labels on jump targets. */
export function formatBpfAsm(program: readonly RawInstruction[]): string {
  const targets = new Set<number>();
  const inRange = program.map((insn, index) => {
    const jumps = jumpTargets(insn, index);
    const ok = !jumps || jumps.every((t) => t >= 0 && t < program.length);
    if (ok && jumps) for (const t of jumps) targets.add(t);
    return ok;
  });
  return program.map((insn, index) => {
    const text = inRange[index] ? body(disassemble(insn), index) : undefined;
    const line = text ?? `.insn ${hex(insn.code)}, ${insn.jt}, ${insn.jf}, ${hex(insn.k)}`;
    return (targets.has(index) ? `${label(index)}: ` : '') + line + '\n';
  }).join('');
}
