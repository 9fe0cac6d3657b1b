/**
 * From a field of a captured frame to the stock tcpdump expression that tests it for that frame's
 * encapsulation, with the layout assumptions it rests on and the guards that check them.
 */
import type { FieldValue, LibpcapAnchor, PacketField, PacketLayers } from '../packet/index.js';
import { LayerKind, PacketDecoder, fieldsOfLayers, layerTypeName, libpcapAnchors } from '../packet/index.js';
import { StockExpressionError } from './errors.js';
import { stockFieldComparison } from './format.js';
import { fieldPlacementAssumptions, layerAssumptions, type PrerequisiteCoverage, type StockAssumption } from './guards.js';
import { parseStockFieldSelector, selectStockField, type StockFieldSelector } from './select.js';

/** A field's stock tcpdump expression for one frame's encapsulation, what it assumes and how to check that. */
export interface StockExpressionDerivation {
  /** Qualified decoder name of the field (`ipv4.destination`). */
  field: string;
  /** Index of the field's layer in the decoded stack. */
  layerIndex: number;
  /** The field's value in this frame, as the decoder reports it. */
  value: FieldValue;
  /** Absolute offset, size and (for sub-byte fields) mask of the field. */
  offset: number;
  size: number;
  mask?: number;
  /** The libpcap accessor the expression is relative to (`ip`), and the field's offset relative to it. */
  accessor: string;
  relativeOffset: number;
  /** The loads that read the field (`ip[58:4]`). */
  expression: string;
  /** Stock primitives the filter starts with (`vlan`, `proto gre`, `udp port 4789`). */
  prerequisites: string[];
  /** The shortest stock filter for this frame's value (`vlan and proto gre and ip[58:4] = 0x0a050505`). */
  filter: string;
  /** The layout facts the expression rests on, outermost first. */
  assumptions: StockAssumption[];
  /** Stock expressions checking the assumptions the filter does not already check. */
  guards: string[];
  /** `filter` and every guard: matches exactly the frames of the same encapsulation shape with the same value. */
  guardedFilter: string;
  /** The encapsulation shape up to the field's layer: `ethernet@0/vlan@14/ipv4@18/gre@38/...`. */
  shape: string;
}

/**
 * The encapsulation shape of a decoded packet up to layer `lastIndex`: each layer type with its offset;
 * from layer `pinnedFrom` on, also the type number that introduced it and a GRE header's flags word
 * (`ethernet@0/vlan@14/ipv4@18/gre(47)[0x2000]@38/ethernet(25944)@46/ipv4(2048)@60`): what the guards pin.
 */
export function stockFieldShape(layers: PacketLayers, lastIndex: number, pinnedFrom = 0): string {
  const parts: string[] = [];
  for (let i = 0; i <= lastIndex && i < layers.count; i++) {
    let part = layerTypeName(layers.kinds[i]!);
    if (i > pinnedFrom && layers.introducedBy[i]! >= 0) part += `(${layers.introducedBy[i]})`;
    if (i >= pinnedFrom && i < lastIndex && layers.kinds[i] === LayerKind.gre) part += `[0x${(((layers.data[layers.offsets[i]!]! << 8) | layers.data[layers.offsets[i]! + 1]!) & 0xf007).toString(16)}]`;
    parts.push(`${part}@${layers.offsets[i]}`);
  }
  return parts.join('/');
}

const networkAccessors = new Set(['ip', 'ip6', 'arp', 'rarp']);
const udpTunnelPorts = new Map<number, number>([[LayerKind.vxlan, 4789], [LayerKind.geneve, 6081]]);
const transportPrimitives = new Map<number, string>([[LayerKind.udp, 'udp'], [LayerKind.tcp, 'tcp'], [LayerKind.icmp, 'icmp'], [LayerKind.icmpv6, 'icmp6']]);
const prerequisiteBasis: Record<string, string> = {
  vlan: 'libpcap\'s `vlan` checks one 802.1Q/802.1ad tag (TPID 0x8100, 0x88a8 or 0x9100) and moves every later offset 4 bytes in',
  mpls: 'libpcap\'s `mpls` checks one MPLS label and moves every later offset 4 bytes in',
  pppoes: 'libpcap\'s `pppoes` checks a PPPoE session header and moves every later offset past it and the PPP protocol (8 bytes)',
};

