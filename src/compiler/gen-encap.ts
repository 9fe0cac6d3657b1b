/**
 * Encapsulation primitives that move the offsets of everything after them: `vlan [id]`, `mpls [label]`,
 * `pppoes [session]`, and `pppoed`, with libpcap's limits and refusals.
 */
import { CompileError } from './errors.js';
import { and, cmp, maskedCmp, orAll, type Cond } from './cond.js';
import { EtherTypeValue, genLinkType } from './gen-link.js';
import { linkTypeDescription, networkOffset, type CompileState } from './state.js';

/** The link description libpcap prints for the current link type (PPP after `pppoes`). */
export function currentLinkDescription(state: CompileState): string {
  return state.family === 'ppp' ? 'PPP' : linkTypeDescription(state.linkType);
}

/**
 * `vlan [id]`: an 802.1Q/802.1ad tag (TPID 0x8100, 0x88a8 or 0x9100); later offsets move by 4. After a tunnel
 * the offsets are run-time values (scratch word + constant, see REGISTER_OFFSET): the constant part moves, as
 * libpcap moves `constant_part` of its variable offsets.
 */
export function genVlan(state: CompileState, id: number | undefined): Cond {
  if (state.labelDepth > 0) throw new CompileError('no VLAN match after MPLS');
  if (state.family !== 'ether') throw new CompileError(`no VLAN support for ${currentLinkDescription(state)}`);
  const type = state.offLinkType;
  let result = orAll(cmp(type, 2, EtherTypeValue.VLAN), cmp(type, 2, EtherTypeValue.QINQ), cmp(type, 2, EtherTypeValue.QINQ_OLD));
  if (id !== undefined) {
    if (id > 4095) throw new CompileError(`VLAN tag ${id} greater than maximum 4095`);
    result = and(result, maskedCmp(state.offLinkPayload, 2, id, 0x0fff));
  }
  state.offLinkType += 4;
  state.offLinkPayload += 4;
  state.vlanDepth++;
  return result;
}

/** `mpls [label]`: an MPLS label stack entry (the bottom-of-stack bit clear in the previous one); later offsets move by 4. */
export function genMpls(state: CompileState, label: number | undefined): Cond {
  const nl = networkOffset(state);
  let result: Cond;
  if (state.labelDepth > 0) result = maskedCmp(nl - 2, 1, 0, 0x01);
  else if (state.family === 'ether') result = genLinkType(state, EtherTypeValue.MPLS);
  else if (state.family === 'ppp') result = cmp(state.offLinkType, 2, 0x0281);
  else throw new CompileError(`no MPLS support for ${currentLinkDescription(state)}`);
  if (label !== undefined) {
    if (label > 0xfffff) throw new CompileError(`MPLS label ${label} greater than maximum 1048575`);
    result = and(result, maskedCmp(nl, 4, (label << 12) >>> 0, 0xfffff000));
  }
  state.offNl += 4;
  state.offNlNoSnap += 4;
  state.labelDepth++;
  return result;
}

/** `pppoes [session]`: a PPPoE session frame; afterwards the link type is PPP inside it. */
export function genPppoes(state: CompileState, session: number | undefined): Cond {
  let result = genLinkType(state, EtherTypeValue.PPPOES);
  if (session !== undefined) {
    if (session > 0xffff) throw new CompileError(`PPPoE session number ${session} greater than maximum 65535`);
    result = and(result, maskedCmp(networkOffset(state), 4, session, 0xffff));
  }
  const header = networkOffset(state) + 6;
  state.family = 'ppp';
  state.offLinkHeader = header;
  state.offLinkType = header;
  state.offLinkPayload = header + 2;
  state.offNl = 0;
  state.offNlNoSnap = 0;
  state.inPppoe = true;
  return result;
}

/** `pppoed`: a PPPoE discovery frame. */
export function genPppoed(state: CompileState): Cond {
  return genLinkType(state, EtherTypeValue.PPPOED);
}
