/**
 * Arithmetic and relations: `proto[offset:size]`, `len`, constants and the ten operators, computed into A
 * with scratch memory for right operands, and `arith relop arith` as one test. Protocol guards follow
 * libpcap 1.10: a load is guarded by its protocol (and IPv4, not-a-fragment for transport headers), a
 * binary operation keeps only its left operand's guards, and a relation ANDs both sides' guards before
 * the comparison. libpcap's compile-time refusals (division or modulus by a literal zero, shift by more
 * than 31) are checked on the same operand libpcap checks: the first statement of the right operand.
 */
import type { RawInstruction } from '../bpf/opcodes.js';
import {
  BPF_ABS, BPF_ADD, BPF_ALU, BPF_AND, BPF_B, BPF_DIV, BPF_IMM, BPF_IND, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_K, BPF_LD, BPF_LDX,
  BPF_LEN, BPF_LSH, BPF_MEM, BPF_MISC, BPF_MOD, BPF_MSH, BPF_MUL, BPF_NEG, BPF_OR, BPF_RSH, BPF_ST, BPF_SUB, BPF_TAX, BPF_W, BPF_X, BPF_XOR,
} from '../bpf/opcodes.js';
import type { Arith, ArithOp, RelOp } from '../filter/ast.js';
import { CompileError } from './errors.js';
import { and, cmp, not, sizeCode, stmt, type Cond, type JumpOp } from './cond.js';
import { EtherTypeValue, genLinkType } from './gen-link.js';
import { genNotFragment, ipv4HeaderLengthIntoX } from './gen-ip.js';
import { genProtoAbbreviation } from './gen-transport.js';
import { allocateRegister, decodeOffset, networkOffset, releaseRegister, type CompileState } from './state.js';

/** Code that leaves a value in A, and the protocol checks that must pass before it runs. */
export interface ArithCode { stmts: RawInstruction[]; guard: Cond | undefined }

const ALU_OPS: Record<ArithOp, number> = {
  '+': BPF_ADD, '-': BPF_SUB, '*': BPF_MUL, '/': BPF_DIV, '%': BPF_MOD, '&': BPF_AND, '|': BPF_OR, '^': BPF_XOR, '<<': BPF_LSH, '>>': BPF_RSH,
};

/** The constant libpcap's first statement for `a` would load (`ld #k`), if any. */
function leadingConstant(a: Arith): number | undefined {
  switch (a.kind) {
    case 'number': return a.value >>> 0;
    case 'negate': return leadingConstant(a.operand);
    case 'binary': return leadingConstant(a.left);
    case 'load': return leadingConstant(a.offset);
    case 'len': return undefined;
  }
}

function andGuards(left: Cond | undefined, right: Cond | undefined): Cond | undefined {
  if (left && right) return and(left, right);
  return left ?? right;
}

const LINK_PROTOS = new Set(['ether', 'link', 'ppp', 'slip', 'fddi', 'tr', 'wlan']);
const NETWORK_PROTOS = new Set(['ip', 'arp', 'rarp', 'atalk', 'decnet', 'sca', 'lat', 'moprc', 'mopdl', 'ip6']);
const TRANSPORT_PROTOS = new Set(['tcp', 'udp', 'sctp', 'icmp', 'igmp', 'igrp', 'pim', 'vrrp', 'carp']);

/** Loads `size` bytes at `base + index`: absolute when the index is a literal, else through X (plus the run-time base after `geneve`). */
function loadAt(base: number, index: ArithCode, literal: number | undefined, size: 1 | 2 | 4): RawInstruction[] {
  const code = sizeCode(size);
  const { register, k } = decodeOffset(base);
  if (literal !== undefined && k + literal <= 0xffffffff) {
    return register === undefined ? [stmt(BPF_LD | BPF_ABS | code, k + literal)] : [stmt(BPF_LDX | BPF_MEM, register), stmt(BPF_LD | BPF_IND | code, k + literal)];
  }
  if (register === undefined) return [...index.stmts, stmt(BPF_MISC | BPF_TAX), stmt(BPF_LD | BPF_IND | code, k)];
  return [...index.stmts, stmt(BPF_LDX | BPF_MEM, register), stmt(BPF_ALU | BPF_ADD | BPF_X), stmt(BPF_MISC | BPF_TAX), stmt(BPF_LD | BPF_IND | code, k)];
}

