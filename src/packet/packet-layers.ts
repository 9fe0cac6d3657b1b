import { firstMissingField, type FieldLayout } from './field-layout.js';
import { LayerKind, layerTypeName } from './kinds.js';

/** Most layers one packet decodes into; deeper stacks stop with an error (bounds tunnel recursion). */
export const MAX_DECODED_LAYERS = 32;

/** Where and why decoding stopped (or, for a warning, what looked wrong while it went on). */
export interface PacketDecodeIssue {
  /** Layer type that could not be decoded (`ipv4`). */
  layer: string;
  /** Field of that layer (`ihl`, `options`, `totalLength`). */
  field: string;
  /** Absolute byte offset of that field in the packet. */
  offset: number;
  /** What was wrong, in words. */
  reason: string;
  /** Absolute offset of the header that failed (errors only). */
  layerOffset?: number;
}

/**
 * The reused result of the allocation-free decoder: parallel arrays with one entry per decoded
 * layer, outermost first. Valid until the next `decode` call on the same decoder.
 */
export class PacketLayers {
  /** The bytes decoded. */
  data: Uint8Array = new Uint8Array(0);
  /** LINKTYPE_* the bytes were decoded as. */
  linkType = 1;
  /** Number of decoded layers. */
  count = 0;
  /** `LayerKind` code of each layer. */
  readonly kinds = new Uint8Array(MAX_DECODED_LAYERS);
  /** Absolute offset of each layer's header. */
  readonly offsets = new Int32Array(MAX_DECODED_LAYERS);
  /** Length of each layer's header (options and extensions included; all of it for a payload). */
  readonly headerLengths = new Int32Array(MAX_DECODED_LAYERS);
  /** End (exclusive) of each layer's extent: its header plus payload, trimmed by its length field. */
  readonly ends = new Int32Array(MAX_DECODED_LAYERS);
  /** The type number that introduced each layer (EtherType before a VLAN tag or PPPoE, IPv6 next header before an extension), or -1. */
  readonly introducedBy = new Int32Array(MAX_DECODED_LAYERS);
  /** 1 for layers inside the packet quoted by an ICMP or ICMPv6 error, else 0. */
  readonly quoted = new Uint8Array(MAX_DECODED_LAYERS);

  /** `LayerKind` of the layer that failed, or 0 when the whole packet decoded. */
  errorKind = 0;
  errorField = '';
  errorOffset = -1;
  errorReason = '';
  /** Absolute offset of the header of the layer that failed (where its decoding started), or -1. */
  errorLayerOffset = -1;
  /** End of the extent the failed layer had, and the type number that introduced it. */
  errorEnd = -1;
  errorIntroducedBy = -1;
  /** Inside an ICMP error's quote, the header that was cut short (its bytes became the payload), or 0. */
  cutKind = 0;
  cutOffset = -1;
  cutEnd = -1;
  cutIntroducedBy = -1;
  /** Number of warnings (bad checksums, inconsistent lengths); the first is kept. */
  warningCount = 0;
  warningKind = 0;
  warningField = '';
  warningOffset = -1;
  warningReason = '';

  /** @internal Next step of the decode loop, set by each protocol's decode function. */
  nextKind = 0;
  /** @internal */
  nextOffset = 0;
  /** @internal */
  nextEnd = 0;
  /** @internal */
  nextIntroducedBy = -1;
  /** @internal True once an ICMP error's quoted packet is being decoded. */
  quoting = false;

  /** Clears the result for a new packet. */
  reset(data: Uint8Array, linkType: number): void {
    this.data = data;
    this.linkType = linkType;
    this.count = 0;
    // The other error and warning fields are only meaningful while errorKind / warningCount say so.
    this.errorKind = 0;
    this.errorLayerOffset = -1;
    this.cutKind = 0;
    this.warningCount = 0;
    this.quoting = false;
    this.nextIntroducedBy = -1;
  }

  /** Appends a decoded layer (the decode loop keeps the count below MAX_DECODED_LAYERS); its introducing type is the one `next` last set. */
  push(kind: number, offset: number, headerLength: number, end: number): boolean {
    const index = this.count;
    this.kinds[index] = kind;
    this.offsets[index] = offset;
    this.headerLengths[index] = headerLength;
    this.ends[index] = end;
    this.introducedBy[index] = this.nextIntroducedBy;
    this.quoted[index] = this.quoting ? 1 : 0;
    this.count = index + 1;
    return true;
  }

  /** Sets what the decode loop does next (`LayerKind.payload` with no bytes left ends it). */
  next(kind: number, offset: number, end: number, introducedBy = -1): void {
    this.nextKind = kind === LayerKind.payload && offset >= end ? LayerKind.none : kind;
    this.nextOffset = offset;
    this.nextEnd = end;
    this.nextIntroducedBy = introducedBy;
  }

  /** Stops decoding with an error at `offset` (in a header starting at `layerOffset`; by default the decode loop fills in the layer being decoded). */
  fail(kind: number, field: string, offset: number, reason: string, layerOffset = -1): void {
    this.errorLayerOffset = layerOffset;
    this.errorKind = kind;
    this.errorField = field;
    this.errorOffset = offset;
    this.errorReason = reason;
    this.nextKind = LayerKind.none;
  }

  /**
   * Handles a header that does not fit: inside an ICMP error's quote (which RFC 792 cuts after 8 bytes
   * of transport header) the rest becomes a payload; elsewhere decoding stops on the first missing field.
   */
  truncated(kind: number, layout: readonly FieldLayout[], offset: number, end: number, needed: number): void {
    if (this.quoting) {
      this.cutKind = kind;
      this.cutOffset = offset;
      this.cutEnd = end;
      this.cutIntroducedBy = this.nextIntroducedBy;
      this.next(LayerKind.payload, offset, end);
      return;
    }
    const available = Math.max(0, end - offset);
    const field = firstMissingField(layout, available);
    const fieldOffset = Math.min(offset + field.offset, offset + available);
    this.fail(kind, field.name, fieldOffset, `${layerTypeName(kind)} header needs ${needed} bytes, ${available} captured`, offset);
  }

  /** Records a problem that does not stop decoding. */
  warn(kind: number, field: string, offset: number, reason: string): void {
    if (this.warningCount++ > 0) return;
    this.warningKind = kind;
    this.warningField = field;
    this.warningOffset = offset;
    this.warningReason = reason;
  }

  /** The error that stopped decoding, as an object, or undefined when the packet decoded fully. */
  get error(): PacketDecodeIssue | undefined {
    if (this.errorKind === 0) return undefined;
    return { layer: layerTypeName(this.errorKind), field: this.errorField, offset: this.errorOffset, reason: this.errorReason, layerOffset: this.errorLayerOffset };
  }
}
