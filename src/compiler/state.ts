/**
 * The compiler's mutable offset state, as libpcap keeps it: where the link-layer type field, the link
 * payload and the network layer start. `vlan`, `mpls` and `pppoes` move these for every primitive
 * after them in the source text (across `or` too), so primitives are lowered strictly left to right.
 */
import { BPF_MEMWORDS } from '../bpf/opcodes.js';
import { LinkType, linkTypeName } from '../capture/linktype.js';
import { CompileError } from './errors.js';

/** How the link-layer type field is tested: libpcap's per-DLT gen_linktype families. */
export type LinkFamily = 'ether' | 'sll' | 'sll2' | 'null' | 'loop' | 'raw' | 'ipv4' | 'ipv6' | 'ppp';

/** Offsets and counters that the encapsulation primitives change. */
export interface CompileState {
  /** The capture's link type (LINKTYPE_*). */
  readonly linkType: number;
  /** The current link family (becomes `ppp` after `pppoes`). */
  family: LinkFamily;
  /** Offset of the link-layer header (`ether[0]`). */
  offLinkHeader: number;
  /** Offset of the link-layer type field, or -1 when the link has none. */
  offLinkType: number;
  /** Offset of the link-layer payload. */
  offLinkPayload: number;
  /** Offset of the network layer from the link payload (MPLS labels add to it). */
  offNl: number;
  /** The same for 802.2 LLC frames without SNAP. */
  offNlNoSnap: number;
  /** Number of `vlan` primitives seen so far. */
  vlanDepth: number;
  /** Number of `mpls` primitives seen so far. */
  labelDepth: number;
  /** True after `pppoes`. */
  inPppoe: boolean;
  /** Next free scratch memory word. */
  nextRegister: number;
  /** True after `geneve`, whose payload may have no link-layer header (link-level primitives are refused after it). */
  afterGeneve?: boolean;
  /** True once `protochain` was lowered (libpcap then skips its optimizer, so never says "rejects all packets"). */
  hasProtochain?: boolean;
  /** True once `geneve` was lowered (libpcap 1.10 leaves such programs unoptimized too: `pppoes and geneve` on RAW is not refused). */
  hasGeneve?: boolean;
}

/** libpcap's description of a link type, as its error messages print it. */
export function linkTypeDescription(linkType: number): string {
  switch (linkType) {
    case LinkType.NULL: return 'BSD loopback';
    case LinkType.EN10MB: return 'Ethernet';
    case LinkType.RAW: return 'Raw IP';
    case LinkType.LOOP: return 'OpenBSD loopback';
    case LinkType.LINUX_SLL: return 'Linux cooked v1';
    case LinkType.IPV4: return 'Raw IPv4';
    case LinkType.IPV6: return 'Raw IPv6';
    case LinkType.LINUX_SLL2: return 'Linux cooked v2';
    default: return linkTypeName(linkType);
  }
}

/** The initial state for a link type; throws CompileError for link types the compiler does not know. */
export function initialState(linkType: number): CompileState {
  switch (linkType) {
    case LinkType.EN10MB: return linkState(linkType, 'ether', 12, 14, 3);
    case LinkType.LINUX_SLL: return linkState(linkType, 'sll', 14, 16);
    case LinkType.LINUX_SLL2: return linkState(linkType, 'sll2', 0, 20);
    case LinkType.NULL: return linkState(linkType, 'null', 0, 4);
    case LinkType.LOOP: return linkState(linkType, 'loop', 0, 4);
    // LINKTYPE_RAW, and the DLT_RAW values (12, 14) that pcap_open_dead and BSDs use for it.
    case LinkType.RAW: case 12: case 14: return linkState(linkType, 'raw', -1, 0);
    case LinkType.IPV4: return linkState(linkType, 'ipv4', -1, 0);
    case LinkType.IPV6: return linkState(linkType, 'ipv6', -1, 0);
    default: throw new CompileError(`unsupported link type ${linkTypeName(linkType)} (${linkType})`);
  }
}

/** A fresh state with nothing lowered yet (one object literal: spreading a shared base costs microseconds per call in V8). */
function linkState(linkType: number, family: LinkFamily, offLinkType: number, offLinkPayload: number, offNlNoSnap = 0): CompileState {
  return { linkType, offLinkHeader: 0, offNl: 0, offNlNoSnap, vlanDepth: 0, labelDepth: 0, inPppoe: false, nextRegister: 0, family, offLinkType, offLinkPayload };
}

/**
 * Offsets after `geneve` are relative to a value computed at run time and kept in a scratch word. Such an
 * offset is encoded in one number: REGISTER_OFFSET * (register + 1) + k (k < 2^32), so that `offset + n`
 * keeps working; `decodeOffset` splits it, and the load helpers of cond.ts emit `ldx M[r]; ld [x + k]`.
 */
export const REGISTER_OFFSET = 2 ** 36;

/** An offset `k` bytes after the run-time value in scratch word `register`. */
export function registerOffset(register: number, k: number): number {
  return REGISTER_OFFSET * (register + 1) + k;
}

/**
 * How far below its run-time value a register-relative offset may point (`mpls` after `geneve` reads the
 * label before the payload, `[x + -2]` as libpcap emits it); absolute offsets stay below 2^32.
 */
const NEGATIVE_ROOM = 2 ** 32;

/** Splits an offset into its scratch word (undefined for an absolute offset) and its constant part (which may be negative). */
export function decodeOffset(offset: number): { register: number | undefined; k: number } {
  if (offset < REGISTER_OFFSET - NEGATIVE_ROOM) return { register: undefined, k: offset };
  const register = Math.floor((offset + NEGATIVE_ROOM) / REGISTER_OFFSET) - 1;
  return { register, k: offset - REGISTER_OFFSET * (register + 1) };
}

/** True once offsets are relative to run-time values (after a tunnel). */
export const hasVariableOffsets = (state: CompileState): boolean => state.offLinkPayload >= REGISTER_OFFSET - NEGATIVE_ROOM;

/** Absolute (or register-relative, see REGISTER_OFFSET) offset of the network-layer header. */
export const networkOffset = (state: CompileState): number => state.offLinkPayload + state.offNl;

/** Allocates a scratch memory word, with libpcap's message when all 16 are taken. */
export function allocateRegister(state: CompileState): number {
  if (state.nextRegister >= BPF_MEMWORDS) throw new CompileError('too many registers needed to evaluate expression');
  return state.nextRegister++;
}

/** Releases the most recently allocated scratch word. */
export function releaseRegister(state: CompileState): void {
  state.nextRegister--;
}