function genLoad(state: CompileState, a: Extract<Arith, { kind: 'load' }>): ArithCode {
  const index = genArith(state, a.offset);
  const literal = a.offset.kind === 'number' ? a.offset.value >>> 0 : undefined;
  if (LINK_PROTOS.has(a.proto)) {
    return { stmts: loadAt(state.offLinkHeader, index, literal, a.size), guard: index.guard };
  }
  if (NETWORK_PROTOS.has(a.proto)) {
    const guard = andGuards(index.guard, genProtoAbbreviation(state, a.proto));
    return { stmts: loadAt(networkOffset(state), index, literal, a.size), guard };
  }
  if (TRANSPORT_PROTOS.has(a.proto)) {
    const own = and(genProtoAbbreviation(state, a.proto), genNotFragment(state));
    const guard = and(genLinkType(state, EtherTypeValue.IP), index.guard ? and(index.guard, own) : own);
    const header = ipv4HeaderLengthIntoX(state);
    const code = sizeCode(a.size);
    let stmts: RawInstruction[];
    if (literal !== undefined && header.k + literal <= 0xffffffff) {
      stmts = [...header.stmts, stmt(BPF_LD | BPF_IND | code, header.k + literal)];
    } else if (header.stmts.length === 1) {
      stmts = [...index.stmts, ...header.stmts, stmt(BPF_ALU | BPF_ADD | BPF_X), stmt(BPF_MISC | BPF_TAX), stmt(BPF_LD | BPF_IND | code, header.k)];
    } else {
      // The header length computation needs A: keep the index in a scratch word meanwhile.
      const register = allocateRegister(state);
      releaseRegister(state);
      stmts = [...index.stmts, stmt(BPF_ST, register), ...header.stmts, stmt(BPF_LD | BPF_MEM, register), stmt(BPF_ALU | BPF_ADD | BPF_X), stmt(BPF_MISC | BPF_TAX), stmt(BPF_LD | BPF_IND | code, header.k)];
    }
    return { stmts, guard };
  }
  if (a.proto === 'icmp6') {
    const nl = networkOffset(state);
    const own = and(genLinkType(state, EtherTypeValue.IPV6), cmp(nl + 6, 1, 58));
    return { stmts: loadAt(nl + 40, index, literal, a.size), guard: andGuards(index.guard, own) };
  }
  throw new CompileError('unsupported index operation');
}

/** Code computing `a` into A (X and scratch memory may be clobbered). */
export function genArith(state: CompileState, a: Arith): ArithCode {
  switch (a.kind) {
    case 'number': return { stmts: [stmt(BPF_LD | BPF_IMM, a.value)], guard: undefined };
    case 'len': return { stmts: [stmt(BPF_LD | BPF_W | BPF_LEN)], guard: undefined };
    case 'load': return genLoad(state, a);
    case 'negate': {
      const operand = genArith(state, a.operand);
      return { stmts: [...operand.stmts, stmt(BPF_ALU | BPF_NEG)], guard: operand.guard };
    }
    case 'binary': {
      const first = leadingConstant(a.right);
      if (a.op === '/' && first === 0) throw new CompileError('division by zero');
      if (a.op === '%' && first === 0) throw new CompileError('modulus by zero');
      if ((a.op === '<<' || a.op === '>>') && first !== undefined && first > 31) throw new CompileError('shift by more than 31 bits');
      const op = ALU_OPS[a.op];
      if (a.right.kind === 'number') {
        const left = genArith(state, a.left);
        return { stmts: [...left.stmts, stmt(BPF_ALU | op | BPF_K, a.right.value)], guard: left.guard };
      }
      const right = genArith(state, a.right);
      const register = allocateRegister(state);
      const left = genArith(state, a.left);
      releaseRegister(state);
      const stmts = [...right.stmts, stmt(BPF_ST, register), ...left.stmts, stmt(BPF_LDX | BPF_MEM, register), stmt(BPF_ALU | op | BPF_X)];
      return { stmts, guard: left.guard };
    }
  }
}

/** `left relop right`: the guards of both sides, then one comparison. */
export function genRelation(state: CompileState, op: RelOp, leftArith: Arith, rightArith: Arith): Cond {
  const [jump, negated]: [JumpOp, boolean] =
    op === '>' ? [BPF_JGT, false] : op === '>=' ? [BPF_JGE, false] : op === '<' ? [BPF_JGE, true]
    : op === '<=' ? [BPF_JGT, true] : op === '!=' ? [BPF_JEQ, true] : [BPF_JEQ, false];
  let comparison: Cond;
  let guard: Cond | undefined;
  if (rightArith.kind === 'number') {
    const left = genArith(state, leftArith);
    guard = left.guard;
    comparison = { kind: 'test', stmts: left.stmts, op: jump, src: BPF_K, k: rightArith.value >>> 0, relation: true };
  } else {
    const right = genArith(state, rightArith);
    const register = allocateRegister(state);
    const left = genArith(state, leftArith);
    releaseRegister(state);
    guard = andGuards(left.guard, right.guard);
    comparison = { kind: 'test', stmts: [...right.stmts, stmt(BPF_ST, register), ...left.stmts, stmt(BPF_LDX | BPF_MEM, register)], op: jump, src: BPF_X, k: 0, relation: true };
  }
  if (negated) comparison = not(comparison);
  return guard ? and(guard, comparison) : comparison;
}
