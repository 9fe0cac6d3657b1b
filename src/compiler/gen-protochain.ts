/**
 * `[ip|ip6] protochain N`: walks the header chain after the IPv4 or IPv6 header in a loop (a backward
 * jump, as libpcap's code does; such a program runs in libpcap's bpf_filter and our engines, not in a
 * kernel) and tests whether protocol N is met. Semantics follow libpcap 1.10: IPv6 extension headers
 * 0, 43, 44 and 60 advance by (length + 1) * 8; AH (51) sets the offset to (length + 2) * 4 from the
 * network header (not added to the current offset, as libpcap computes it); 59 ends the chain.
 * After `gre` or `vxlan` the network header is at a run-time offset (a scratch word plus a constant): X
 * then holds that base plus the offset into the chain, and every load adds the constant. After `geneve`
 * it is refused with libpcap's message, as libpcap 1.10 refuses it ("variable length headers").
 */
import type { RawInstruction } from '../bpf/opcodes.js';
import {
  BPF_ABS, BPF_ADD, BPF_ALU, BPF_B, BPF_IMM, BPF_IND, BPF_JA, BPF_JEQ, BPF_JMP, BPF_K, BPF_LD, BPF_LDX, BPF_MEM, BPF_MISC, BPF_MSH,
  BPF_AND, BPF_MUL, BPF_ST, BPF_TAX, BPF_X,
} from '../bpf/opcodes.js';
import { and, or, type Cond } from './cond.js';
import { CompileError } from './errors.js';
import { EtherTypeValue, genLinkType } from './gen-link.js';
import { allocateRegister, decodeOffset, networkOffset, releaseRegister, type CompileState } from './state.js';

type Item = { insn: RawInstruction } | { label: string } | { jump: number; k: number; onTrue: string; onFalse: string } | { always: string };

/** Assembles items with labels into instructions with relative offsets (`end` is just past the last one). */
function assemble(items: Item[]): RawInstruction[] {
  const positions = new Map<string, number>();
  let count = 0;
  for (const item of items) {
    if ('label' in item) positions.set(item.label, count);
    else count++;
  }
  positions.set('end', count);
  const program: RawInstruction[] = [];
  for (const item of items) {
    if ('label' in item) continue;
    const at = program.length;
    const offset = (label: string): number => positions.get(label)! - at - 1;
    if ('insn' in item) program.push(item.insn);
    else if ('always' in item) program.push({ code: BPF_JMP | BPF_JA, jt: 0, jf: 0, k: offset(item.always) >>> 0 });
    else program.push({ code: BPF_JMP | item.jump | BPF_K, jt: offset(item.onTrue), jf: offset(item.onFalse), k: item.k });
  }
  return program;
}

const insn = (code: number, k = 0): Item => ({ insn: { code, jt: 0, jf: 0, k: k >>> 0 } });
const jeq = (k: number, onTrue: string, onFalse: string): Item => ({ jump: BPF_JEQ, k, onTrue, onFalse });

/**
 * The loop body that follows an AH header: next header from it, offset (length + 2) * 4 from the network
 * header; `base` is the scratch word holding the network header's run-time base (undefined when constant).
 */
function ahStep(k: number, scratch: number, base: number | undefined): Item[] {
  return [
    insn(BPF_LD | BPF_IND | BPF_B, k), insn(BPF_ST, scratch),
    insn(BPF_LD | BPF_IND | BPF_B, k + 1), insn(BPF_ALU | BPF_ADD | BPF_K, 2), insn(BPF_ALU | BPF_MUL | BPF_K, 4), insn(BPF_MISC | BPF_TAX),
    // X = base + (length + 2) * 4 when the network header is at a run-time offset.
    ...(base === undefined ? [] : [insn(BPF_LD | BPF_MEM, base), insn(BPF_ALU | BPF_ADD | BPF_X), insn(BPF_MISC | BPF_TAX)]),
    insn(BPF_LD | BPF_MEM, scratch), { always: 'loop' },
  ];
}

/** Refuses protochain once a `geneve` was lowered, with libpcap's message (its offsets are then variable). */
function refuseAfterGeneve(state: CompileState): void {
  if (state.hasGeneve) throw new CompileError("'protochain' not supported with variable length headers");
}

