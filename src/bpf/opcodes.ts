/**
 * Classic BPF opcode fields (the values of libpcap's and Linux's BPF_* macros) and the raw
 * instruction form `{ code, jt, jf, k }` that every program round-trips through.
 */

/** One instruction exactly as the kernel and libpcap store it (struct bpf_insn). */
export interface RawInstruction {
  /** 16-bit opcode: class | size/op | mode/src. */
  code: number;
  /** Jump offset if true (8 bits), counted from the next instruction. */
  jt: number;
  /** Jump offset if false (8 bits). */
  jf: number;
  /** 32-bit unsigned constant operand. */
  k: number;
}

// Instruction classes (code & 0x07).
export const BPF_LD = 0x00;
export const BPF_LDX = 0x01;
export const BPF_ST = 0x02;
export const BPF_STX = 0x03;
export const BPF_ALU = 0x04;
export const BPF_JMP = 0x05;
export const BPF_RET = 0x06;
export const BPF_MISC = 0x07;

// Load sizes (code & 0x18).
export const BPF_W = 0x00;
export const BPF_H = 0x08;
export const BPF_B = 0x10;

// Load modes (code & 0xe0).
export const BPF_IMM = 0x00;
export const BPF_ABS = 0x20;
export const BPF_IND = 0x40;
export const BPF_MEM = 0x60;
export const BPF_LEN = 0x80;
export const BPF_MSH = 0xa0;

// ALU operations (code & 0xf0).
export const BPF_ADD = 0x00;
export const BPF_SUB = 0x10;
export const BPF_MUL = 0x20;
export const BPF_DIV = 0x30;
export const BPF_OR = 0x40;
export const BPF_AND = 0x50;
export const BPF_LSH = 0x60;
export const BPF_RSH = 0x70;
export const BPF_NEG = 0x80;
export const BPF_MOD = 0x90;
export const BPF_XOR = 0xa0;

// Jump conditions (code & 0xf0).
export const BPF_JA = 0x00;
export const BPF_JEQ = 0x10;
export const BPF_JGT = 0x20;
export const BPF_JGE = 0x30;
export const BPF_JSET = 0x40;

// Operand source (code & 0x08).
export const BPF_K = 0x00;
export const BPF_X = 0x08;

// Return value source (code & 0x18).
export const BPF_A = 0x10;

// MISC operations (code & 0xf8).
export const BPF_TAX = 0x00;
export const BPF_TXA = 0x80;

/** Number of scratch memory words (M[0] … M[15]). */
export const BPF_MEMWORDS = 16;
/** Largest program the Linux kernel accepts (BPF_MAXINSNS). */
export const BPF_MAXINSNS = 4096;

export const bpfClass = (code: number): number => code & 0x07;
export const bpfSize = (code: number): number => code & 0x18;
export const bpfMode = (code: number): number => code & 0xe0;
export const bpfOp = (code: number): number => code & 0xf0;
export const bpfSrc = (code: number): number => code & 0x08;
export const bpfRval = (code: number): number => code & 0x18;
export const bpfMiscOp = (code: number): number => code & 0xf8;
