import { formatHex, formatIpv4, readUint16 } from './bytes.js';
import { typeLookup } from './ethertype.js';
import type { FieldLayout, FieldSink } from './field-layout.js';
import { LayerKind } from './kinds.js';
import type { Ipv4Fields } from './layers.js';
import type { PacketLayers } from './packet-layers.js';
import { LayerView } from './view.js';

/** IPv4 header fields (RFC 791; DSCP/ECN per RFC 2474 and RFC 3168). */
export const IPV4_LAYOUT: readonly FieldLayout[] = [
  { name: 'version', offset: 0, size: 1, mask: 0xf0 },
  { name: 'ihl', offset: 0, size: 1, mask: 0x0f },
  { name: 'dscp', offset: 1, size: 1, mask: 0xfc },
  { name: 'ecn', offset: 1, size: 1, mask: 0x03 },
  { name: 'totalLength', offset: 2, size: 2 },
  { name: 'identification', offset: 4, size: 2 },
  { name: 'reservedFlag', offset: 6, size: 1, mask: 0x80 },
  { name: 'dontFragment', offset: 6, size: 1, mask: 0x40 },
  { name: 'moreFragments', offset: 6, size: 1, mask: 0x20 },
  { name: 'fragOffset', offset: 6, size: 2, mask: 0x1fff },
  { name: 'ttl', offset: 8, size: 1 },
  { name: 'protocol', offset: 9, size: 1 },
  { name: 'headerChecksum', offset: 10, size: 2 },
  { name: 'source', offset: 12, size: 4 },
  { name: 'destination', offset: 16, size: 4 },
];

/** IPv4 protocol number -> next layer (IANA protocol numbers); ESP (50) and others stay a payload. */
export const IPV4_PROTOCOL_NEXT_LAYER: ReadonlyMap<number, number> = new Map([
  [1, LayerKind.icmp],
  [4, LayerKind.ipv4], // IP in IP
  [6, LayerKind.tcp],
  [17, LayerKind.udp],
  [41, LayerKind.ipv6], // 6in4
  [47, LayerKind.gre],
  [58, LayerKind.icmpv6],
  [137, LayerKind.mpls], // MPLS in IP (RFC 4023)
]);

/** IPv4 protocol -> next layer, as an array indexed by the 8-bit protocol. */
export const IPV4_PROTOCOL_LOOKUP = typeLookup(IPV4_PROTOCOL_NEXT_LAYER, 8);

