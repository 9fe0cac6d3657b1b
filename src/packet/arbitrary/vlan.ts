/** fast-check arbitraries for 802.1Q / 802.1ad VLAN tags. */
import fc from 'fast-check';
import type { SpecOf } from '../build/context.js';
import { biased, plainRecord, uint } from './pools.js';

/** The three TPIDs that introduce a VLAN tag: 802.1Q, 802.1ad and the legacy QinQ 0x9100. */
export const VLAN_TPIDS: readonly number[] = [0x8100, 0x88a8, 0x9100];

/** A VLAN tag with a TPID of VLAN_TPIDS and a VLAN id biased toward 0, 1, 10, 100, 4095. */
export function arbitraryVlan(): fc.Arbitrary<SpecOf<'vlan'>> {
  return plainRecord({
    tpid: fc.constantFrom(...VLAN_TPIDS),
    priority: uint(3),
    dropEligible: fc.boolean(),
    vlanId: biased([0, 1, 10, 100, 200, 4095], uint(12)),
  }).map((r) => ({ type: 'vlan' as const, ...r }));
}
