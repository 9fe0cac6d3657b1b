import { formatHex } from './bytes.js';
import type { FieldLayout, FieldSink } from './field-layout.js';
import { ipv6NextHeaderLayer } from './ipv6.js';
import { LayerKind } from './kinds.js';
import type { Ipv6ExtensionFields } from './layers.js';
import type { PacketLayers } from './packet-layers.js';
import { LayerView } from './view.js';

/** Fields shared by hop-by-hop (0), routing (43) and destination options (60) headers (RFC 8200) and AH (51, RFC 4302). */
export const IPV6_EXTENSION_LAYOUT: readonly FieldLayout[] = [
  { name: 'nextHeader', offset: 0, size: 1 },
  { name: 'headerExtLength', offset: 1, size: 1 },
  { name: 'body', offset: 2, size: 6 },
];

/** The IPv6 next-header value of the authentication header, whose length counts 4-byte words minus 2. */
export const IPV6_AUTHENTICATION_HEADER = 51;

/** Zero-copy view of an IPv6 extension header; `headerType` is the next-header value that announced it. */
export class Ipv6ExtensionView extends LayerView {
  /** Next-header value that introduced this header (0, 43, 60 or 51); set by whoever points the view. */
  declare headerType: number;

  constructor(data?: Uint8Array, offset = 0, end?: number) {
    super(data, offset, end);
    this.headerType = 0;
  }
  override get layerName(): string { return 'ipv6Extension'; }
  override get minimumLength(): number { return 8; }
  get nextHeader(): number { return this.data[this.offset]!; }
  /** The length field as on the wire (8-byte units beyond the first 8; AH: 4-byte units minus 2). */
  get headerExtLength(): number { return this.data[this.offset + 1]!; }
  get headerLength(): number {
    const field = this.data[this.offset + 1]!;
    return this.headerType === IPV6_AUTHENTICATION_HEADER ? (field + 2) * 4 : (field + 1) * 8;
  }
  /** Bytes after the two first ones (options, routing data, AH fields), as a subarray. */
  get body(): Uint8Array { return this.data.subarray(this.offset + 2, this.offset + this.headerLength); }

  /** What the next header value announces. */
  nextLayer(): number { return ipv6NextHeaderLayer(this.nextHeader); }

  toFields(): Ipv6ExtensionFields {
    return { headerType: this.headerType, nextHeader: this.nextHeader, headerExtLength: this.headerExtLength, body: this.body };
  }

  describeFields(sink: FieldSink): void {
    sink.add('nextHeader', 0, 1, this.nextHeader);
    sink.add('headerExtLength', 1, 1, this.headerExtLength);
    sink.add('body', 2, this.headerLength - 2, formatHex(this.data, this.offset + 2, this.headerLength - 2));
  }
}

const scratch = new Ipv6ExtensionView();

/** Decodes an IPv6 extension header of type `headerType` at `offset` and sets the next step. */
export function decodeIpv6Extension(layers: PacketLayers, offset: number, end: number, headerType: number): void {
  if (end - offset < 8) return layers.truncated(LayerKind.ipv6Extension, IPV6_EXTENSION_LAYOUT, offset, end, 8);
  const view = scratch.point(layers.data, offset, end);
  view.headerType = headerType;
  const length = view.headerLength;
  if (end - offset < length) {
    return layers.truncated(LayerKind.ipv6Extension, [{ name: 'body', offset: 2, size: length - 2 }], offset, end, length);
  }
  layers.push(LayerKind.ipv6Extension, offset, length, end);
  layers.next(view.nextLayer(), offset + length, end, view.nextHeader);
}
