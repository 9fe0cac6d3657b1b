import { LinkType } from '../capture/linktype.js';
import { PacketDecoder } from './decoder.js';
import { Ipv4View } from './ipv4.js';
import { layerTypeName } from './kinds.js';
import { UdpView } from './udp.js';
import type { Layer } from './layers.js';
import { viewOfLayer } from './layer-view.js';
import type { AnyLayerView } from './layer-view.js';
import type { PacketDecodeIssue, PacketLayers } from './packet-layers.js';
import { PayloadView } from './payload.js';
import { VlanView } from './vlan.js';

/** Where a decoded layer sits in the packet. */
export interface LayerPlacement {
  /** Absolute offset of the layer's first byte. */
  offset: number;
  /** Length of the layer's header (all of it for a payload); not `length`, which UDP and PPPoE use for their own field. */
  headerLength: number;
  /** True inside the packet an ICMP or ICMPv6 error quotes. */
  quoted?: boolean;
}

/** A layer of src/packet/layers.ts (PPPoE, ICMP, ICMPv6 as the builders shape them) with its place in the packet. */
export type DecodedLayer = Layer & LayerPlacement;

/** What `decodePacket` returns: the layers outermost first, and why decoding stopped early if it did. */
export interface DecodedPacket {
  linkType: number;
  /** Captured length. */
  length: number;
  layers: DecodedLayer[];
  /** Set when the packet is truncated or malformed: the layers before it decoded. */
  error?: PacketDecodeIssue;
  /** Problems that did not stop decoding (wrong IPv4 header checksum, UDP length below 8). */
  warnings: PacketDecodeIssue[];
}

/** Converts layer `index` of a hot-path result into its plain object with its placement. */
export function layerObject(layers: PacketLayers, index: number, view: AnyLayerView = viewOfLayer(layers, index)): DecodedLayer {
  const placement: LayerPlacement = { offset: layers.offsets[index]!, headerLength: layers.headerLengths[index]! };
  if (layers.quoted[index]) placement.quoted = true;
  if (view instanceof PayloadView) return { type: 'payload', data: view.bytes, ...placement };
  const fields = view instanceof VlanView ? view.toFields(layers.introducedBy[index]!) : view.toFields();
  return { type: layerTypeName(layers.kinds[index]!), ...fields, ...placement } as DecodedLayer;
}

/** Converts a hot-path result into plain objects. */
export function packetObject(layers: PacketLayers): DecodedPacket {
  const result: DecodedPacket = { linkType: layers.linkType, length: layers.data.length, layers: [], warnings: [] };
  for (let i = 0; i < layers.count; i++) {
    const view = viewOfLayer(layers, i);
    result.layers.push(layerObject(layers, i, view));
    // The hot path keeps only the first warning; collect them all here.
    if (view instanceof Ipv4View && !view.checksumValid) {
      result.warnings.push({ layer: 'ipv4', field: 'headerChecksum', offset: layers.offsets[i]! + 10, reason: 'ipv4 header checksum is wrong' });
    }
    if (view instanceof UdpView && view.length < 8) {
      result.warnings.push({ layer: 'udp', field: 'length', offset: layers.offsets[i]! + 4, reason: `udp length ${view.length} is below 8` });
    }
  }
  const error = layers.error;
  if (error) result.error = error;
  return result;
}

const shared = new PacketDecoder();

/** Decodes one packet into plain objects (the convenience API; never throws on any bytes). */
export function decodePacket(data: Uint8Array, linkType: number = LinkType.EN10MB): DecodedPacket {
  return packetObject(shared.decode(data, linkType));
}
