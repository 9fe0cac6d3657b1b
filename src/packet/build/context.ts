/** What every per-layer encoder receives and returns. */
import type { IcmpFields, Icmpv6Fields, Layer, LayerSpec, PppoeFields } from '../layers.js';
import type { LayerPosition } from './fields.js';

/*
 * layers.ts names the PPPoE 4-bit type field and the ICMP / ICMPv6 type fields `type`, which collides
 * with the layer discriminant (each intersection is `never`), so the builders carry them as
 * `pppoeType`, `icmpType` and `icmpv6Type` instead.
 */

/** A PPPoE layer as the builders give it back (the PPPoE type field as `pppoeType`). */
export type PppoeBuiltLayer = { type: 'pppoe' } & Omit<PppoeFields, 'type'> & { pppoeType: number };
/** An ICMP layer as the builders give it back (the ICMP type as `icmpType`). */
export type IcmpBuiltLayer = { type: 'icmp' } & Omit<IcmpFields, 'type'> & { icmpType: number };
/** An ICMPv6 layer as the builders give it back (the ICMPv6 type as `icmpv6Type`). */
export type Icmpv6BuiltLayer = { type: 'icmpv6' } & Omit<Icmpv6Fields, 'type'> & { icmpv6Type: number };

/** A spec of one of the three layers above: any subset of its fields. */
type PartialBuilt<L extends { type: string }> = { type: L['type'] } & Partial<Omit<L, 'type'>>;

/** What the builders take: any LayerSpec, plus PPPoE, ICMP and ICMPv6 (see above). */
export type BuildLayerSpec = LayerSpec | PartialBuilt<PppoeBuiltLayer> | PartialBuilt<IcmpBuiltLayer> | PartialBuilt<Icmpv6BuiltLayer>;

/** What the builders give back: every field of every layer as written. */
export type BuiltLayer = Layer | PppoeBuiltLayer | IcmpBuiltLayer | Icmpv6BuiltLayer;

/** Addresses of the nearest enclosing IPv4 or IPv6 header, for transport pseudo-header checksums. */
export interface PseudoHeaderAddresses { version: 4 | 6; source: Uint8Array; destination: Uint8Array }

/** The surroundings of one layer while a stack is built (inner layers are serialized before outer ones). */
export interface LayerEncodeContext {
  /** Where the layer sits, for error messages. */
  position: LayerPosition;
  /** The serialized bytes of every layer after this one. */
  inner: Uint8Array;
  /** The spec of the layer right after this one, used to fill type numbers. */
  next: BuildLayerSpec | undefined;
  /** The nearest enclosing IP header's addresses (for UDP, TCP and ICMPv6 checksums). */
  network: PseudoHeaderAddresses | undefined;
}

/** One serialized layer: its header bytes (placed before `inner`) and every field as written. */
export interface EncodedLayer<L extends BuiltLayer = BuiltLayer> { header: Uint8Array; layer: L }

/** The spec of one layer type. */
export type SpecOf<T extends BuiltLayer['type']> = Extract<BuildLayerSpec, { type: T }>;

/** An empty context, for calling a per-layer encoder on its own. */
export function standaloneContext(type: string, inner: Uint8Array = new Uint8Array(0), next?: BuildLayerSpec, network?: PseudoHeaderAddresses): LayerEncodeContext {
  return { position: { index: 0, type }, inner, next, network };
}
