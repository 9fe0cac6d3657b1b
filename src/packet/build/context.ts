/** What every per-layer encoder receives and returns. */
import type { Layer, LayerSpec } from '../layers.js';
import type { LayerPosition } from './fields.js';

/** A PPPoE layer as the builders give it back. */
export type PppoeBuiltLayer = Extract<Layer, { type: 'pppoe' }>;
/** An ICMP layer as the builders give it back. */
export type IcmpBuiltLayer = Extract<Layer, { type: 'icmp' }>;
/** An ICMPv6 layer as the builders give it back. */
export type Icmpv6BuiltLayer = Extract<Layer, { type: 'icmpv6' }>;

/** What the builders take: any layer's type and any subset of its fields. */
export type BuildLayerSpec = LayerSpec;

/** What the builders give back: every field of every layer as written. */
export type BuiltLayer = Layer;

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
