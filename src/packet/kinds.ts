import type { Layer } from './layers.js';

/** Every layer type name (layers.ts plus the PPPoE, ICMP and ICMPv6 shapes the builders define). */
export type DecodedLayerType = Layer['type'];

/**
 * Small-integer codes of the layer types, used by the allocation-free decoder (`PacketLayers.kinds`).
 * `none` (0) ends a decode; every other code names one layer type of src/packet/layers.ts.
 */
export const LayerKind = {
  none: 0,
  ethernet: 1,
  llc: 2,
  vlan: 3,
  mpls: 4,
  pppoe: 5,
  arp: 6,
  ipv4: 7,
  ipv6: 8,
  ipv6Extension: 9,
  ipv6Fragment: 10,
  gre: 11,
  udp: 12,
  tcp: 13,
  icmp: 14,
  icmpv6: 15,
  vxlan: 16,
  geneve: 17,
  linuxSll: 18,
  linuxSll2: 19,
  null: 20,
  loop: 21,
  payload: 22,
} as const satisfies Record<DecodedLayerType | 'none', number>;

/** A layer code (`LayerKind` value). */
export type LayerKindCode = (typeof LayerKind)[keyof typeof LayerKind];

const names: (DecodedLayerType | 'none')[] = [];
for (const [name, code] of Object.entries(LayerKind)) names[code] = name as DecodedLayerType | 'none';

/** The `Layer['type']` name of a layer code (`7` -> `ipv4`). */
export function layerTypeName(kind: number): DecodedLayerType | 'none' {
  return names[kind] ?? 'none';
}