function ipv4Chain(state: CompileState, protocol: number): Cond {
  refuseAfterGeneve(state);
  const nl = networkOffset(state);
  const { register: base, k } = decodeOffset(nl);
  const scratch = allocateRegister(state);
  releaseRegister(state);
  // A = protocol, X = (base +) IPv4 header length.
  const start: Item[] = base === undefined
    ? [insn(BPF_LD | BPF_ABS | BPF_B, k + 9), insn(BPF_LDX | BPF_MSH | BPF_B, k)]
    : [
      insn(BPF_LDX | BPF_MEM, base), insn(BPF_LD | BPF_IND | BPF_B, k), insn(BPF_ALU | BPF_AND | BPF_K, 0x0f), insn(BPF_ALU | BPF_MUL | BPF_K, 4),
      insn(BPF_ALU | BPF_ADD | BPF_X), insn(BPF_ST, scratch), insn(BPF_LD | BPF_IND | BPF_B, k + 9), insn(BPF_LDX | BPF_MEM, scratch),
    ];
  const prelude = assemble([
    ...start,
    { label: 'loop' }, jeq(protocol, 'end', 'next'), { label: 'next' }, jeq(59, 'end', 'ah'), { label: 'ah' }, jeq(51, 'step', 'end'),
    { label: 'step' }, ...ahStep(k, scratch, base),
  ]);
  return and(genLinkType(state, EtherTypeValue.IP), { kind: 'test', stmts: [], op: BPF_JEQ, src: BPF_K, k: protocol, prelude, relation: true });
}

function ipv6Chain(state: CompileState, protocol: number): Cond {
  refuseAfterGeneve(state);
  const nl = networkOffset(state);
  const { register: base, k } = decodeOffset(nl);
  const scratch = allocateRegister(state);
  releaseRegister(state);
  // A = next header, X = (base +) 40.
  const start: Item[] = base === undefined
    ? [insn(BPF_LD | BPF_ABS | BPF_B, k + 6), insn(BPF_LDX | BPF_IMM, 40)]
    : [
      insn(BPF_LDX | BPF_MEM, base), insn(BPF_LD | BPF_IND | BPF_B, k + 6), insn(BPF_ST, scratch),
      insn(BPF_LD | BPF_MEM, base), insn(BPF_ALU | BPF_ADD | BPF_K, 40), insn(BPF_MISC | BPF_TAX), insn(BPF_LD | BPF_MEM, scratch),
    ];
  const prelude = assemble([
    ...start,
    { label: 'loop' }, jeq(protocol, 'end', 'n1'), { label: 'n1' }, jeq(59, 'end', 'n2'),
    { label: 'n2' }, jeq(0, 'ext', 'n3'), { label: 'n3' }, jeq(60, 'ext', 'n4'), { label: 'n4' }, jeq(43, 'ext', 'n5'), { label: 'n5' }, jeq(44, 'ext', 'n6'),
    { label: 'n6' }, jeq(51, 'ah', 'end'),
    { label: 'ext' },
    insn(BPF_LD | BPF_IND | BPF_B, k), insn(BPF_ST, scratch),
    insn(BPF_LD | BPF_IND | BPF_B, k + 1), insn(BPF_ALU | BPF_ADD | BPF_K, 1), insn(BPF_ALU | BPF_MUL | BPF_K, 8), insn(BPF_ALU | BPF_ADD | BPF_X), insn(BPF_MISC | BPF_TAX),
    insn(BPF_LD | BPF_MEM, scratch), { always: 'loop' },
    { label: 'ah' }, ...ahStep(k, scratch, base),
  ]);
  return and(genLinkType(state, EtherTypeValue.IPV6), { kind: 'test', stmts: [], op: BPF_JEQ, src: BPF_K, k: protocol, prelude, relation: true });
}

/** `[ip|ip6] protochain N` (IPv4 first when no qualifier, as libpcap orders them). */
export function genProtochain(state: CompileState, protocol: number, proto: string | undefined): Cond {
  state.hasProtochain = true;
  switch (proto) {
    case undefined: return or(ipv4Chain(state, protocol), ipv6Chain(state, protocol));
    case 'ip': return ipv4Chain(state, protocol);
    case 'ip6': return ipv6Chain(state, protocol);
    default: throw new CompileError('bad protocol applied for \'protochain\'');
  }
}
