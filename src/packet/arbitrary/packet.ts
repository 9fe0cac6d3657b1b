/**
 * fast-check arbitraries for whole captured packets over a link type: a built stack, or a deliberately
 * damaged variant (cut by a snapshot length, truncated on the wire, a length or type field lying, bytes
 * overwritten, Ethernet padding after the datagram).
 */
import fc from 'fast-check';
import { LinkType } from '../../capture/linktype.js';
import type { BuildLayerSpec, BuiltLayer } from '../build/context.js';
import { buildPacketLayers } from '../build/stack.js';
import { arbitraryStack } from './stack.js';
import type { ArbitraryStackOptions } from './stack.js';

/**
 * How an arbitrary packet was damaged: `none` (as built), `snapped` (captured bytes cut short, wire
 * length intact), `truncated` (cut short on the wire too), `corrupted` (a length, offset or type field
 * set to a wrong value before building), `garbled` (random bytes overwritten after building) or
 * `padded` (zero bytes after the frame, as Ethernet pads to 60).
 */
export type PacketMutation = 'none' | 'snapped' | 'truncated' | 'corrupted' | 'garbled' | 'padded';

/** Every mutation, for `arbitraryPacket({ mutations })`. */
export const PACKET_MUTATIONS: readonly PacketMutation[] = ['none', 'snapped', 'truncated', 'corrupted', 'garbled', 'padded'];

/** One generated packet: its link type, captured bytes, wire length, the layers as built and how it was damaged. */
export interface ArbitraryPacket {
  linkType: number;
  data: Uint8Array;
  wireLength: number;
  /** Every layer with every field as written (for `corrupted`, including the wrong field); before snapping, truncation, garbling or padding. */
  stack: BuiltLayer[];
  /** The specs the packet was built from. */
  specs: BuildLayerSpec[];
  /** Byte offset of each layer of `stack` in the undamaged packet. */
  offsets: number[];
  mutation: PacketMutation;
  /** For `corrupted`: which field of which layer was set to a wrong value. */
  corruptedField?: { layerIndex: number; field: string };
}

/** Options of arbitraryPacket. */
export interface ArbitraryPacketOptions extends ArbitraryStackOptions {
  /** The link type, or several to pick from (default: all of LinkType). */
  linkType?: number | readonly number[];
  /** Damage to draw from (default: mostly `none`, each other kind now and then); `['none']` for well-formed packets only. */
  mutations?: readonly PacketMutation[];
}

/** The link types arbitraryPacket knows. */
export const ARBITRARY_LINK_TYPES: readonly number[] = [LinkType.EN10MB, LinkType.RAW, LinkType.IPV4, LinkType.IPV6, LinkType.NULL, LinkType.LOOP, LinkType.LINUX_SLL, LinkType.LINUX_SLL2];

/** Fields whose wrong values make decoders and filters walk the wrong offsets, per layer type, with their widths. */
const CORRUPTIBLE_FIELDS: Record<string, readonly (readonly [string, number])[]> = {
  ethernet: [['etherType', 16]],
  vlan: [['etherType', 16]],
  ipv4: [['ihl', 4], ['totalLength', 16], ['protocol', 8], ['version', 4], ['headerChecksum', 16]],
  ipv6: [['payloadLength', 16], ['nextHeader', 8], ['version', 4]],
  ipv6Extension: [['headerExtLength', 8], ['nextHeader', 8]],
  ipv6Fragment: [['nextHeader', 8]],
  gre: [['protocolType', 16], ['version', 3]],
  udp: [['length', 16], ['checksum', 16]],
  tcp: [['dataOffset', 4], ['checksum', 16]],
  icmp: [['checksum', 16]],
  pppoe: [['length', 16], ['pppProtocol', 16]],
  mpls: [['bottomOfStack', 1]],
  geneve: [['optionsLength', 6], ['protocolType', 16]],
  linuxSll: [['protocol', 16]],
  linuxSll2: [['protocol', 16]],
  null: [['family', 8]],
  loop: [['family', 8]],
};

