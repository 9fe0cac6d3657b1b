/** Reads the `tcpdump -d` listing (bpf_image lines) back into raw instructions. */
import type { RawInstruction } from './opcodes.js';
import { BPF_ALU, BPF_JMP, SKF_AD_OFF } from './opcodes.js';
import { BpfSyntaxError } from './errors.js';
import { BPF_ALU_OPERATIONS, BPF_JUMP_TESTS, BPF_LOAD_SIZES } from './instructions.js';
import { TCPDUMP_ANCILLARY_NAMES } from './format-tcpdump-d.js';
import { numberedLines, parseBpfNumber } from './text-numbers.js';

/** ALU and conditional-jump opcodes (K form) by mnemonic, and load sizes by mnemonic. */
const aluCodes: Record<string, number> = Object.fromEntries(Object.entries(BPF_ALU_OPERATIONS).map(([name, op]) => [name, BPF_ALU | op]));
const jumpCodes: Record<string, number> = Object.fromEntries(Object.entries(BPF_JUMP_TESTS).map(([name, op]) => [name, BPF_JMP | op]));
const loadSizes: Record<string, number> = BPF_LOAD_SIZES;
const linePattern = /^\s*\((\d+)\)\s+(\S+)\s*(.*?)\s*$/;
const jumpPattern = /^(.*?)\s+jt\s+(-?\d+)\s+jf\s+(-?\d+)$/;

/** Parses one bpf_image operand for `mnemonic` into code and k; `undefined` when it does not fit. */
function decodeOperand(mnemonic: string, operand: string, index: number, line: number): { code: number; k: number } | undefined {
  const num = (text: string): number => parseBpfNumber(text, line, `operand of ${mnemonic}`);
  let match: RegExpExecArray | null;
  if (mnemonic === 'unimp') return { code: parseBpfNumber(operand, line, 'unimp opcode', 0xffff), k: 0 };
  if (mnemonic === 'ret') {
    if (operand === '') return { code: 0x16, k: 0 };
    if ((match = /^#(-?\d+)$/.exec(operand))) return { code: 0x06, k: num(match[1]!) };
    return undefined;
  }
  if (mnemonic in loadSizes) {
    const size = loadSizes[mnemonic]!;
    if ((match = /^\[\s*x\s*\+\s*(-?\d+)\s*\]$/.exec(operand))) return { code: 0x40 | size, k: num(match[1]!) };
    if ((match = /^\[(-?\d+)\]$/.exec(operand))) return { code: 0x20 | size, k: num(match[1]!) };
    if ((match = /^\[([a-z_]+)\]$/.exec(operand)) && TCPDUMP_ANCILLARY_NAMES.includes(match[1]!)) {
      return { code: 0x20 | size, k: SKF_AD_OFF + 4 * TCPDUMP_ANCILLARY_NAMES.indexOf(match[1]!) };
    }
    if (mnemonic !== 'ld') return undefined;
    if (operand === '#pktlen') return { code: 0x80, k: 0 };
    if ((match = /^#(0x[0-9a-f]+)$/i.exec(operand))) return { code: 0x00, k: num(match[1]!) };
    if ((match = /^M\[(-?\d+)\]$/.exec(operand))) return { code: 0x60, k: num(match[1]!) };
    return undefined;
  }
  if (mnemonic === 'ldx') {
    if ((match = /^#(0x[0-9a-f]+)$/i.exec(operand))) return { code: 0x01, k: num(match[1]!) };
    if ((match = /^M\[(-?\d+)\]$/.exec(operand))) return { code: 0x61, k: num(match[1]!) };
    return undefined;
  }
  if (mnemonic === 'ldxb') {
    if ((match = /^4\s*\*\s*\(\s*\[(-?\d+)\]\s*&\s*0xf\s*\)$/.exec(operand))) return { code: 0xb1, k: num(match[1]!) };
    return undefined;
  }
  if (mnemonic === 'st' || mnemonic === 'stx') {
    if ((match = /^M\[(-?\d+)\]$/.exec(operand))) return { code: mnemonic === 'st' ? 0x02 : 0x03, k: num(match[1]!) };
    return undefined;
  }
  if (mnemonic === 'ja') {
    if (/^-?\d+$/.test(operand)) return { code: 0x05, k: (num(operand) - (index + 1)) >>> 0 };
    return undefined;
  }
  if (mnemonic in aluCodes || mnemonic in jumpCodes) {
    const base = aluCodes[mnemonic] ?? jumpCodes[mnemonic]!;
    if (operand === 'x') return { code: base | 0x08, k: 0 };
    if ((match = /^#(-?\d+|0x[0-9a-f]+)$/i.exec(operand))) return { code: base, k: num(match[1]!) };
    return undefined;
  }
  if (operand === '') {
    const bare: Record<string, number> = { neg: 0x84, tax: 0x07, txa: 0x87 };
    if (mnemonic in bare) return { code: bare[mnemonic]!, k: 0 };
  }
  return undefined;
}

/**
 * Parses `tcpdump -d` text. Lines must be numbered (000), (001), ... in order. The listing does not show k
 * for `unimp`, `ret`/`neg`/`tax`/`txa` without operand, nor jt/jf of non-jumps: those come back as 0.
 */
export function parseTcpdumpD(text: string): RawInstruction[] {
  const program: RawInstruction[] = [];
  for (const { line, text: content } of numberedLines(text)) {
    if (content.trim() === '') continue;
    const match = linePattern.exec(content);
    if (!match) throw new BpfSyntaxError(`expected '(NNN) mnemonic operand', got '${content.trim()}'`, line);
    const [, number, mnemonic, rest] = match as unknown as [string, string, string, string];
    const index = program.length;
    if (Number(number) !== index) throw new BpfSyntaxError(`instruction number (${number}) should be (${String(index).padStart(3, '0')})`, line);
    let operand = rest;
    let jt = 0;
    let jf = 0;
    const jump = jumpPattern.exec(rest);
    if (mnemonic in jumpCodes || (mnemonic === 'unimp' && jump)) {
      if (!jump) throw new BpfSyntaxError(`${mnemonic} needs 'jt N jf M' targets`, line);
      operand = jump[1]!.trim();
      const relative = (target: string, which: string): number => {
        const offset = Number(target) - (index + 1);
        if (offset < 0 || offset > 255) throw new BpfSyntaxError(`${which} target ${target} is not 0 to 255 instructions after ${index}`, line);
        return offset;
      };
      jt = relative(jump[2]!, 'jt');
      jf = relative(jump[3]!, 'jf');
    }
    const decoded = decodeOperand(mnemonic, operand, index, line);
    if (!decoded) throw new BpfSyntaxError(`cannot read '${mnemonic} ${operand}' as a tcpdump -d instruction`, line);
    program.push({ code: decoded.code, jt, jf, k: decoded.k });
  }
  return program;
}
