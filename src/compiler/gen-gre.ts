/**
 * `gre [key]` (our extension): GRE (RFC 2784, version 0, with the RFC 2890 key and sequence number) over
 * IPv4 (protocol 47, not a later fragment) or IPv6 (next header 47); with a key, the K bit must be set and
 * the key equal. The outer IP header may itself be inside a tunnel (its offset a run-time value): tunnels nest. The header length follows the C, K and S bits at run time. Every later primitive looks
 * inside: for protocol 0x6558 (transparent Ethernet bridging) the inner Ethernet frame, otherwise the
 * protocol type stands in for the EtherType and the payload is the network layer, as after `geneve`.
 */
import type { RawInstruction } from '../bpf/opcodes.js';
import {
  BPF_ADD, BPF_ALU, BPF_AND, BPF_B, BPF_H, BPF_IND, BPF_JEQ, BPF_JSET, BPF_K, BPF_LD, BPF_LDX, BPF_MEM, BPF_MISC, BPF_RSH, BPF_ST, BPF_TAX, BPF_TXA, BPF_W, BPF_X,
} from '../bpf/opcodes.js';
import { and, andAll, baseIntoX, basePlusIntoA, cmp, or, stmt, test, type Cond } from './cond.js';
import { CompileError } from './errors.js';
import { protocolTypedPayload } from './gen-tunnel-payload.js';
import { EtherTypeValue, genLinkType } from './gen-link.js';
import { genNotFragment, ipv4HeaderLengthIntoX } from './gen-ip.js';
import { allocateRegister, networkOffset, releaseRegister, type CompileState } from './state.js';

/** GRE flag bits of its first byte. */
const GRE_CHECKSUM = 0x80;
const GRE_KEY = 0x20;
const GRE_SEQUENCE = 0x10;

const insn = (code: number, k = 0): RawInstruction => stmt(code, k);

/** `gre [key]`; moves every later offset into the GRE payload. */
export function genGre(state: CompileState, key: number | undefined): Cond {
  if (key !== undefined && key > 0xffffffff) throw new CompileError(`GRE key ${key} greater than maximum 4294967295`);
  const nl = networkOffset(state);
  const header = ipv4HeaderLengthIntoX(state);
  // Statements leaving X = where the GRE header starts, as an offset from `base` (IPv4: after its header; IPv6: 40 bytes in).
  const greOverIpv4 = header.stmts;
  const keyTest = (xStmts: RawInstruction[], base: number): Cond[] => key === undefined ? [] : [
    test([...xStmts, insn(BPF_LD | BPF_B | BPF_IND, base)], BPF_JSET, GRE_KEY),
    // The key follows the 4-byte base header and, when C is set, 4 bytes of checksum: X += (byte0 & 0x80) >> 5.
    test([...xStmts, insn(BPF_LD | BPF_B | BPF_IND, base), insn(BPF_ALU | BPF_AND | BPF_K, GRE_CHECKSUM), insn(BPF_ALU | BPF_RSH | BPF_K, 5),
      insn(BPF_ALU | BPF_ADD | BPF_X), insn(BPF_MISC | BPF_TAX), insn(BPF_LD | BPF_W | BPF_IND, base + 4)], BPF_JEQ, key),
  ];
  const overIpv4 = andAll(
    genLinkType(state, EtherTypeValue.IP), cmp(nl + 9, 1, 47), genNotFragment(state),
    test([...greOverIpv4, insn(BPF_LD | BPF_B | BPF_IND, header.k + 1), insn(BPF_ALU | BPF_AND | BPF_K, 0x07)], BPF_JEQ, 0),
    ...keyTest(greOverIpv4, header.k),
    // A = where GRE starts (absolute).
    { kind: 'effect', stmts: [...greOverIpv4, insn(BPF_MISC | BPF_TXA), insn(BPF_ALU | BPF_ADD | BPF_K, header.k)] },
  );
  // Over IPv6, X holds the run-time base of the network header (zero when it is at a constant offset; inside a tunnel, its scratch word).
  const ipv6Base = baseIntoX(nl);
  const overIpv6 = andAll(
    genLinkType(state, EtherTypeValue.IPV6), cmp(nl + 6, 1, 47),
    test([...ipv6Base.stmts, insn(BPF_LD | BPF_B | BPF_IND, ipv6Base.k + 41), insn(BPF_ALU | BPF_AND | BPF_K, 0x07)], BPF_JEQ, 0),
    ...keyTest(ipv6Base.stmts, ipv6Base.k + 40),
    { kind: 'effect', stmts: basePlusIntoA(nl, ipv6Base.k + 40) },
  );
  const typeRegister = allocateRegister(state);
  const headerRegister = allocateRegister(state);
  const payloadRegister = allocateRegister(state);
  const start = allocateRegister(state);
  const sum = allocateRegister(state);
  releaseRegister(state);
  releaseRegister(state);
  // A = GRE start: header length = 4 + 4 for each of C, K and S; the protocol type 2 bytes in.
  const bit = (mask: number, shift: number): RawInstruction[] => [insn(BPF_LDX | BPF_MEM, start), insn(BPF_LD | BPF_B | BPF_IND, 0), insn(BPF_ALU | BPF_AND | BPF_K, mask), insn(BPF_ALU | BPF_RSH | BPF_K, shift)];
  const offsets = [
    insn(BPF_ST, start), insn(BPF_ALU | BPF_ADD | BPF_K, 2), insn(BPF_ST, typeRegister),
    ...bit(GRE_CHECKSUM, 5), insn(BPF_ST, sum),
    ...bit(GRE_KEY, 3), insn(BPF_LDX | BPF_MEM, sum), insn(BPF_ALU | BPF_ADD | BPF_X), insn(BPF_ST, sum),
    ...bit(GRE_SEQUENCE, 2), insn(BPF_LDX | BPF_MEM, sum), insn(BPF_ALU | BPF_ADD | BPF_X),
    insn(BPF_ALU | BPF_ADD | BPF_K, 4), insn(BPF_LDX | BPF_MEM, start), insn(BPF_ALU | BPF_ADD | BPF_X), insn(BPF_ST, headerRegister),
    insn(BPF_LD | BPF_H | BPF_IND, 2), insn(BPF_LDX | BPF_MEM, headerRegister),
  ];
  const update = protocolTypedPayload(state, offsets, { type: typeRegister, header: headerRegister, payload: payloadRegister });
  // 802.2 frames inside (in an Ethernet payload) carry their network layer after DSAP, SSAP and control, as on Ethernet.
  state.offNlNoSnap = 3;
  // A tunnel inside resets what the one outside had moved (labels, PPPoE); the new offsets start here.
  state.vlanDepth = 0;
  state.labelDepth = 0;
  state.inPppoe = false;
  return and(or(overIpv4, overIpv6), update);
}
