import { LinkType } from '../capture/linktype.js';
import { readUint32 } from './bytes.js';
import { PacketDecoder } from './decoder.js';
import type { FieldValue } from './field-layout.js';
import { LayerKind, layerTypeName } from './kinds.js';
import { viewOfLayer } from './layer-view.js';
import type { PacketLayers } from './packet-layers.js';

/** A pcap-filter(7) accessor (`ip[...]`) that points at one decoded layer, with the primitives that must precede it. */
export interface LibpcapAnchor {
  /** Accessor name: ether, link, ip, ip6, arp, rarp, tcp, udp, icmp, icmp6. */
  name: string;
  /** Index of the layer it points at. */
  layerIndex: number;
  /** Absolute offset it points at. */
  offset: number;
  /** Primitives that shift libpcap's offsets onto this packet's layout (`vlan`, `mpls`, `pppoes`), in order. */
  prerequisites: string[];
}

/** One field of a decoded packet: value, where it is, and the tcpdump expression that reads it. */
export interface PacketField {
  /** Index of the layer in the decoded stack. */
  layerIndex: number;
  /** Layer type (`ipv4`). */
  layer: string;
  /** Qualified field name (`ipv4.source`, `tcp.option2.data`). */
  name: string;
  value: FieldValue;
  /** Absolute byte offset of the field's first byte (of its load, for sub-byte fields). */
  offset: number;
  /** Bytes the field spans (the load width for sub-byte fields). */
  size: number;
  /** For sub-byte fields: the bits of the big-endian `size`-byte load that hold it. */
  mask?: number;
  /** Offset relative to each enclosing layer, outermost first (`relativeOffsets[j]` is relative to layer j). */
  relativeOffsets: number[];
  /** The accessor the expression is relative to. */
  anchor: LibpcapAnchor;
  /** The tcpdump expression that reads the field (`ip[54:4]`, `(ip[6:2] & 0x1fff)`); wide fields are several loads separated by spaces. */
  expression: string;
  /** A filter that matches this packet's value of the field (`vlan and ip[54:4] = 0xa050505`). */
  filter: string;
}

const transportAnchorNames = new Map<number, string>([[LayerKind.tcp, 'tcp'], [LayerKind.udp, 'udp'], [LayerKind.icmp, 'icmp']]);

/**
 * The libpcap accessors that point into this packet, outermost first: the link header, then the
 * network layer libpcap finds (IPv4, IPv6, ARP after any VLAN tags, MPLS labels or a PPPoE session,
 * each needing its primitive), then TCP/UDP/ICMP right over that IPv4 or ICMPv6 right over that IPv6.
 */
export function libpcapAnchors(layers: PacketLayers): LibpcapAnchor[] {
  const anchors: LibpcapAnchor[] = [];
  if (layers.count === 0) return anchors;
  anchors.push({ name: layers.linkType === LinkType.EN10MB ? 'ether' : 'link', layerIndex: 0, offset: 0, prerequisites: [] });
  const prerequisites: string[] = [];
  let index: number;
  switch (layers.linkType) {
    case LinkType.RAW: index = 0; break;
    // libpcap reads an IPV4 (IPV6) capture as that version only.
    case LinkType.IPV4: if (layers.kinds[0] !== LayerKind.ipv4) return anchors; index = 0; break;
    case LinkType.IPV6: if (layers.kinds[0] !== LayerKind.ipv6) return anchors; index = 0; break;
    case LinkType.EN10MB: {
      index = 1;
      // libpcap's vlan, mpls and pppoes primitives each move its network-layer offset past one header.
      let sawMpls = false;
      while (index < layers.count) {
        const kind = layers.kinds[index]!;
        const introducedBy = layers.introducedBy[index]!;
        if (kind === LayerKind.vlan && !sawMpls && prerequisites.every((p) => p === 'vlan')) prerequisites.push('vlan');
        else if (kind === LayerKind.mpls && (sawMpls || introducedBy === 0x8847)) { prerequisites.push('mpls'); sawMpls = true; }
        else if (kind === LayerKind.pppoe && introducedBy === 0x8864 && !sawMpls && !prerequisites.includes('pppoes')) prerequisites.push('pppoes');
        else break;
        index++;
      }
      break;
    }
    case LinkType.LINUX_SLL: case LinkType.LINUX_SLL2: index = 1; break;
    case LinkType.NULL: case LinkType.LOOP: {
      // libpcap tests the family against the compiling host's AF_INET (2, in host order for NULL) and AF_INET6
      // (10 on Linux, which BSD loopback captures never carry): only IPv4 with the family as libpcap expects is addressable.
      const data = layers.data;
      const family = layers.linkType === LinkType.NULL ? data[0]! | (data[1]! << 8) | (data[2]! << 16) | (data[3]! << 24) : readUint32(data, 0);
      if (family !== 2) return anchors;
      index = 1;
      break;
    }
    default: return anchors;
  }
  if (index >= layers.count) return anchors;
  const kind = layers.kinds[index]!;
  let network: string | undefined;
  if (kind === LayerKind.ipv4) network = 'ip';
  else if (kind === LayerKind.ipv6) network = 'ip6';
  else if (kind === LayerKind.arp && !prerequisites.includes('mpls')) network = layers.introducedBy[index] === 0x8035 ? 'rarp' : 'arp';
  if (network === undefined) return anchors;
  // After pppoes libpcap recognises only IPv4 and IPv6 (PPP protocols 0x0021 and 0x0057); after mpls only IP.
  anchors.push({ name: network, layerIndex: index, offset: layers.offsets[index]!, prerequisites: [...prerequisites] });
  const transport = index + 1;
  if (transport >= layers.count || layers.quoted[transport]) return anchors;
  const transportKind = layers.kinds[transport]!;
  const transportName = network === 'ip' ? transportAnchorNames.get(transportKind) : network === 'ip6' && transportKind === LayerKind.icmpv6 ? 'icmp6' : undefined;
  if (transportName !== undefined) anchors.push({ name: transportName, layerIndex: transport, offset: layers.offsets[transport]!, prerequisites: [...prerequisites] });
  return anchors;
}