/** Replaces one corruptible field of one layer of `specs` (picked by the fraction `pick`) with `value` cut to the field's width. */
function corruptSpecs(specs: readonly BuildLayerSpec[], pick: number, value: number): { specs: BuildLayerSpec[]; layerIndex: number; field: string } | undefined {
  const candidates = specs.flatMap((spec, index) => (CORRUPTIBLE_FIELDS[spec.type] ?? [])
    // A PPPoE discovery header has no PPP protocol field to corrupt.
    .filter(([name]) => !(spec.type === 'pppoe' && name === 'pppProtocol' && (spec.code ?? 0) !== 0))
    .map((field) => [index, field] as const));
  if (candidates.length === 0) return undefined;
  const [index, [name, bits]] = candidates[Math.floor(pick * candidates.length) % candidates.length]!;
  const copy = specs.map((s) => ({ ...s }));
  const target = copy[index] as Record<string, unknown>;
  target[name] = bits === 1 ? (value & 1) === 1 : value % 2 ** bits;
  return { specs: copy as BuildLayerSpec[], layerIndex: index, field: name };
}

/** A packet over one of the given link types, built from an arbitrary stack and maybe damaged (see PacketMutation). */
export function arbitraryPacket(options: ArbitraryPacketOptions = {}): fc.Arbitrary<ArbitraryPacket> {
  const linkTypes = options.linkType === undefined ? ARBITRARY_LINK_TYPES : typeof options.linkType === 'number' ? [options.linkType] : options.linkType;
  if (linkTypes.length === 0) throw new RangeError('arbitraryPacket: linkType lists no link type');
  const mutations = options.mutations ?? PACKET_MUTATIONS;
  if (mutations.length === 0) throw new RangeError('arbitraryPacket: mutations lists no mutation');
  const mutation = options.mutations === undefined
    ? fc.oneof({ arbitrary: fc.constant<PacketMutation>('none'), weight: 10 }, { arbitrary: fc.constantFrom(...PACKET_MUTATIONS.filter((m) => m !== 'none')), weight: 3 })
    : fc.constantFrom(...mutations);
  const perLinkType = linkTypes.map((linkType) => arbitraryStack(linkType, options).map((specs) => ({ linkType, specs })));
  return fc.tuple(fc.oneof(...perLinkType), mutation, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.integer({ min: 0, max: 0xffff }))
    .map(([{ linkType, specs }, kind, pickA, pickB, value]): ArbitraryPacket => {
      let usedSpecs = specs;
      let usedKind = kind;
      let corruptedField: { layerIndex: number; field: string } | undefined;
      if (kind === 'corrupted') {
        const corrupted = corruptSpecs(specs, pickA, value);
        if (corrupted) { usedSpecs = corrupted.specs; corruptedField = { layerIndex: corrupted.layerIndex, field: corrupted.field }; } else usedKind = 'none';
      }
      const built = buildPacketLayers(usedSpecs);
      let data = built.data;
      let wireLength = data.length;
      switch (usedKind) {
        case 'snapped':
          data = data.slice(0, Math.floor(pickA * data.length));
          break;
        case 'truncated':
          data = data.slice(0, Math.floor(pickA * data.length));
          wireLength = data.length;
          break;
        case 'garbled': {
          // 1 to 4 distinct neighbouring bytes, each XORed with a non-zero mask, so the packet always changes.
          data = data.slice();
          const count = Math.min(data.length, 1 + Math.floor(pickB * 4));
          const first = Math.floor(pickA * data.length);
          for (let i = 0; i < count; i++) {
            const position = (first + i) % data.length;
            data[position] = data[position]! ^ (1 + (((value >> (4 * i)) & 0xff) % 255));
          }
          break;
        }
        case 'padded': {
          const padded = new Uint8Array(Math.max(60, data.length + 1 + Math.floor(pickA * 8)));
          padded.set(data);
          data = padded;
          wireLength = data.length;
          break;
        }
        default:
          break;
      }
      const result: ArbitraryPacket = { linkType, data, wireLength, stack: built.layers, specs: usedSpecs, offsets: built.offsets, mutation: usedKind };
      if (corruptedField) result.corruptedField = corruptedField;
      return result;
    });
}
