import { LinkType } from '../capture/linktype.js';
import { decodeArp } from './arp.js';
import { decodeEthernet } from './ethernet.js';
import { ETHER_TYPE_LOOKUP, typeLookup } from './ethertype.js';
import { decodeGeneve } from './geneve.js';
import { GRE_PROTOCOL_LOOKUP, decodeGre } from './gre.js';
import { ICMP_TYPE_NEXT_LAYER, decodeIcmp } from './icmp.js';
import { ICMPV6_TYPE_NEXT_LAYER, decodeIcmpv6 } from './icmpv6.js';
import { IPV4_PROTOCOL_LOOKUP, decodeIpv4, internetChecksumSum } from './ipv4.js';
import { IPV6_NEXT_HEADER_LOOKUP, decodeIpv6 } from './ipv6.js';
import { decodeIpv6Extension } from './ipv6-extension.js';
import { decodeIpv6Fragment } from './ipv6-fragment.js';
import { LayerKind } from './kinds.js';
import { decodeLinuxSll } from './linux-sll.js';
import { decodeLinuxSll2 } from './linux-sll2.js';
import { decodeLlc } from './llc.js';
import { decodeLoopback } from './loopback.js';
import { decodeMpls } from './mpls.js';
import { MAX_DECODED_LAYERS, PacketLayers } from './packet-layers.js';
import { decodePayload } from './payload.js';
import { decodePppoe } from './pppoe.js';
import { decodeTcp } from './tcp.js';
import { UDP_PORT_LOOKUP, decodeUdp } from './udp.js';
import { decodeVlan } from './vlan.js';
import { decodeVxlan } from './vxlan.js';

/**
 * The first layer of a packet of link type `linkType`. RAW and IPV4 pick IPv4 or IPv6 by the version
 * nibble (as tshark does: an IPV4 capture may hold IPv6); IPV6 is always IPv6.
 */
export function firstLayerOfLinkType(linkType: number, data: Uint8Array): number {
  switch (linkType) {
    case 1 /* EN10MB */: return LayerKind.ethernet;
    case 101 /* RAW */: case 228 /* IPV4 */: {
      const version = data.length > 0 ? data[0]! >> 4 : 0;
      if (version === 4) return LayerKind.ipv4;
      if (version === 6) return LayerKind.ipv6;
      return linkType === 228 ? LayerKind.ipv4 : LayerKind.payload;
    }
    case 229 /* IPV6 */: return LayerKind.ipv6;
    case 113 /* LINUX_SLL */: return LayerKind.linuxSll;
    case 276 /* LINUX_SLL2 */: return LayerKind.linuxSll2;
    case 0 /* NULL */: return LayerKind.null;
    case 108 /* LOOP */: return LayerKind.loop;
    default: return LayerKind.payload;
  }
}

/**
 * Decodes `data` into `layers` one protocol decode function per layer, each setting the next step
 * on `layers`: the general loop, which `PacketDecoder.decode` must agree with field for field (it
 * takes a shortcut through the common headers and falls back to these functions for everything else).
 */
export function decodeLayersStepwise(layers: PacketLayers, data: Uint8Array, linkType: number): PacketLayers {
  layers.reset(data, linkType);
  let kind = firstLayerOfLinkType(linkType, data);
  let offset = 0;
  let end = data.length;
  let introducedBy = -1;
  while (kind !== 0 /* LayerKind.none */) {
    if (layers.count >= MAX_DECODED_LAYERS) {
      layers.fail(kind, 'header', offset, `more than ${MAX_DECODED_LAYERS} layers (tunnels nested too deep)`, offset);
      layers.errorEnd = end;
      layers.errorIntroducedBy = introducedBy;
      break;
    }
    decodeStep(layers, kind, offset, end, introducedBy);
    if (layers.errorKind !== 0) {
      // Where the failing layer started and what extent it had (fail() may have named the layer offset itself).
      if (layers.errorLayerOffset < 0) layers.errorLayerOffset = offset;
      layers.errorEnd = end;
      layers.errorIntroducedBy = introducedBy;
      break;
    }
    kind = layers.nextKind;
    offset = layers.nextOffset;
    end = layers.nextEnd;
    introducedBy = layers.nextIntroducedBy;
  }
  return layers;
}

