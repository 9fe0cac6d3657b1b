/** The `tcpdump -d` listing: libpcap's bpf_image text for each instruction, with its exact columns. */
import type { RawInstruction } from './opcodes.js';
import { SKF_AD_OFF } from './opcodes.js';

const signed = (k: number): string => String(k | 0);

/** Names libpcap's bpf_image (on Linux) prints for ancillary loads `[SKF_AD_OFF + 4n]`, n = 0 … 15. */
export const TCPDUMP_ANCILLARY_NAMES: readonly string[] = [
  'proto', 'type', 'ifidx', 'nla', 'nlan', 'mark', 'queue', 'hatype', 'rxhash', 'cpu', 'xor_x', 'vlan_tci', 'vlanp', 'poff', 'random', 'vlan_tpid',
];
/** The operand of an absolute load: `[name]` for a Linux ancillary offset, else `[k]` signed. */
const absolute = (k: number): string => {
  const slot = (k >>> 0) - SKF_AD_OFF;
  return slot >= 0 && slot % 4 === 0 && slot / 4 < TCPDUMP_ANCILLARY_NAMES.length ? `[${TCPDUMP_ANCILLARY_NAMES[slot / 4]}]` : `[${signed(k)}]`;
};
const hex = (k: number): string => `0x${(k >>> 0).toString(16)}`;

/** Mnemonic and operand text of one instruction at `index`, as bpf_image prints them. */
export function bpfImageParts(insn: RawInstruction, index: number): [mnemonic: string, operand: string] {
  const k = insn.k;
  switch (insn.code) {
    case 0x06: return ['ret', `#${signed(k)}`];
    case 0x16: return ['ret', ''];
    case 0x20: return ['ld', absolute(k)];
    case 0x28: return ['ldh', absolute(k)];
    case 0x30: return ['ldb', absolute(k)];
    case 0x80: return ['ld', '#pktlen'];
    case 0x40: return ['ld', `[x + ${signed(k)}]`];
    case 0x48: return ['ldh', `[x + ${signed(k)}]`];
    case 0x50: return ['ldb', `[x + ${signed(k)}]`];
    case 0x00: return ['ld', `#${hex(k)}`];
    case 0x01: return ['ldx', `#${hex(k)}`];
    case 0xb1: return ['ldxb', `4*([${signed(k)}]&0xf)`];
    case 0x60: return ['ld', `M[${signed(k)}]`];
    case 0x61: return ['ldx', `M[${signed(k)}]`];
    case 0x02: return ['st', `M[${signed(k)}]`];
    case 0x03: return ['stx', `M[${signed(k)}]`];
    case 0x05: return ['ja', signed(index + 1 + k)];
    case 0x25: return ['jgt', `#${hex(k)}`];
    case 0x35: return ['jge', `#${hex(k)}`];
    case 0x15: return ['jeq', `#${hex(k)}`];
    case 0x45: return ['jset', `#${hex(k)}`];
    case 0x2d: return ['jgt', 'x'];
    case 0x3d: return ['jge', 'x'];
    case 0x1d: return ['jeq', 'x'];
    case 0x4d: return ['jset', 'x'];
    case 0x0c: return ['add', 'x'];
    case 0x1c: return ['sub', 'x'];
    case 0x2c: return ['mul', 'x'];
    case 0x3c: return ['div', 'x'];
    case 0x9c: return ['mod', 'x'];
    case 0x5c: return ['and', 'x'];
    case 0x4c: return ['or', 'x'];
    case 0xac: return ['xor', 'x'];
    case 0x6c: return ['lsh', 'x'];
    case 0x7c: return ['rsh', 'x'];
    case 0x04: return ['add', `#${signed(k)}`];
    case 0x14: return ['sub', `#${signed(k)}`];
    case 0x24: return ['mul', `#${signed(k)}`];
    case 0x34: return ['div', `#${signed(k)}`];
    case 0x94: return ['mod', `#${signed(k)}`];
    case 0x54: return ['and', `#${hex(k)}`];
    case 0x44: return ['or', `#${hex(k)}`];
    case 0xa4: return ['xor', `#${hex(k)}`];
    case 0x64: return ['lsh', `#${signed(k)}`];
    case 0x74: return ['rsh', `#${signed(k)}`];
    case 0x84: return ['neg', ''];
    case 0x07: return ['tax', ''];
    case 0x87: return ['txa', ''];
    default: return ['unimp', hex(insn.code)];
  }
}

/** One line of `tcpdump -d` (libpcap's bpf_image) for the instruction at `index`, without a newline. */
export function formatBpfImage(insn: RawInstruction, index: number): string {
  const [mnemonic, operand] = bpfImageParts(insn, index);
  const number = String(index).padStart(3, '0');
  const conditional = (insn.code & 0x07) === 0x05 && (insn.code & 0xf0) !== 0x00;
  return conditional
    ? `(${number}) ${mnemonic.padEnd(8)} ${operand.padEnd(16)} jt ${index + 1 + insn.jt}\tjf ${index + 1 + insn.jf}`
    : `(${number}) ${mnemonic.padEnd(8)} ${operand}`;
}

/** The whole `tcpdump -d` listing of a program, one line per instruction, each ending in a newline. */
export function formatTcpdumpD(program: readonly RawInstruction[]): string {
  return program.map((insn, index) => formatBpfImage(insn, index) + '\n').join('');
}

/** Opcodes whose k appears in the bpf_image text (for all others the listing does not show k). */
const codesShowingK = new Set([
  0x06, 0x20, 0x28, 0x30, 0x40, 0x48, 0x50, 0x00, 0x01, 0xb1, 0x60, 0x61, 0x02, 0x03, 0x05,
  0x25, 0x35, 0x15, 0x45, 0x04, 0x14, 0x24, 0x34, 0x94, 0x54, 0x44, 0xa4, 0x64, 0x74,
]);

/** The program as parsing its `tcpdump -d` listing gives it back: fields the listing does not show become 0. */
export function tcpdumpDVisible(program: readonly RawInstruction[]): RawInstruction[] {
  return program.map((insn) => {
    const conditional = (insn.code & 0x07) === 0x05 && (insn.code & 0xf0) !== 0x00;
    return { code: insn.code, jt: conditional ? insn.jt : 0, jf: conditional ? insn.jf : 0, k: codesShowingK.has(insn.code) ? insn.k >>> 0 : 0 };
  });
}
