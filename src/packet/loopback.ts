import { readUint32, readUint32Le } from './bytes.js';
import type { FieldLayout, FieldSink } from './field-layout.js';
import { LayerKind } from './kinds.js';
import type { LoopbackFields } from './layers.js';
import type { PacketLayers } from './packet-layers.js';
import { LayerView } from './view.js';

/** BSD loopback header: one 4-byte address family (LINKTYPE_NULL: capturing host's order; LINKTYPE_LOOP: network order). */
export const LOOPBACK_LAYOUT: readonly FieldLayout[] = [{ name: 'family', offset: 0, size: 4 }];

/** Address family -> next layer: AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD, OpenBSD), 28 (FreeBSD), 30 (macOS). */
export const LOOPBACK_FAMILY_NEXT_LAYER: ReadonlyMap<number, number> = new Map([
  [2, LayerKind.ipv4],
  [24, LayerKind.ipv6],
  [28, LayerKind.ipv6],
  [30, LayerKind.ipv6],
]);

/** Zero-copy view of a NULL or LOOP header (4 bytes). */
export class LoopbackView extends LayerView {
  /** True for LINKTYPE_LOOP (network byte order); set by whoever points the view. */
  declare networkOrder: boolean;

  constructor(data?: Uint8Array, offset = 0, end?: number) {
    super(data, offset, end);
    this.networkOrder = false;
  }
  override get layerName(): string { return this.networkOrder ? 'loop' : 'null'; }
  override get minimumLength(): number { return 4; }
  get headerLength(): number { return 4; }
  /**
   * The address family. For NULL the order is the capturing host's: read little-endian, and when
   * that gives a value above 0xffff the capture came from a big-endian host (libpcap's own test).
   */
  get family(): number {
    if (this.networkOrder) return readUint32(this.data, this.offset);
    const little = readUint32Le(this.data, this.offset);
    return little > 0xffff ? readUint32(this.data, this.offset) : little;
  }

  /** IPv4 or IPv6 by the family, else a payload. */
  nextLayer(): number { return LOOPBACK_FAMILY_NEXT_LAYER.get(this.family) ?? LayerKind.payload; }

  toFields(): LoopbackFields { return { family: this.family }; }

  describeFields(sink: FieldSink): void { sink.add('family', 0, 4, this.family); }
}

const scratch = new LoopbackView();

/** Decodes a NULL (`networkOrder` false) or LOOP header at `offset` and sets the next step. */
export function decodeLoopback(layers: PacketLayers, offset: number, end: number, networkOrder: boolean): void {
  const kind = networkOrder ? LayerKind.loop : LayerKind.null;
  if (end - offset < 4) return layers.truncated(kind, LOOPBACK_LAYOUT, offset, end, 4);
  const view = scratch.point(layers.data, offset, end);
  view.networkOrder = networkOrder;
  layers.push(kind, offset, 4, end);
  layers.next(view.nextLayer(), offset + 4, end);
}