/** Decodes one layer of kind `kind` at `offset` with that protocol's decode function (which sets the next step on `layers`). */
function decodeStep(layers: PacketLayers, kind: number, offset: number, end: number, introducedBy: number): void {
  // Literal case values (checked against LayerKind by a test): V8 compiles them to a jump table.
  switch (kind) {
    case 1: /* ethernet */ decodeEthernet(layers, offset, end); break;
    case 3: /* vlan */ decodeVlan(layers, offset, end); break;
    case 7: /* ipv4 */ decodeIpv4(layers, offset, end); break;
    case 8: /* ipv6 */ decodeIpv6(layers, offset, end); break;
    case 13: /* tcp */ decodeTcp(layers, offset, end); break;
    case 12: /* udp */ decodeUdp(layers, offset, end); break;
    case 14: /* icmp */ decodeIcmp(layers, offset, end); break;
    case 15: /* icmpv6 */ decodeIcmpv6(layers, offset, end); break;
    case 6: /* arp */ decodeArp(layers, offset, end); break;
    case 11: /* gre */ decodeGre(layers, offset, end); break;
    case 16: /* vxlan */ decodeVxlan(layers, offset, end); break;
    case 17: /* geneve */ decodeGeneve(layers, offset, end); break;
    case 9: /* ipv6Extension */ decodeIpv6Extension(layers, offset, end, introducedBy); break;
    case 10: /* ipv6Fragment */ decodeIpv6Fragment(layers, offset, end); break;
    case 2: /* llc */ decodeLlc(layers, offset, end); break;
    case 4: /* mpls */ decodeMpls(layers, offset, end); break;
    case 5: /* pppoe */ decodePppoe(layers, offset, end, introducedBy); break;
    case 18: /* linuxSll */ decodeLinuxSll(layers, offset, end); break;
    case 19: /* linuxSll2 */ decodeLinuxSll2(layers, offset, end); break;
    case 20: /* null */ decodeLoopback(layers, offset, end, false); break;
    case 21: /* loop */ decodeLoopback(layers, offset, end, true); break;
    default: decodePayload(layers, offset, end); break;
  }
}

// Type tables of the shortcut: the protocol files' own (ETHER_TYPE_LOOKUP and the like), and the ICMP types,
// which only the decoder looks up so.
const icmpTypeLookup = typeLookup(ICMP_TYPE_NEXT_LAYER, 8);
const icmpv6TypeLookup = typeLookup(ICMPV6_TYPE_NEXT_LAYER, 8);

/**
 * The allocation-free decoder (the model is gopacket's DecodingLayerParser): `decode` fills one
 * reused `PacketLayers` with the kind, offset, header length and extent of every layer. Lax: a
 * truncated or malformed packet keeps the layers that decoded and sets the error. Never throws.
 */
export class PacketDecoder {
  /** The reused result; read it before the next `decode`. */
  readonly layers = new PacketLayers();

