/**
 * `geneve [vni]` (RFC 8926 over UDP port 6081, IPv4 then IPv6, as libpcap 1.10 tests it), and the
 * run-time offsets every later primitive uses: the Geneve protocol type stands in for the EtherType,
 * and for a Geneve payload of Ethernet (0x6558) the inner Ethernet header's type and payload. The three
 * offsets live in scratch words for the rest of the program (see REGISTER_OFFSET in state.ts).
 */
import {
  BPF_ADD, BPF_ALU, BPF_AND, BPF_B, BPF_H, BPF_IND, BPF_JEQ, BPF_K, BPF_LD, BPF_LDX, BPF_MEM, BPF_MISC, BPF_MUL, BPF_ST, BPF_TAX, BPF_TXA, BPF_W, BPF_X,
} from '../bpf/opcodes.js';
import { and, andAll, basePlusIntoA, cmp, maskedCmp, or, stmt, test, type Cond } from './cond.js';
import { CompileError } from './errors.js';
import { protocolTypedPayload } from './gen-tunnel-payload.js';
import { EtherTypeValue, genLinkType } from './gen-link.js';
import { genNotFragment, ipv4HeaderLengthIntoX } from './gen-ip.js';
import { allocateRegister, decodeOffset, networkOffset, type CompileState } from './state.js';

/** The IANA UDP port of Geneve. */
export const GENEVE_PORT = 6081;

/** `geneve [vni]`; moves every later offset into the Geneve payload. */
export function genGeneve(state: CompileState, vni: number | undefined): Cond {
  if (vni !== undefined && vni > 0xffffff) throw new CompileError(`Geneve VNI ${vni} greater than maximum 16777215`);
  const nl = networkOffset(state);
  const header = ipv4HeaderLengthIntoX(state);
  const atUdp = (offset: number, size: 1 | 2 | 4) => [...header.stmts, stmt(BPF_LD | (size === 1 ? BPF_B : size === 2 ? BPF_H : BPF_W) | BPF_IND, header.k + offset)];
  // Over IPv4: UDP, not a later fragment, destination port 6081, Geneve version 0, the VNI; A = IPv4 header length.
  const overIpv4 = andAll(
    genLinkType(state, EtherTypeValue.IP), cmp(nl + 9, 1, 17), genNotFragment(state),
    test(atUdp(2, 2), BPF_JEQ, GENEVE_PORT),
    test([...atUdp(8, 1), stmt(BPF_ALU | BPF_AND | BPF_K, 0xc0)], BPF_JEQ, 0),
    ...(vni === undefined ? [] : [test([...atUdp(12, 4), stmt(BPF_ALU | BPF_AND | BPF_K, 0xffffff00)], BPF_JEQ, (vni << 8) >>> 0)]),
    { kind: 'effect', stmts: [...header.stmts, stmt(BPF_MISC | BPF_TXA)] },
  );
  // Over IPv6 (UDP as the first next header): the same fields 40 bytes in; A = 40.
  const overIpv6 = andAll(
    genLinkType(state, EtherTypeValue.IPV6), cmp(nl + 6, 1, 17), cmp(nl + 42, 2, GENEVE_PORT), maskedCmp(nl + 48, 1, 0, 0xc0),
    ...(vni === undefined ? [] : [maskedCmp(nl + 52, 4, (vni << 8) >>> 0, 0xffffff00)]),
    { kind: 'effect', stmts: basePlusIntoA(nl, 40) },
  );
  const typeRegister = allocateRegister(state);
  const headerRegister = allocateRegister(state);
  const payloadRegister = allocateRegister(state);
  // A = IP header length (plus the run-time base inside another tunnel): the Geneve header starts at nl + A + 8; its protocol type 2 bytes in, its
  // payload after 8 bytes and the options (length in 4-byte words in the low 6 bits of byte 0).
  const offsets = [
    stmt(BPF_ALU | BPF_ADD | BPF_K, decodeOffset(nl).k + 8), stmt(BPF_MISC | BPF_TAX), stmt(BPF_ALU | BPF_ADD | BPF_K, 2), stmt(BPF_ST, typeRegister),
    stmt(BPF_LD | BPF_B | BPF_IND, 0), stmt(BPF_ALU | BPF_AND | BPF_K, 0x3f), stmt(BPF_ALU | BPF_MUL | BPF_K, 4), stmt(BPF_ALU | BPF_ADD | BPF_K, 8),
    stmt(BPF_ALU | BPF_ADD | BPF_X), stmt(BPF_ST, headerRegister), stmt(BPF_LD | BPF_H | BPF_IND, 2), stmt(BPF_LDX | BPF_MEM, headerRegister),
  ];
  // libpcap 1.10 leaves its "network layer without SNAP" offset as it was outside (3 on Ethernet, 0 elsewhere).
  const outerNoSnap = state.offNlNoSnap;
  const update = protocolTypedPayload(state, offsets, { type: typeRegister, header: headerRegister, payload: payloadRegister });
  state.offNlNoSnap = outerNoSnap;
  state.hasGeneve = true;
  return and(or(overIpv4, overIpv6), update);
}
