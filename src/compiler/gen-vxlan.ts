/**
 * `vxlan [vni]` (our extension, as newer libpcap has it): VXLAN (RFC 7348) over UDP port 4789, IPv4
 * then IPv6, always carrying Ethernet; every later primitive looks inside the inner Ethernet frame. One
 * scratch word holds where the inner frame starts (see REGISTER_OFFSET in state.ts). The outer IP header may
 * itself be inside a tunnel: tunnels nest.
 */
import { BPF_ADD, BPF_ALU, BPF_AND, BPF_B, BPF_H, BPF_IMM, BPF_IND, BPF_JEQ, BPF_K, BPF_LD, BPF_MISC, BPF_ST, BPF_TXA, BPF_W } from '../bpf/opcodes.js';
import { and, andAll, basePlusIntoA, cmp, maskedCmp, or, stmt, test, type Cond } from './cond.js';
import { CompileError } from './errors.js';
import { EtherTypeValue, genLinkType } from './gen-link.js';
import { genNotFragment, ipv4HeaderLengthIntoX } from './gen-ip.js';
import { allocateRegister, decodeOffset, networkOffset, registerOffset, type CompileState } from './state.js';

/** The IANA UDP port of VXLAN. */
export const VXLAN_PORT = 4789;

/** `vxlan [vni]`; moves every later offset into the inner Ethernet frame. */
export function genVxlan(state: CompileState, vni: number | undefined): Cond {
  if (vni !== undefined && vni > 0xffffff) throw new CompileError(`VXLAN VNI ${vni} greater than maximum 16777215`);
  const nl = networkOffset(state);
  const header = ipv4HeaderLengthIntoX(state);
  const atUdp = (offset: number, size: 1 | 2 | 4) => [...header.stmts, stmt(BPF_LD | (size === 1 ? BPF_B : size === 2 ? BPF_H : BPF_W) | BPF_IND, header.k + offset)];
  // Over IPv4: UDP, not a later fragment, destination port 4789, the VNI (bytes 4..6 of the VXLAN header); A = IPv4 header
  // length (plus the run-time base of the network header when it is inside another tunnel).
  const overIpv4 = andAll(
    genLinkType(state, EtherTypeValue.IP), cmp(nl + 9, 1, 17), genNotFragment(state),
    test(atUdp(2, 2), BPF_JEQ, VXLAN_PORT),
    ...(vni === undefined ? [] : [test([...atUdp(12, 4), stmt(BPF_ALU | BPF_AND | BPF_K, 0xffffff00)], BPF_JEQ, (vni << 8) >>> 0)]),
    { kind: 'effect', stmts: [...header.stmts, stmt(BPF_MISC | BPF_TXA)] },
  );
  // Over IPv6 (UDP as the first next header): the same fields 40 bytes in; A = 40 (plus the run-time base).
  const overIpv6 = andAll(
    genLinkType(state, EtherTypeValue.IPV6), cmp(nl + 6, 1, 17), cmp(nl + 42, 2, VXLAN_PORT),
    ...(vni === undefined ? [] : [maskedCmp(nl + 52, 4, (vni << 8) >>> 0, 0xffffff00)]),
    { kind: 'effect', stmts: basePlusIntoA(nl, 40) },
  );
  const frameRegister = allocateRegister(state);
  // The inner frame starts after the IP header, 8 bytes of UDP and 8 of VXLAN.
  const update: Cond = { kind: 'effect', stmts: [stmt(BPF_ALU | BPF_ADD | BPF_K, decodeOffset(nl).k + 16), stmt(BPF_ST, frameRegister)], pinned: true };
  state.offLinkHeader = registerOffset(frameRegister, 0);
  state.offLinkType = registerOffset(frameRegister, 12);
  state.offLinkPayload = registerOffset(frameRegister, 14);
  state.offNl = 0;
  state.offNlNoSnap = 3;
  state.family = 'ether';
  // The inner frame is Ethernet whatever carried it, and a tunnel resets what was moved outside it (labels, PPPoE).
  state.afterGeneve = false;
  state.vlanDepth = 0;
  state.labelDepth = 0;
  state.inPppoe = false;
  return and(or(overIpv4, overIpv6), update);
}