const hex = (value: number): string => `0x${(value >>> 0).toString(16)}`;

function load(data: Uint8Array, offset: number, size: number): number {
  let value = 0;
  for (let i = 0; i < size; i++) value = value * 256 + data[offset + i]!;
  return value;
}

/** Splits a byte range into loads of 4, 2 and 1 bytes (libpcap's widths). */
function chunks(offset: number, size: number): { offset: number; size: number }[] {
  const parts: { offset: number; size: number }[] = [];
  let at = offset;
  let left = size;
  while (left > 0) {
    const width = left >= 4 ? 4 : left >= 2 ? 2 : 1;
    parts.push({ offset: at, size: width });
    at += width;
    left -= width;
  }
  return parts;
}

/** The tcpdump expression and matching filter for `size` bytes at `absolute` (masked when `mask` is set) relative to `anchor`. */
export function libpcapFieldExpression(data: Uint8Array, anchor: LibpcapAnchor, absolute: number, size: number, mask?: number): { expression: string; filter: string } {
  const relative = absolute - anchor.offset;
  const prefix = anchor.prerequisites.length > 0 ? `${anchor.prerequisites.join(' and ')} and ` : '';
  const access = (at: number, width: number): string => `${anchor.name}[${at}${width === 1 ? '' : `:${width}`}]`;
  if (mask !== undefined && (size === 1 || size === 2 || size === 4)) {
    const raw = load(data, absolute, size);
    const shift = 31 - Math.clz32(mask & -mask);
    const masked = `${access(relative, size)} & ${hex(mask)}`;
    return { expression: shift > 0 ? `(${masked}) >> ${shift}` : `(${masked})`, filter: `${prefix}${masked} = ${hex(((raw & mask) >>> 0))}` };
  }
  if (size === 3) {
    // A 3-byte field: a 4-byte load with the byte before it masked off (or the byte after, at offset 0).
    const before = relative >= 1;
    const at = before ? relative - 1 : relative;
    const fieldMask = before ? 0x00ffffff : 0xffffff00;
    const raw = load(data, absolute, 3);
    const loaded = `${access(at, 4)} & ${hex(fieldMask)}`;
    return { expression: before ? `(${loaded})` : `(${loaded}) >> 8`, filter: `${prefix}${loaded} = ${hex(before ? raw : raw * 256)}` };
  }
  const parts = chunks(relative, size);
  const expression = parts.map((p) => access(p.offset, p.size)).join(' ');
  const filter = prefix + parts.map((p) => `${access(p.offset, p.size)} = ${hex(load(data, anchor.offset + p.offset, p.size))}`).join(' and ');
  return { expression, filter };
}

/** Every field of an already decoded packet with its value, offsets and tcpdump expression. */
export function fieldsOfLayers(layers: PacketLayers): PacketField[] {
  const anchors = libpcapAnchors(layers);
  const fields: PacketField[] = [];
  for (let index = 0; index < layers.count; index++) {
    const view = viewOfLayer(layers, index);
    const layerOffset = layers.offsets[index]!;
    const layer = layerTypeName(layers.kinds[index]!);
    let anchor = anchors[0]!;
    for (const candidate of anchors) if (candidate.layerIndex <= index) anchor = candidate;
    view.describeFields({
      add(name, relative, size, value, mask) {
        const offset = layerOffset + relative;
        const relativeOffsets: number[] = [];
        for (let j = 0; j <= index; j++) relativeOffsets.push(offset - layers.offsets[j]!);
        const { expression, filter } = libpcapFieldExpression(layers.data, anchor, offset, size, mask);
        const field: PacketField = { layerIndex: index, layer, name: `${layer}.${name}`, value, offset, size, relativeOffsets, anchor, expression, filter };
        if (mask !== undefined) field.mask = mask;
        fields.push(field);
      },
    });
  }
  return fields;
}

const shared = new PacketDecoder();

/** Decodes a packet and lists every field with its value, absolute offset, size and tcpdump expression. */
export function packetFieldOffsets(data: Uint8Array, linkType: number = LinkType.EN10MB): PacketField[] {
  return fieldsOfLayers(shared.decode(data, linkType));
}
