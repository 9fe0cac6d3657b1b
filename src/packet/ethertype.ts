import { LayerKind } from './kinds.js';

/** EtherType -> next layer: the one table shared by Ethernet II, 802.1Q tags, SNAP and Linux cooked headers. */
export const ETHER_TYPE_NEXT_LAYER: ReadonlyMap<number, number> = new Map<number, number>([
  [0x0800, LayerKind.ipv4],
  [0x86dd, LayerKind.ipv6],
  [0x0806, LayerKind.arp],
  [0x8035, LayerKind.arp], // RARP has ARP's format
  [0x8100, LayerKind.vlan], // 802.1Q
  [0x88a8, LayerKind.vlan], // 802.1ad service tag
  [0x9100, LayerKind.vlan], // pre-standard QinQ
  [0x8847, LayerKind.mpls], // MPLS unicast
  [0x8848, LayerKind.mpls], // MPLS multicast
  [0x8863, LayerKind.pppoe], // PPPoE discovery
  [0x8864, LayerKind.pppoe], // PPPoE session
]);

/**
 * Builds a lookup array of 2^keyBits entries from a type table whose keys are below 2^keyBits (unknown types give
 * a payload). Each table is built once and shared by its protocol file and the decoder: every byte of them is
 * also part of the CLI's start-up snapshot, read at each start.
 */
export function typeLookup(table: ReadonlyMap<number, number>, keyBits: 8 | 16): Uint8Array {
  const lookup = new Uint8Array(1 << keyBits).fill(LayerKind.payload);
  for (const [type, kind] of table) {
    if (type >= lookup.length) throw new RangeError(`type ${type} does not fit a ${keyBits}-bit lookup`);
    lookup[type] = kind;
  }
  return lookup;
}

/** EtherType -> next layer, as an array indexed by the 16-bit EtherType. */
export const ETHER_TYPE_LOOKUP = typeLookup(ETHER_TYPE_NEXT_LAYER, 16);

/** The layer an EtherType announces (a payload when unknown). */
export function etherTypeNextLayer(etherType: number): number {
  return ETHER_TYPE_LOOKUP[etherType]!;
}
