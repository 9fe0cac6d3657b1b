/**
 * The run-time offsets after a tunnel that names its payload by a protocol type (Geneve, GRE): the
 * protocol type stands in for the EtherType; for an Ethernet payload (0x6558, transparent Ethernet
 * bridging) the inner Ethernet header's type field and payload take over. Three scratch words hold them.
 */
import { BPF_ADD, BPF_ALU, BPF_JEQ, BPF_K, BPF_MISC, BPF_ST, BPF_STX, BPF_TAX, BPF_TXA, type RawInstruction } from '../bpf/opcodes.js';
import { and, or, stmt, type Cond } from './cond.js';
import { registerOffset, type CompileState } from './state.js';

/** The protocol type of an Ethernet payload (transparent Ethernet bridging). */
export const TRANSPARENT_ETHERNET = 0x6558;

/** The scratch words a protocol-typed tunnel's offsets live in. */
export interface TunnelPayloadRegisters { type: number; header: number; payload: number }

/**
 * Points every later offset at the tunnel's payload. `headerOffsets` must store the type field's offset in
 * `registers.type` and the header's in `registers.header`, and end with the protocol type in A and the
 * payload's offset in X.
 */
export function protocolTypedPayload(state: CompileState, headerOffsets: RawInstruction[], registers: TunnelPayloadRegisters): Cond {
  // An Ethernet payload: its type field 12 bytes in, its payload 14 bytes in.
  const innerEthernet = [
    stmt(BPF_MISC | BPF_TXA), stmt(BPF_ALU | BPF_ADD | BPF_K, 12), stmt(BPF_ST, registers.type), stmt(BPF_ALU | BPF_ADD | BPF_K, 2), stmt(BPF_MISC | BPF_TAX),
    stmt(BPF_STX, registers.payload),
  ];
  // Pinned: libpcap keeps these loads even when nothing reads the offsets (on a short packet they fault).
  const update = or(
    and({ kind: 'test', stmts: headerOffsets, op: BPF_JEQ, src: BPF_K, k: TRANSPARENT_ETHERNET, pinned: true }, { kind: 'effect', stmts: innerEthernet, pinned: true }),
    { kind: 'effect', stmts: [stmt(BPF_STX, registers.payload)], pinned: true },
  );
  state.offLinkType = registerOffset(registers.type, 0);
  state.offLinkHeader = registerOffset(registers.header, 0);
  state.offLinkPayload = registerOffset(registers.payload, 0);
  state.offNl = 0;
  state.offNlNoSnap = 0;
  // Whatever the outer link type, the link-layer type is now an EtherType (the protocol type or the inner Ethernet's).
  state.family = 'ether';
  state.afterGeneve = true;
  return update;
}
