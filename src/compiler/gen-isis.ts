/**
 * IS-IS and OSI code generation: the PDU-type keywords `l1`, `l2`, `iih`, `lsp`, `snp`, `csnp`, `psnp`,
 * `isis proto N` (ISO 10589 PDU type) and `iso proto \NAME` (an OSI network-layer protocol by name).
 *
 * IS-IS rides in 802.2 LLC with SAP 0xfe (ISO network layer): after the LLC header comes the common
 * IS-IS header, NLPID 0x83 at byte 0, PDU type at byte 4 (low 5 bits; libpcap compares the whole byte).
 * Both are read at libpcap's "network layer without SNAP" offset, as `iso`, `isis` and `clnp` are.
 */
import type { QualifiedPrimitive } from '../filter/ast.js';
import { lookupOsiProtocol } from '../filter/index.js';
import { CompileError } from './errors.js';
import { and, cmp, orAll, type Cond } from './cond.js';
import { LlcSap, genLinkType } from './gen-link.js';
import type { CompileState } from './state.js';

/** ISO 9577 network-layer protocol identifier of IS-IS. */
const ISIS_NLPID = 0x83;

/** IS-IS PDU types (ISO 10589 section 9, RFC 5120 and friends). */
export const IsisPduType = {
  L1_IIH: 15, L2_IIH: 16, PTP_IIH: 17, L1_LSP: 18, L2_LSP: 20, L1_CSNP: 24, L2_CSNP: 25, L1_PSNP: 26, L2_PSNP: 27,
} as const;

/** The PDU types each keyword selects, in the order libpcap tests them. */
const pduTypesOf: Readonly<Record<string, readonly number[]>> = {
  l1: [IsisPduType.L1_PSNP, IsisPduType.L1_CSNP, IsisPduType.L1_LSP, IsisPduType.L1_IIH, IsisPduType.PTP_IIH],
  l2: [IsisPduType.L2_PSNP, IsisPduType.L2_CSNP, IsisPduType.L2_LSP, IsisPduType.L2_IIH, IsisPduType.PTP_IIH],
  iih: [IsisPduType.PTP_IIH, IsisPduType.L1_IIH, IsisPduType.L2_IIH],
  lsp: [IsisPduType.L1_LSP, IsisPduType.L2_LSP],
  snp: [IsisPduType.L2_PSNP, IsisPduType.L1_PSNP, IsisPduType.L1_CSNP, IsisPduType.L2_CSNP],
  csnp: [IsisPduType.L1_CSNP, IsisPduType.L2_CSNP],
  psnp: [IsisPduType.L1_PSNP, IsisPduType.L2_PSNP],
};

/** True for the protocol keywords that stand for groups of IS-IS PDU types. */
export function isIsisPduKeyword(proto: string): boolean {
  return Object.hasOwn(pduTypesOf, proto);
}

/** An ISO network-layer packet (LLC SAP 0xfe) whose NLPID is `nlpid` (libpcap's gen_proto with Q_ISO). */
export function genOsiProto(state: CompileState, nlpid: number): Cond {
  return and(genLinkType(state, LlcSap.ISONS), cmp(state.offLinkPayload + state.offNlNoSnap, 1, nlpid));
}

/** `isis proto N`: an IS-IS PDU whose type byte is N (compared as a 32-bit value, so N > 255 never matches). */
export function genIsisPduType(state: CompileState, pduType: number): Cond {
  return and(genOsiProto(state, ISIS_NLPID), cmp(state.offLinkPayload + state.offNlNoSnap + 4, 1, pduType));
}

/** `l1`, `l2`, `iih`, `lsp`, `snp`, `csnp`, `psnp`: any of the keyword's PDU types. */
export function genIsisPduKeyword(state: CompileState, proto: string): Cond {
  const types = pduTypesOf[proto];
  if (!types) throw new CompileError(`'${proto}' is not an IS-IS PDU keyword`);
  return orAll(...types.map((type) => genIsisPduType(state, type)));
}

/** `isis proto N` and `iso proto NAME|N`; undefined for the other qualified primitives. */
export function genIsoQualified(state: CompileState, q: QualifiedPrimitive): Cond | undefined {
  if (q.type !== 'proto') return undefined;
  const id = q.id;
  if (q.proto === 'isis' && id.kind === 'number') return genIsisPduType(state, id.value);
  if (q.proto === 'iso' && id.kind === 'name') {
    const nlpid = lookupOsiProtocol(id.name);
    if (nlpid === undefined) throw new CompileError(`unknown osi proto '${id.name}'`);
    return genOsiProto(state, nlpid);
  }
  return undefined;
}
