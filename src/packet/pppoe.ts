import { readUint16 } from './bytes.js';
import type { FieldLayout, FieldSink } from './field-layout.js';
import { LayerKind } from './kinds.js';
import type { Layer } from './layers.js';
import type { PacketLayers } from './packet-layers.js';
import { LayerView } from './view.js';

/** PPPoE header fields (RFC 2516) and, for sessions, the PPP protocol field that follows. */
export const PPPOE_LAYOUT: readonly FieldLayout[] = [
  { name: 'version', offset: 0, size: 1, mask: 0xf0 },
  { name: 'type', offset: 0, size: 1, mask: 0x0f },
  { name: 'code', offset: 1, size: 1 },
  { name: 'sessionId', offset: 2, size: 2 },
  { name: 'length', offset: 4, size: 2 },
  { name: 'pppProtocol', offset: 6, size: 2 },
];

/** PPP protocol number -> next layer (RFC 1661 assigned numbers). */
export const PPP_PROTOCOL_NEXT_LAYER: ReadonlyMap<number, number> = new Map([
  [0x0021, LayerKind.ipv4],
  [0x0057, LayerKind.ipv6],
  [0x0281, LayerKind.mpls],
  [0x0283, LayerKind.mpls],
]);

/** The EtherType of PPPoE sessions; 0x8863 (discovery) has no PPP protocol field. */
export const PPPOE_SESSION_ETHER_TYPE = 0x8864;

/** Zero-copy view of a PPPoE header (6 bytes, 8 with the PPP protocol of a session). */
export class PppoeView extends LayerView {
  /** True for a session packet (EtherType 0x8864); set by whoever points the view. */
  declare session: boolean;

  constructor(data?: Uint8Array, offset = 0, end?: number) {
    super(data, offset, end);
    this.session = true;
  }
  override get layerName(): string { return 'pppoe'; }
  override get minimumLength(): number { return this.session !== false ? 8 : 6; }
  get headerLength(): number { return this.session ? 8 : 6; }
  get version(): number { return this.data[this.offset]! >> 4; }
  get type(): number { return this.data[this.offset]! & 0x0f; }
  get code(): number { return this.data[this.offset + 1]!; }
  get sessionId(): number { return readUint16(this.data, this.offset + 2); }
  /** Length of the PPPoE payload (the PPP protocol field included). */
  get length(): number { return readUint16(this.data, this.offset + 4); }
  get pppProtocol(): number { return readUint16(this.data, this.offset + 6); }

  /** Sessions carry what the PPP protocol announces; discovery packets carry tags (a payload). */
  nextLayer(): number {
    return this.session ? PPP_PROTOCOL_NEXT_LAYER.get(this.pppProtocol) ?? LayerKind.payload : LayerKind.payload;
  }

  toFields(): Omit<Extract<Layer, { type: 'pppoe' }>, 'type'> {
    const fields: Omit<Extract<Layer, { type: 'pppoe' }>, 'type'> = { version: this.version, pppoeType: this.type, code: this.code, sessionId: this.sessionId, length: this.length };
    if (this.session) fields.pppProtocol = this.pppProtocol;
    return fields;
  }

  describeFields(sink: FieldSink): void {
    sink.add('version', 0, 1, this.version, 0xf0);
    sink.add('type', 0, 1, this.type, 0x0f);
    sink.add('code', 1, 1, this.code);
    sink.add('sessionId', 2, 2, this.sessionId);
    sink.add('length', 4, 2, this.length);
    if (this.session) sink.add('pppProtocol', 6, 2, this.pppProtocol);
  }
}

const scratch = new PppoeView();

/** Decodes a PPPoE header at `offset` (a session one when `etherType` is 0x8864) and sets the next step. */
export function decodePppoe(layers: PacketLayers, offset: number, end: number, etherType: number): void {
  const session = etherType === PPPOE_SESSION_ETHER_TYPE;
  const length = session ? 8 : 6;
  if (end - offset < length) return layers.truncated(LayerKind.pppoe, session ? PPPOE_LAYOUT : PPPOE_LAYOUT.slice(0, 5), offset, end, length);
  const view = scratch.point(layers.data, offset, end);
  view.session = session;
  layers.push(LayerKind.pppoe, offset, length, end);
  const payloadEnd = Math.min(end, offset + 6 + view.length);
  layers.next(view.nextLayer(), offset + length, Math.max(payloadEnd, offset + length));
}
