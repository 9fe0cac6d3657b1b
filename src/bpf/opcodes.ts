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

/** The instruction class of an opcode (BPF_CLASS: BPF_LD … BPF_MISC). */
export const bpfClass = (code: number): number => code & 0x07;
/** The load size field of an opcode (BPF_SIZE: BPF_W, BPF_H, BPF_B). */
export const bpfSize = (code: number): number => code & 0x18;
/** The load mode field of an opcode (BPF_MODE: BPF_IMM … BPF_MSH). */
export const bpfMode = (code: number): number => code & 0xe0;
/** The ALU operation or jump test field of an opcode (BPF_OP). */
export const bpfOp = (code: number): number => code & 0xf0;
/** The operand source of an opcode (BPF_SRC: BPF_K or BPF_X). */
export const bpfSrc = (code: number): number => code & 0x08;
/** The return value source of a RET opcode (BPF_RVAL: BPF_K, BPF_A). */
export const bpfRval = (code: number): number => code & 0x18;
/** The MISC operation of an opcode (BPF_MISCOP: BPF_TAX or BPF_TXA). */
export const bpfMiscOp = (code: number): number => code & 0xf8;

/** Linux's SKF_AD_OFF (-0x1000 as a 32-bit unsigned k): absolute loads from here on are ancillary data. */
export const SKF_AD_OFF = 0xfffff000;
