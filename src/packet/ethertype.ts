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

/** Builds a 64K-entry lookup array from a type table (unknown types give a payload). */
export function typeLookup(table: ReadonlyMap<number, number>): Uint8Array {
  const lookup = new Uint8Array(65536).fill(LayerKind.payload);
  for (const [type, kind] of table) lookup[type] = kind;
  return lookup;
}

const lookup = typeLookup(ETHER_TYPE_NEXT_LAYER);

/** The layer an EtherType announces (a payload when unknown). */
export function etherTypeNextLayer(etherType: number): number {
  return lookup[etherType]!;
}
