import { LinkType } from '../capture/linktype.js';
import { decodeArp } from './arp.js';
import { decodeEthernet } from './ethernet.js';
import { decodeGeneve } from './geneve.js';
import { decodeGre } from './gre.js';
import { decodeIcmp } from './icmp.js';
import { decodeIcmpv6 } from './icmpv6.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
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
import { decodeUdp } from './udp.js';
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
 * The allocation-free decoder (the model is gopacket's DecodingLayerParser): `decode` fills one
 * reused `PacketLayers` with the kind, offset, header length and extent of every layer. Lax: a
 * truncated or malformed packet keeps the layers that decoded and sets the error. Never throws.
 */
export class PacketDecoder {
  /** The reused result; read it before the next `decode`. */
  readonly layers = new PacketLayers();

  /** Decodes `data` captured on a link of type `linkType` (EN10MB by default) and returns the reused result. */
  decode(data: Uint8Array, linkType: number = LinkType.EN10MB): PacketLayers {
    const layers = this.layers;
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
}
