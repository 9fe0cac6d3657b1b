/**
 * Reads Linux `bpf_asm` text: one instruction per line, `label:` prefixes, jump operands naming labels (or
 * numeric offsets), and comments (`;` or `//` to the end of the line, C block comments, `#` lines).
 * Also reads our `.insn code, jt, jf, k` escape for any raw instruction.
 */
import type { RawInstruction } from './opcodes.js';
import { BPF_ALU, BPF_JMP, SKF_AD_OFF } from './opcodes.js';
import { BpfSyntaxError } from './errors.js';
import { BPF_ALU_OPERATIONS, BPF_JUMP_TESTS, BPF_LOAD_SIZES } from './instructions.js';
import { BPF_ASM_ANCILLARY } from './format-bpf-asm.js';
import { numberedLines, parseBpfNumber } from './text-numbers.js';

const aluCodes: Record<string, number> = Object.fromEntries(Object.entries(BPF_ALU_OPERATIONS).map(([name, op]) => [name, BPF_ALU | op]));
/** Conditional jumps: native opcode (K form) and whether the one-target form names the false branch (negated mnemonics). */
const jumpCodes: Record<string, [code: number, negated: boolean]> = {
  ...Object.fromEntries(Object.entries(BPF_JUMP_TESTS).map(([name, op]) => [name, [BPF_JMP | op, false]])),
  jneq: [BPF_JMP | BPF_JUMP_TESTS.jeq, true], jne: [BPF_JMP | BPF_JUMP_TESTS.jeq, true],
  jlt: [BPF_JMP | BPF_JUMP_TESTS.jge, true], jle: [BPF_JMP | BPF_JUMP_TESTS.jgt, true],
};
const loadSizes: Record<string, number> = BPF_LOAD_SIZES;
const labelPattern = /^([A-Za-z_][A-Za-z0-9_]*)\s*:/;

interface PendingJump { index: number; line: number; targets: string[]; negated: boolean }

