import { formatIpv6, readUint16 } from './bytes.js';
import { typeLookup } from './ethertype.js';
import type { FieldLayout, FieldSink } from './field-layout.js';
import { IPV4_PROTOCOL_NEXT_LAYER } from './ipv4.js';
import { LayerKind } from './kinds.js';
import type { Ipv6Fields } from './layers.js';
import type { PacketLayers } from './packet-layers.js';
import { LayerView } from './view.js';

/** IPv6 header fields (RFC 8200). */
export const IPV6_LAYOUT: readonly FieldLayout[] = [
  { name: 'version', offset: 0, size: 1, mask: 0xf0 },
  { name: 'trafficClass', offset: 0, size: 2, mask: 0x0ff0 },
  { name: 'flowLabel', offset: 0, size: 4, mask: 0x000fffff },
  { name: 'payloadLength', offset: 4, size: 2 },
  { name: 'nextHeader', offset: 6, size: 1 },
  { name: 'hopLimit', offset: 7, size: 1 },
  { name: 'source', offset: 8, size: 16 },
  { name: 'destination', offset: 24, size: 16 },
];

/** IPv6 next header -> next layer: the IPv4 protocol table plus the extension headers; ESP (50) and No Next Header (59) stop. */
export const IPV6_NEXT_HEADER_NEXT_LAYER: ReadonlyMap<number, number> = new Map([
  ...IPV4_PROTOCOL_NEXT_LAYER,
  [0, LayerKind.ipv6Extension], // hop-by-hop options
  [43, LayerKind.ipv6Extension], // routing
  [60, LayerKind.ipv6Extension], // destination options
  [51, LayerKind.ipv6Extension], // authentication header
  [44, LayerKind.ipv6Fragment],
]);

/** IPv6 next header -> next layer, as an array indexed by the 8-bit next header. */
export const IPV6_NEXT_HEADER_LOOKUP = typeLookup(IPV6_NEXT_HEADER_NEXT_LAYER, 8);

/** The layer an IPv6 next header value announces (a payload when unknown). */
export function ipv6NextHeaderLayer(nextHeader: number): number {
  return IPV6_NEXT_HEADER_LOOKUP[nextHeader]!;
}

/** Zero-copy view of an IPv6 fixed header (40 bytes). */
export class Ipv6View extends LayerView {
  override get layerName(): string { return 'ipv6'; }
  override get minimumLength(): number { return 40; }
  get headerLength(): number { return 40; }
  get version(): number { return this.data[this.offset]! >> 4; }
  get trafficClass(): number { return (readUint16(this.data, this.offset) >> 4) & 0xff; }
  get flowLabel(): number { return ((this.data[this.offset + 1]! & 0x0f) << 16) | readUint16(this.data, this.offset + 2); }
  get payloadLength(): number { return readUint16(this.data, this.offset + 4); }
  get nextHeader(): number { return this.data[this.offset + 6]!; }
  get hopLimit(): number { return this.data[this.offset + 7]!; }
  get source(): string { return formatIpv6(this.data, this.offset + 8); }
  get destination(): string { return formatIpv6(this.data, this.offset + 24); }

  /** What the next header value announces. */
  nextLayer(): number { return IPV6_NEXT_HEADER_LOOKUP[this.nextHeader]!; }

  toFields(): Ipv6Fields {
    return {
      version: this.version, trafficClass: this.trafficClass, flowLabel: this.flowLabel, payloadLength: this.payloadLength,
      nextHeader: this.nextHeader, hopLimit: this.hopLimit, source: this.source, destination: this.destination,
    };
  }

  describeFields(sink: FieldSink): void {
    sink.add('version', 0, 1, this.version, 0xf0);
    sink.add('trafficClass', 0, 2, this.trafficClass, 0x0ff0);
    sink.add('flowLabel', 0, 4, this.flowLabel, 0x000fffff);
    sink.add('payloadLength', 4, 2, this.payloadLength);
    sink.add('nextHeader', 6, 1, this.nextHeader);
    sink.add('hopLimit', 7, 1, this.hopLimit);
    sink.add('source', 8, 16, this.source);
    sink.add('destination', 24, 16, this.destination);
  }
}

/** Decodes an IPv6 header at `offset` and sets the next step (payload length 0, a jumbogram, keeps the captured extent). */
export function decodeIpv6(layers: PacketLayers, offset: number, end: number): void {
  if (end - offset < 40) return layers.truncated(LayerKind.ipv6, IPV6_LAYOUT, offset, end, 40);
  const data = layers.data;
  const version = data[offset]! >> 4;
  if (version !== 6) return layers.fail(LayerKind.ipv6, 'version', offset, `ipv6 version is ${version}, not 6`);
  const payloadLength = (data[offset + 4]! << 8) | data[offset + 5]!;
  const layerEnd = payloadLength === 0 ? end : Math.min(end, offset + 40 + payloadLength);
  layers.push(LayerKind.ipv6, offset, 40, layerEnd);
  const nextHeader = data[offset + 6]!;
  layers.next(IPV6_NEXT_HEADER_LOOKUP[nextHeader]!, offset + 40, layerEnd, nextHeader);
}
