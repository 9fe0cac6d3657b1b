/**
 * Whole-packet building: a stack of layer specs, outermost first, is serialized innermost first so
 * every header can fill in lengths, type numbers and checksums from what follows it.
 */
import { encodeArpHeader } from './arp.js';
import type { BuildLayerSpec, BuiltLayer, EncodedLayer, LayerEncodeContext, PseudoHeaderAddresses } from './context.js';
import { PacketBuildError } from './errors.js';
import { encodeEthernetHeader } from './ethernet.js';
import { encodeGeneveHeader } from './geneve.js';
import { encodeGreHeader } from './gre.js';
import { encodeIcmpHeader } from './icmp.js';
import { encodeIcmpv6Header } from './icmpv6.js';
import { encodeIpv4Header, ipv4PseudoHeaderAddresses } from './ipv4.js';
import { encodeIpv6Header, ipv6PseudoHeaderAddresses } from './ipv6.js';
import { encodeIpv6ExtensionHeader, routingFinalDestination } from './ipv6-extension.js';
import { encodeIpv6FragmentHeader } from './ipv6-fragment.js';
import { encodeLinuxSllHeader } from './linux-sll.js';
import { encodeLinuxSll2Header } from './linux-sll2.js';
import { encodeLlcHeader } from './llc.js';
import { encodeLoopHeader, encodeNullHeader } from './loopback.js';
import { encodeMplsHeader } from './mpls.js';
import { encodePayload } from './payload.js';
import { encodePppoeHeader } from './pppoe.js';
import { encodeTcpHeader } from './tcp.js';
import { encodeUdpHeader } from './udp.js';
import { encodeVlanHeader } from './vlan.js';
import { encodeVxlanHeader } from './vxlan.js';

/** A built packet: its bytes, every layer with every field as written, and where each layer starts. */
export interface BuiltPacket {
  data: Uint8Array;
  layers: BuiltLayer[];
  /** Byte offset of each layer's first byte in `data` (same order as `layers`). */
  offsets: number[];
}

/** Serializes one layer's header given its surroundings (dispatches on `spec.type`). */
export function encodeLayer(spec: BuildLayerSpec, context: LayerEncodeContext): EncodedLayer {
  switch (spec.type) {
    case 'ethernet': return encodeEthernetHeader(spec, context);
    case 'llc': return encodeLlcHeader(spec, context);
    case 'vlan': return encodeVlanHeader(spec, context);
    case 'mpls': return encodeMplsHeader(spec, context);
    case 'pppoe': return encodePppoeHeader(spec, context);
    case 'arp': return encodeArpHeader(spec, context);
    case 'ipv4': return encodeIpv4Header(spec, context);
    case 'ipv6': return encodeIpv6Header(spec, context);
    case 'ipv6Extension': return encodeIpv6ExtensionHeader(spec, context);
    case 'ipv6Fragment': return encodeIpv6FragmentHeader(spec, context);
    case 'gre': return encodeGreHeader(spec, context);
    case 'udp': return encodeUdpHeader(spec, context);
    case 'tcp': return encodeTcpHeader(spec, context);
    case 'icmp': return encodeIcmpHeader(spec, context);
    case 'icmpv6': return encodeIcmpv6Header(spec, context);
    case 'vxlan': return encodeVxlanHeader(spec, context);
    case 'geneve': return encodeGeneveHeader(spec, context);
    case 'linuxSll': return encodeLinuxSllHeader(spec, context);
    case 'linuxSll2': return encodeLinuxSll2Header(spec, context);
    case 'null': return encodeNullHeader(spec, context);
    case 'loop': return encodeLoopHeader(spec, context);
    case 'payload': return encodePayload(spec, context);
    default: {
      const unknown = (spec as { type?: unknown }).type;
      throw new PacketBuildError(`layer ${context.position.index}: unknown layer type ${JSON.stringify(unknown)}`, context.position.index, 'type');
    }
  }
}

/** Serializes a stack of layers (outermost first) and reports every field as written and each layer's offset. */
export function buildPacketLayers(stack: readonly BuildLayerSpec[]): BuiltPacket {
  if (!Array.isArray(stack)) throw new PacketBuildError('a packet stack must be an array of layer specs');
  stack.forEach((spec, index) => {
    if (spec === null || typeof spec !== 'object' || typeof (spec as { type?: unknown }).type !== 'string') {
      throw new PacketBuildError(`layer ${index}: not a layer spec (an object with a string "type")`, index, 'type');
    }
  });
  // Outer to inner: the addresses of the nearest enclosing IP header, for pseudo-header checksums.
  const networks: (PseudoHeaderAddresses | undefined)[] = [];
  let network: PseudoHeaderAddresses | undefined;
  stack.forEach((spec, index) => {
    networks.push(network);
    const position = { index, type: spec.type };
    if (spec.type === 'ipv4') network = ipv4PseudoHeaderAddresses(spec, position);
    else if (spec.type === 'ipv6') network = ipv6PseudoHeaderAddresses(spec, position);
    else if (spec.type === 'ipv6Extension' && spec.headerType === 43 && spec.body instanceof Uint8Array && network?.version === 6) {
      // With segments left, the pseudo-header names the routing header's final destination (RFC 8200 section 8.1).
      const finalDestination = routingFinalDestination(spec.body);
      if (finalDestination) network = { ...network, destination: finalDestination };
    }
  });
  // Inner to outer: each header sees the finished bytes after it. The packet grows leftwards in one
  // buffer (reallocated when a header does not fit), so `inner` is always a view of its tail.
  const layers: BuiltLayer[] = new Array<BuiltLayer>(stack.length);
  const lengths: number[] = new Array<number>(stack.length);
  let buffer = new Uint8Array(256);
  let start = buffer.length;
  for (let index = stack.length - 1; index >= 0; index--) {
    const spec = stack[index]!;
    const inner = buffer.subarray(start);
    const encoded = encodeLayer(spec, { position: { index, type: spec.type }, inner, next: stack[index + 1], network: networks[index] });
    const size = encoded.header.length;
    if (size > start) {
      const used = buffer.length - start;
      const grown = new Uint8Array(Math.max(2 * buffer.length, used + size + 256));
      grown.set(buffer.subarray(start), grown.length - used);
      start = grown.length - used;
      buffer = grown;
    }
    start -= size;
    buffer.set(encoded.header, start);
    layers[index] = encoded.layer;
    lengths[index] = size;
  }
  const offsets: number[] = [];
  let offset = 0;
  for (const length of lengths) { offsets.push(offset); offset += length; }
  // A copy of exactly the packet, so callers own a compact array.
  return { data: buffer.slice(start), layers, offsets };
}

/** Serializes a stack of layers (outermost first), filling lengths, type numbers and checksums that are not given. */
export function buildPacket(stack: readonly BuildLayerSpec[]): Uint8Array {
  return buildPacketLayers(stack).data;
}