/** Parses bpf_asm text into raw instructions, resolving labels. */
export function parseBpfAsm(text: string): RawInstruction[] {
  const program: RawInstruction[] = [];
  const labels = new Map<string, number>();
  const pending: PendingJump[] = [];
  // Block comments keep their line breaks so that line numbers stay right.
  const uncommented = text.replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, ' '));
  for (const { line, text: content } of numberedLines(uncommented)) {
    // Comments: ';' or '//' to the end of the line, and whole lines starting with '#' (no instruction does).
    let rest = /^\s*#/.test(content) ? '' : content.replace(/;.*$/, '').replace(/\/\/.*$/, '').trim();
    let match: RegExpExecArray | null;
    while ((match = labelPattern.exec(rest))) {
      const name = match[1]!;
      if (labels.has(name)) throw new BpfSyntaxError(`label '${name}' is defined twice`, line);
      labels.set(name, program.length);
      rest = rest.slice(match[0].length).trim();
    }
    if (rest === '') continue;
    const [, mnemonicText = '', operandText = ''] = /^(\S+)\s*(.*)$/.exec(rest) ?? [];
    const mnemonic = mnemonicText.toLowerCase();
    const operand = operandText.trim();
    const index = program.length;
    const num = (value: string, what = `operand of ${mnemonic}`, max?: number): number => parseBpfNumber(value, line, what, max);
    const fail = (): never => { throw new BpfSyntaxError(`cannot read '${rest}' as a bpf_asm instruction`, line); };
    const push = (code: number, k = 0, jt = 0, jf = 0): void => { program.push({ code, jt, jf, k: k >>> 0 }); };
    const bareOperand = (): void => { if (operand !== '') fail(); };

    if (mnemonic === '.insn') {
      const fields = operand.split(',').map((f) => f.trim());
      if (fields.length !== 4) throw new BpfSyntaxError('.insn needs code, jt, jf, k', line);
      push(num(fields[0]!, 'code', 0xffff), num(fields[3]!, 'k'), num(fields[1]!, 'jt', 0xff), num(fields[2]!, 'jf', 0xff));
    } else if (mnemonic in loadSizes || mnemonic === 'ldi') {
      const size = loadSizes[mnemonic] ?? 0;
      if ((match = /^\[\s*x\s*\+\s*([^\]]+)\]$/i.exec(operand))) push(0x40 | size, num(match[1]!.trim()));
      else if ((match = /^\[\s*([^\]]+)\]$/.exec(operand))) push(0x20 | size, num(match[1]!.trim()));
      else if (mnemonic === 'ldi' || mnemonic === 'ld') {
        const name = /^#?([a-z_]+)$/i.exec(operand)?.[1]?.toLowerCase();
        if (name === 'len' || name === 'pktlen') push(0x80);
        else if (name !== undefined && name in BPF_ASM_ANCILLARY) push(0x20, SKF_AD_OFF + BPF_ASM_ANCILLARY[name]!);
        else if ((match = /^#\s*(\S+)$/.exec(operand))) push(0x00, num(match[1]!));
        else if ((match = /^M\s*\[\s*([^\]]+)\]$/.exec(operand)) && mnemonic === 'ld') push(0x60, num(match[1]!.trim()));
        else fail();
      } else fail();
    } else if (mnemonic === 'ldx' || mnemonic === 'ldxi') {
      if (/^#?(len|pktlen)$/i.test(operand)) push(0x81);
      else if ((match = /^#\s*(\S+)$/.exec(operand))) push(0x01, num(match[1]!));
      else if ((match = /^M\s*\[\s*([^\]]+)\]$/.exec(operand)) && mnemonic === 'ldx') push(0x61, num(match[1]!.trim()));
      else if ((match = /^4\s*\*\s*\(\s*\[\s*([^\]]+)\]\s*&\s*0xf\s*\)$/i.exec(operand))) push(0xb1, num(match[1]!.trim()));
      else fail();
    } else if (mnemonic === 'ldxb') {
      if ((match = /^4\s*\*\s*\(\s*\[\s*([^\]]+)\]\s*&\s*0xf\s*\)$/i.exec(operand))) push(0xb1, num(match[1]!.trim()));
      else fail();
    } else if (mnemonic === 'st' || mnemonic === 'stx') {
      if ((match = /^M\s*\[\s*([^\]]+)\]$/.exec(operand))) push(mnemonic === 'st' ? 0x02 : 0x03, num(match[1]!.trim()));
      else fail();
    } else if (mnemonic in aluCodes) {
      if (/^%?x$/i.test(operand)) push(aluCodes[mnemonic]! | 0x08);
      else if ((match = /^#\s*(\S+)$/.exec(operand))) push(aluCodes[mnemonic]!, num(match[1]!));
      else fail();
    } else if (mnemonic === 'neg' || mnemonic === 'tax' || mnemonic === 'txa') {
      bareOperand();
      push(mnemonic === 'neg' ? 0x84 : mnemonic === 'tax' ? 0x07 : 0x87);
    } else if (mnemonic === 'ret') {
      if (/^%?a$/i.test(operand)) push(0x16);
      else if ((match = /^#\s*(\S+)$/.exec(operand))) push(0x06, num(match[1]!));
      else fail();
    } else if (mnemonic === 'ja' || mnemonic === 'jmp') {
      if (operand === '' || operand.includes(',')) fail();
      pending.push({ index, line, targets: [operand], negated: false });
      push(0x05);
    } else if (mnemonic in jumpCodes) {
      const [base, negated] = jumpCodes[mnemonic]!;
      const [value = '', ...targets] = operand.split(',').map((f) => f.trim());
      let code = base;
      let k = 0;
      if (/^%?x$/i.test(value)) code |= 0x08;
      else if ((match = /^#\s*(\S+)$/.exec(value))) k = num(match[1]!);
      else fail();
      if (targets.length < 1 || targets.length > (negated ? 1 : 2) || targets.some((t) => t === '')) {
        throw new BpfSyntaxError(`${mnemonic} takes ${negated ? 'one target' : 'one or two targets'}`, line);
      }
      pending.push({ index, line, targets, negated });
      push(code, k);
    } else {
      throw new BpfSyntaxError(`unknown instruction '${mnemonicText}'`, line);
    }
  }
  for (const jump of pending) {
    const offsets = jump.targets.map((target) => {
      if (/^-?\d/.test(target)) return parseBpfNumber(target, jump.line, 'jump offset') | 0;
      const at = labels.get(target);
      if (at === undefined) throw new BpfSyntaxError(`label '${target}' is not defined`, jump.line);
      return at - (jump.index + 1);
    });
    const insn = program[jump.index]!;
    if (insn.code === 0x05) { insn.k = offsets[0]! >>> 0; continue; }
    for (const offset of offsets) {
      if (offset < 0 || offset > 255) throw new BpfSyntaxError(`conditional jump target is ${offset} instructions ahead; it must be 0 to 255`, jump.line);
    }
    if (jump.negated) insn.jf = offsets[0]!;
    else { insn.jt = offsets[0]!; insn.jf = offsets[1] ?? 0; }
  }
  return program;
}