  /**
   * Decodes `data` captured on a link of type `linkType` (EN10MB by default) and returns the reused result.
   * Well-formed headers of the common kinds (Ethernet, VLAN, IPv4, IPv6 and its extension and fragment headers,
   * UDP, TCP, GRE, ICMP, ICMPv6, ARP, VXLAN, Geneve, payload) are decoded inline with the loop's state in
   * locals; any other layer, and any of these that is short, malformed or warned about, goes through
   * `decodeStep` exactly as in `decodeLayersStepwise`, so the result is the same.
   */
  decode(data: Uint8Array, linkType: number = LinkType.EN10MB): PacketLayers {
    const layers = this.layers;
    layers.reset(data, linkType);
    const kinds = layers.kinds;
    const offsets = layers.offsets;
    const headerLengths = layers.headerLengths;
    const ends = layers.ends;
    const introducers = layers.introducedBy;
    const quotedFlags = layers.quoted;
    let kind = firstLayerOfLinkType(linkType, data);
    let offset = 0;
    let end = data.length;
    let introducedBy = -1;
    let count = 0;
    // 1 once an ICMP or ICMPv6 error starts a quote (mirrors layers.quoting, which decodeStep reads and sets).
    let quoting = 0;
    while (kind !== 0 /* LayerKind.none */) {
      if (count >= MAX_DECODED_LAYERS) {
        layers.count = count;
        layers.fail(kind, 'header', offset, `more than ${MAX_DECODED_LAYERS} layers (tunnels nested too deep)`, offset);
        layers.errorEnd = end;
        layers.errorIntroducedBy = introducedBy;
        return layers;
      }
      const available = end - offset;
      // Each shortcut case either decodes the layer completely and `continue`s, or breaks to decodeStep having changed nothing.
      switch (kind) {
        case 1: /* ethernet */ {
          if (available < 14) break;
          const type = (data[offset + 12]! << 8) | data[offset + 13]!;
          if (type < 0x0600) break;
          kinds[count] = 1; offsets[count] = offset; headerLengths[count] = 14; ends[count] = end;
          introducers[count] = introducedBy; quotedFlags[count] = quoting; count++;
          kind = ETHER_TYPE_LOOKUP[type]!;
          offset += 14;
          introducedBy = type;
          if (kind === 22 && offset >= end) kind = 0;
          continue;
        }
        case 3: /* vlan */ {
          if (available < 4) break;
          const type = (data[offset + 2]! << 8) | data[offset + 3]!;
          if (type < 0x0600) break;
          kinds[count] = 3; offsets[count] = offset; headerLengths[count] = 4; ends[count] = end;
          introducers[count] = introducedBy; quotedFlags[count] = quoting; count++;
          kind = ETHER_TYPE_LOOKUP[type]!;
          offset += 4;
          introducedBy = type;
          if (kind === 22 && offset >= end) kind = 0;
          continue;
        }
        case 7: /* ipv4 */ {
          if (available < 20) break;
          const first = data[offset]!;
          const headerLength = (first & 0x0f) << 2;
          if ((first >> 4) !== 4 || headerLength < 20 || available < headerLength) break;
          const totalLength = (data[offset + 2]! << 8) | data[offset + 3]!;
          if (totalLength !== 0 && totalLength < headerLength) break;
          // A wrong checksum is a warning with a message: decodeStep records it.
          if (headerLength === 20) {
            // RFC 1071 over the option-less header: the high bytes of the ten words, shifted, plus the low bytes.
            let sum = ((first + data[offset + 2]! + data[offset + 4]! + data[offset + 6]! + data[offset + 8]! + data[offset + 10]!
              + data[offset + 12]! + data[offset + 14]! + data[offset + 16]! + data[offset + 18]!) << 8)
              + data[offset + 1]! + data[offset + 3]! + data[offset + 5]! + data[offset + 7]! + data[offset + 9]!
              + data[offset + 11]! + data[offset + 13]! + data[offset + 15]! + data[offset + 17]! + data[offset + 19]!;
            sum = (sum & 0xffff) + (sum >>> 16);
            if (((sum & 0xffff) + (sum >>> 16)) !== 0xffff) break;
          } else if (internetChecksumSum(data, offset, headerLength) !== 0xffff) break;
          const layerEnd = totalLength === 0 || offset + totalLength > end ? end : offset + totalLength;
          kinds[count] = 7; offsets[count] = offset; headerLengths[count] = headerLength; ends[count] = layerEnd;
          introducers[count] = introducedBy; quotedFlags[count] = quoting; count++;
          const protocol = data[offset + 9]!;
          // Non-first fragments carry a payload; others what the protocol number announces.
          kind = (((data[offset + 6]! & 0x1f) << 8) | data[offset + 7]!) !== 0 ? 22 : IPV4_PROTOCOL_LOOKUP[protocol]!;
          offset += headerLength;
          end = layerEnd;
          introducedBy = protocol;
          if (kind === 22 && offset >= end) kind = 0;
          continue;
        }
        case 8: /* ipv6 */ {
          if (available < 40 || (data[offset]! >> 4) !== 6) break;
          const payloadLength = (data[offset + 4]! << 8) | data[offset + 5]!;
          const layerEnd = payloadLength === 0 || offset + 40 + payloadLength > end ? end : offset + 40 + payloadLength;
          kinds[count] = 8; offsets[count] = offset; headerLengths[count] = 40; ends[count] = layerEnd;
          introducers[count] = introducedBy; quotedFlags[count] = quoting; count++;
          const nextHeader = data[offset + 6]!;
          kind = IPV6_NEXT_HEADER_LOOKUP[nextHeader]!;
          offset += 40;
          end = layerEnd;
          introducedBy = nextHeader;
          if (kind === 22 && offset >= end) kind = 0;
          continue;
        }
        case 13: /* tcp */ {
          if (available < 20) break;
          const headerLength = (data[offset + 12]! >> 4) << 2;
          if (headerLength < 20 || available < headerLength) break;
          kinds[count] = 13; offsets[count] = offset; headerLengths[count] = headerLength; ends[count] = end;
          introducers[count] = introducedBy; quotedFlags[count] = quoting; count++;
          offset += headerLength;
          introducedBy = -1;
          kind = offset >= end ? 0 : 22;
          continue;
        }
        case 12: /* udp */ {
          if (available < 8) break;
          const length = (data[offset + 4]! << 8) | data[offset + 5]!;
          // A length below 8 is a warning: decodeStep records it.
          if (length < 8) break;
          const layerEnd = offset + length > end ? end : offset + length;
          kinds[count] = 12; offsets[count] = offset; headerLengths[count] = 8; ends[count] = layerEnd;
          introducers[count] = introducedBy; quotedFlags[count] = quoting; count++;
          const source = (data[offset]! << 8) | data[offset + 1]!;
          const destination = (data[offset + 2]! << 8) | data[offset + 3]!;
          // The lower port's protocol, else the higher port's (tshark's order), else a payload.
          const byLow = UDP_PORT_LOOKUP[source < destination ? source : destination]!;
          kind = byLow !== 22 ? byLow : UDP_PORT_LOOKUP[source < destination ? destination : source]!;
          offset += 8;
          end = layerEnd;
          introducedBy = -1;
          if (kind === 22 && offset >= end) kind = 0;
          continue;
        }
        case 16: /* vxlan */ {
          if (available < 8) break;
          kinds[count] = 16; offsets[count] = offset; headerLengths[count] = 8; ends[count] = end;
          introducers[count] = introducedBy; quotedFlags[count] = quoting; count++;
          offset += 8;
          introducedBy = -1;
          kind = 1;
          continue;
        }
        case 11: /* gre */ {
          if (available < 4) break;
          const flags = data[offset]!;
          // Checksum (or RFC 1701 routing) word, key and sequence number, each 4 bytes when present.
          const headerLength = 4 + ((flags & 0xc0) !== 0 ? 4 : 0) + ((flags & 0x20) !== 0 ? 4 : 0) + ((flags & 0x10) !== 0 ? 4 : 0);
          if (available < headerLength) break;
          kinds[count] = 11; offsets[count] = offset; headerLengths[count] = headerLength; ends[count] = end;
          introducers[count] = introducedBy; quotedFlags[count] = quoting; count++;
          const protocolType = (data[offset + 2]! << 8) | data[offset + 3]!;
          // Version 0 without RFC 1701 source routes carries what its protocol type announces; anything else a payload.
          kind = (data[offset + 1]! & 0x07) !== 0 || (flags & 0x40) !== 0 ? 22 : GRE_PROTOCOL_LOOKUP[protocolType]!;
          offset += headerLength;
          introducedBy = protocolType;
          if (kind === 22 && offset >= end) kind = 0;
          continue;
        }
        case 14: /* icmp */ case 15: /* icmpv6 */ {
          if (available < 8) break;
          kinds[count] = kind; offsets[count] = offset; headerLengths[count] = 8; ends[count] = end;
          introducers[count] = introducedBy; quotedFlags[count] = quoting; count++;
          // Error messages quote the packet that caused them: what follows is inside the quote.
          kind = kind === 14 ? icmpTypeLookup[data[offset]!]! : icmpv6TypeLookup[data[offset]!]!;
          if (kind !== 22) { quoting = 1; layers.quoting = true; }
          offset += 8;
          introducedBy = -1;
          if (kind === 22 && offset >= end) kind = 0;
          continue;
        }
        case 6: /* arp */ {
          if (available < 8) break;
          const headerLength = 8 + 2 * (data[offset + 4]! + data[offset + 5]!);
          if (available < headerLength) break;
          kinds[count] = 6; offsets[count] = offset; headerLengths[count] = headerLength; ends[count] = offset + headerLength;
          introducers[count] = introducedBy; quotedFlags[count] = quoting; count++;
          offset += headerLength;
          introducedBy = -1;
          kind = offset >= end ? 0 : 22;
          continue;
        }
        case 17: /* geneve */ {
          if (available < 8) break;
          const headerLength = 8 + ((data[offset]! & 0x3f) << 2);
          if (available < headerLength) break;
          kinds[count] = 17; offsets[count] = offset; headerLengths[count] = headerLength; ends[count] = end;
          introducers[count] = introducedBy; quotedFlags[count] = quoting; count++;
          const protocolType = (data[offset + 2]! << 8) | data[offset + 3]!;
          kind = GRE_PROTOCOL_LOOKUP[protocolType]!;
          offset += headerLength;
          introducedBy = protocolType;
          if (kind === 22 && offset >= end) kind = 0;
          continue;
        }
        case 9: /* ipv6Extension */ {
          if (available < 8) break;
          // The authentication header counts 4-byte units minus 2, the others 8-byte units beyond the first 8.
          const headerLength = introducedBy === 51 ? (data[offset + 1]! + 2) << 2 : (data[offset + 1]! + 1) << 3;
          if (available < headerLength) break;
          kinds[count] = 9; offsets[count] = offset; headerLengths[count] = headerLength; ends[count] = end;
          introducers[count] = introducedBy; quotedFlags[count] = quoting; count++;
          const nextHeader = data[offset]!;
          kind = IPV6_NEXT_HEADER_LOOKUP[nextHeader]!;
          offset += headerLength;
          introducedBy = nextHeader;
          if (kind === 22 && offset >= end) kind = 0;
          continue;
        }
        case 10: /* ipv6Fragment */ {
          if (available < 8) break;
          kinds[count] = 10; offsets[count] = offset; headerLengths[count] = 8; ends[count] = end;
          introducers[count] = introducedBy; quotedFlags[count] = quoting; count++;
          const nextHeader = data[offset]!;
          // Non-first fragments carry a payload; a first fragment what its next header announces.
          kind = (((data[offset + 2]! << 8) | data[offset + 3]!) >> 3) !== 0 ? 22 : IPV6_NEXT_HEADER_LOOKUP[nextHeader]!;
          offset += 8;
          introducedBy = nextHeader;
          if (kind === 22 && offset >= end) kind = 0;
          continue;
        }
        case 22: /* payload */ {
          kinds[count] = 22; offsets[count] = offset; headerLengths[count] = available; ends[count] = end;
          introducers[count] = introducedBy; quotedFlags[count] = quoting; count++;
          kind = 0;
          continue;
        }
        default: break;
      }
      // The general path: the protocol's decode function, with the loop's state handed over on `layers`.
      layers.count = count;
      layers.nextIntroducedBy = introducedBy;
      decodeStep(layers, kind, offset, end, introducedBy);
      count = layers.count;
      if (layers.errorKind !== 0) {
        // Where the failing layer started and what extent it had (fail() may have named the layer offset itself).
        if (layers.errorLayerOffset < 0) layers.errorLayerOffset = offset;
        layers.errorEnd = end;
        layers.errorIntroducedBy = introducedBy;
        return layers;
      }
      quoting = layers.quoting ? 1 : 0;
      kind = layers.nextKind;
      offset = layers.nextOffset;
      end = layers.nextEnd;
      introducedBy = layers.nextIntroducedBy;
    }
    layers.count = count;
    return layers;
  }
}