/** The stock primitives that must precede the accessor, and what they already check. */
function stockPrerequisites(layers: PacketLayers, field: PacketField, network: LibpcapAnchor | undefined): { prerequisites: string[]; coverage: PrerequisiteCoverage } {
  const chosen = field.anchor;
  const prerequisites = [...chosen.prerequisites];
  const coverage: PrerequisiteCoverage = { protocolCheckedAt: -1, tunnelPortCheckedAt: -1 };
  if (network === undefined || field.layerIndex <= network.layerIndex) return { prerequisites, coverage };
  const networkIndex = network.layerIndex;
  const next = networkIndex + 1;
  const nextKind = layers.kinds[next]!;
  // `proto gre`, `udp ...` test the IPv4 protocol field exactly; for IPv6 libpcap also accepts a fragment header before it, so the next-header guard stays.
  const exactProtocol = layers.kinds[networkIndex] === LayerKind.ipv4;
  if (nextKind === LayerKind.gre) {
    prerequisites.push('proto gre');
    if (exactProtocol) coverage.protocolCheckedAt = networkIndex;
  } else if (nextKind === LayerKind.udp && field.layerIndex > next && udpTunnelPorts.has(layers.kinds[next + 1]!)) {
    prerequisites.push(`udp port ${udpTunnelPorts.get(layers.kinds[next + 1]!)!}`);
    coverage.tunnelPortCheckedAt = next;
    if (exactProtocol) coverage.protocolCheckedAt = networkIndex;
  } else if (transportPrimitives.has(nextKind) && chosen.layerIndex !== next) {
    prerequisites.push(transportPrimitives.get(nextKind)!);
    if (exactProtocol) coverage.protocolCheckedAt = networkIndex;
  }
  return { prerequisites, coverage };
}

/** The assumptions behind libpcap's own shifting primitives (`vlan`, `mpls`, `pppoes`), checked by the filter itself. */
function prerequisiteAssumptions(layers: PacketLayers, network: LibpcapAnchor | undefined, chosen: LibpcapAnchor): StockAssumption[] {
  const out: StockAssumption[] = [];
  if (network === undefined || chosen.prerequisites.length === 0) return out;
  let next = 0;
  for (let i = 1; i < network.layerIndex && next < chosen.prerequisites.length; i++) {
    const primitive = chosen.prerequisites[next]!;
    const layer = layerTypeName(layers.kinds[i]!);
    out.push({
      layerIndex: i, layer, checkedByFilter: true, guard: primitive, basis: prerequisiteBasis[primitive] ?? primitive,
      statement: `${layer} at byte ${layers.offsets[i]} (layer #${i}) is one ${primitive === 'vlan' ? '802.1Q tag' : primitive === 'mpls' ? 'MPLS label' : 'PPPoE session header'} before the ${network.name === 'ip6' ? 'IPv6' : network.name === 'ip' ? 'IPv4' : network.name.toUpperCase()} header`,
    });
    next++;
  }
  return out;
}