/** The one's-complement sum of `length` bytes at `offset` (RFC 1071), folded to 16 bits. */
export function internetChecksumSum(data: Uint8Array, offset: number, length: number): number {
  if (length === 20) {
    // The common option-less header, unrolled.
    let sum = ((data[offset]! << 8) | data[offset + 1]!) + ((data[offset + 2]! << 8) | data[offset + 3]!)
      + ((data[offset + 4]! << 8) | data[offset + 5]!) + ((data[offset + 6]! << 8) | data[offset + 7]!)
      + ((data[offset + 8]! << 8) | data[offset + 9]!) + ((data[offset + 10]! << 8) | data[offset + 11]!)
      + ((data[offset + 12]! << 8) | data[offset + 13]!) + ((data[offset + 14]! << 8) | data[offset + 15]!)
      + ((data[offset + 16]! << 8) | data[offset + 17]!) + ((data[offset + 18]! << 8) | data[offset + 19]!);
    sum = (sum & 0xffff) + (sum >>> 16);
    return (sum & 0xffff) + (sum >>> 16);
  }
  let sum = 0;
  const last = offset + (length & ~1);
  for (let i = offset; i < last; i += 2) sum += (data[i]! << 8) | data[i + 1]!;
  if (length & 1) sum += data[offset + length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** Zero-copy view of an IPv4 header (20 to 60 bytes). */
export class Ipv4View extends LayerView {
  override get layerName(): string { return 'ipv4'; }
  override get minimumLength(): number { return 20; }
  get version(): number { return this.data[this.offset]! >> 4; }
  /** Internet header length in 32-bit words. */
  get ihl(): number { return this.data[this.offset]! & 0x0f; }
  get headerLength(): number { return (this.data[this.offset]! & 0x0f) * 4; }
  get dscp(): number { return this.data[this.offset + 1]! >> 2; }
  get ecn(): number { return this.data[this.offset + 1]! & 3; }
  get totalLength(): number { return readUint16(this.data, this.offset + 2); }
  get identification(): number { return readUint16(this.data, this.offset + 4); }
  get reservedFlag(): boolean { return (this.data[this.offset + 6]! & 0x80) !== 0; }
  get dontFragment(): boolean { return (this.data[this.offset + 6]! & 0x40) !== 0; }
  get moreFragments(): boolean { return (this.data[this.offset + 6]! & 0x20) !== 0; }
  /** Fragment offset in 8-byte units. */
  get fragOffset(): number { return readUint16(this.data, this.offset + 6) & 0x1fff; }
  get ttl(): number { return this.data[this.offset + 8]!; }
  get protocol(): number { return this.data[this.offset + 9]!; }
  get headerChecksum(): number { return readUint16(this.data, this.offset + 10); }
  get source(): string { return formatIpv4(this.data, this.offset + 12); }
  get destination(): string { return formatIpv4(this.data, this.offset + 16); }
  /** Source address as an unsigned 32-bit number. */
  get sourceNumber(): number { return ((this.data[this.offset + 12]! << 24) | (this.data[this.offset + 13]! << 16) | (this.data[this.offset + 14]! << 8) | this.data[this.offset + 15]!) >>> 0; }
  /** Raw option bytes (a subarray, no copy). */
  get options(): Uint8Array { return this.data.subarray(this.offset + 20, this.offset + this.headerLength); }
  /** True when the header checksum verifies (RFC 1071: the sum over the header is 0xffff). */
  get checksumValid(): boolean { return internetChecksumSum(this.data, this.offset, this.headerLength) === 0xffff; }

  /** Non-first fragments carry a payload; others what the protocol number announces. */
  nextLayer(): number {
    return this.fragOffset !== 0 ? LayerKind.payload : IPV4_PROTOCOL_LOOKUP[this.protocol]!;
  }

  toFields(): Ipv4Fields {
    return {
      version: this.version, ihl: this.ihl, dscp: this.dscp, ecn: this.ecn, totalLength: this.totalLength,
      identification: this.identification, reservedFlag: this.reservedFlag, dontFragment: this.dontFragment,
      moreFragments: this.moreFragments, fragOffset: this.fragOffset, ttl: this.ttl, protocol: this.protocol,
      headerChecksum: this.headerChecksum, source: this.source, destination: this.destination, options: this.options,
    };
  }

  describeFields(sink: FieldSink): void {
    sink.add('version', 0, 1, this.version, 0xf0);
    sink.add('ihl', 0, 1, this.ihl, 0x0f);
    sink.add('dscp', 1, 1, this.dscp, 0xfc);
    sink.add('ecn', 1, 1, this.ecn, 0x03);
    sink.add('totalLength', 2, 2, this.totalLength);
    sink.add('identification', 4, 2, this.identification);
    sink.add('reservedFlag', 6, 1, this.reservedFlag, 0x80);
    sink.add('dontFragment', 6, 1, this.dontFragment, 0x40);
    sink.add('moreFragments', 6, 1, this.moreFragments, 0x20);
    sink.add('fragOffset', 6, 2, this.fragOffset, 0x1fff);
    sink.add('ttl', 8, 1, this.ttl);
    sink.add('protocol', 9, 1, this.protocol);
    sink.add('headerChecksum', 10, 2, this.headerChecksum);
    sink.add('source', 12, 4, this.source);
    sink.add('destination', 16, 4, this.destination);
    const optionLength = this.headerLength - 20;
    if (optionLength > 0) sink.add('options', 20, optionLength, formatHex(this.data, this.offset + 20, optionLength));
  }
}

/** Decodes an IPv4 header at `offset`, checks its lengths and checksum, and sets the next step. */
export function decodeIpv4(layers: PacketLayers, offset: number, end: number): void {
  if (end - offset < 20) return layers.truncated(LayerKind.ipv4, IPV4_LAYOUT, offset, end, 20);
  const data = layers.data;
  const first = data[offset]!;
  const version = first >> 4;
  if (version !== 4) return layers.fail(LayerKind.ipv4, 'version', offset, `ipv4 version is ${version}, not 4`);
  const headerLength = (first & 0x0f) << 2;
  if (headerLength < 20) return layers.fail(LayerKind.ipv4, 'ihl', offset, `ipv4 ihl is ${headerLength >> 2}, below the minimum 5`);
  if (end - offset < headerLength) {
    return layers.truncated(LayerKind.ipv4, [{ name: 'options', offset: 20, size: headerLength - 20 }], offset, end, headerLength);
  }
  const totalLength = (data[offset + 2]! << 8) | data[offset + 3]!;
  // Total length 0 is what TCP segmentation offload leaves in captures: take the captured extent.
  if (totalLength !== 0 && totalLength < headerLength) {
    return layers.fail(LayerKind.ipv4, 'totalLength', offset + 2, `ipv4 total length ${totalLength} is below the header length ${headerLength}`);
  }
  const layerEnd = totalLength === 0 ? end : Math.min(end, offset + totalLength);
  layers.push(LayerKind.ipv4, offset, headerLength, layerEnd);
  if (internetChecksumSum(data, offset, headerLength) !== 0xffff) {
    layers.warn(LayerKind.ipv4, 'headerChecksum', offset + 10, `ipv4 header checksum 0x${readUint16(data, offset + 10).toString(16).padStart(4, '0')} is wrong`);
  }
  const protocol = data[offset + 9]!;
  // Non-first fragments carry a payload; others what the protocol number announces.
  const next = (((data[offset + 6]! & 0x1f) << 8) | data[offset + 7]!) !== 0 ? LayerKind.payload : IPV4_PROTOCOL_LOOKUP[protocol]!;
  layers.next(next, offset + headerLength, layerEnd, protocol);
}