/** Derives the stock expression for a field already selected from a decoded packet (see deriveStockExpression). */
export function deriveStockExpressionForField(layers: PacketLayers, field: PacketField): StockExpressionDerivation {
  const anchors = libpcapAnchors(layers);
  const chosen = field.anchor;
  const network = anchors.find((a) => networkAccessors.has(a.name));
  const { prerequisites, coverage } = stockPrerequisites(layers, field, network);
  const assumptions = prerequisiteAssumptions(layers, network, chosen);
  const start = chosen.layerIndex === 0 || network === undefined ? chosen.layerIndex : network.layerIndex;
  for (let index = start; index <= field.layerIndex; index++) {
    let accessor = anchors[0]!;
    for (const candidate of anchors) if (candidate.layerIndex <= index) accessor = candidate;
    assumptions.push(...layerAssumptions(layers, index, accessor, index < field.layerIndex, coverage, index < chosen.layerIndex));
    if (index === field.layerIndex) assumptions.push(...fieldPlacementAssumptions(layers, index, accessor, field.offset - layers.offsets[index]!, field.size));
  }
  const { expression, comparison } = stockFieldComparison(layers.data, chosen.name, chosen.offset, field.offset, field.size, field.mask);
  const filter = [...prerequisites, comparison].join(' and ');
  const guards: string[] = [];
  for (const assumption of assumptions) if (!assumption.checkedByFilter && !guards.includes(assumption.guard)) guards.push(assumption.guard);
  const derivation: StockExpressionDerivation = {
    field: field.name, layerIndex: field.layerIndex, value: field.value, offset: field.offset, size: field.size,
    accessor: chosen.name, relativeOffset: field.offset - chosen.offset, expression, prerequisites, filter, assumptions, guards,
    guardedFilter: [filter, ...guards].join(' and '), shape: stockFieldShape(layers, field.layerIndex, start),
  };
  if (field.mask !== undefined) derivation.mask = field.mask;
  return derivation;
}

const decoder = new PacketDecoder();

/**
 * Derives the stock tcpdump expression that tests one field of a captured frame for that frame's
 * encapsulation, e.g. for seed 001's inner IPv4 destination `vlan and proto gre and ip[58:4] = 0x0a050505`,
 * with the assumptions it rests on (outer IPv4 IHL 5, GRE flags K only, protocol type 0x6558, inner
 * EtherType 0x0800) and guards that check them. `field` is a decoder field name (`ipv4.destination`
 * picks the innermost; `ipv4.destination@2` layer #2; `ipv4.destination[0]` the outermost) or a selector.
 *
 * A user can property-test their own offset expression against the decoder with our arbitraries:
 *
 * ```ts
 * import fc from 'fast-check';
 * import { arbitraryGre, arbitraryIpv4, buildPacket, deriveStockExpression } from 'pktfilter';
 * fc.assert(fc.property(arbitraryGre(), arbitraryIpv4(), (gre, inner) => {
 *   const frame = buildPacket([{ type: 'ethernet' }, { type: 'ipv4' }, gre, { type: 'ethernet' }, inner, { type: 'payload', data: new Uint8Array(4) }]);
 *   const derived = deriveStockExpression(frame, 1, 'ipv4.destination');
 *   // My guess: inner destination at ip[20 + GRE length + 14 + 16]; it must be what the decoder derives.
 *   const greLength = 4 + (gre.checksumPresent ? 4 : 0) + (gre.keyPresent ? 4 : 0) + (gre.sequencePresent ? 4 : 0);
 *   return derived.expression === `ip[${20 + greLength + 14 + 16}:4]`;
 * }));
 * ```
 * (and to check the bytes too, run `derived.guardedFilter` with tcpdump or libpcap over the built frames).
 * Throws StockExpressionError when the field is not in the frame or its layout cannot be pinned.
 */
export function deriveStockExpression(data: Uint8Array, linkType: number, field: string | StockFieldSelector): StockExpressionDerivation {
  const selector = typeof field === 'string' ? parseStockFieldSelector(field) : field;
  if (typeof selector.name !== 'string' || selector.name === '') throw new StockExpressionError('a field selector needs a field name (ipv4.destination)');
  const layers = decoder.decode(data, linkType);
  const names: string[] = [];
  for (let i = 0; i < layers.count; i++) names.push(layerTypeName(layers.kinds[i]!));
  const fields = fieldsOfLayers(layers);
  return deriveStockExpressionForField(layers, selectStockField(fields, selector, layers, names));
}
