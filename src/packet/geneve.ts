import { formatHex, readUint16, readUint24 } from './bytes.js';
import type { FieldLayout, FieldSink } from './field-layout.js';
import { greProtocolNextLayer } from './gre.js';
import { LayerKind } from './kinds.js';
import type { GeneveFields, GeneveOption } from './layers.js';
import type { PacketLayers } from './packet-layers.js';
import { LayerView } from './view.js';

/** Geneve fixed header fields (RFC 8926 section 3.4); options follow. */
export const GENEVE_LAYOUT: readonly FieldLayout[] = [
  { name: 'version', offset: 0, size: 1, mask: 0xc0 },
  { name: 'optionsLength', offset: 0, size: 1, mask: 0x3f },
  { name: 'oam', offset: 1, size: 1, mask: 0x80 },
  { name: 'critical', offset: 1, size: 1, mask: 0x40 },
  { name: 'reserved0', offset: 1, size: 1, mask: 0x3f },
  { name: 'protocolType', offset: 2, size: 2 },
  { name: 'vni', offset: 4, size: 4, mask: 0xffffff00 },
  { name: 'reserved1', offset: 7, size: 1 },
];

/** A Geneve option with where it sits (relative to the Geneve header). */
export interface GeneveOptionPlacement { optionClass: number; type: number; offset: number; dataOffset: number; dataLength: number }

/** Splits Geneve option bytes (class 2, type 1, 3 reserved bits and a 5-bit length in 4-byte words, data); a truncated last option keeps what is there. */
export function splitGeneveOptions(data: Uint8Array, headerOffset: number, headerLength: number): GeneveOptionPlacement[] {
  const options: GeneveOptionPlacement[] = [];
  let at = 8;
  while (at + 4 <= headerLength) {
    const length = (data[headerOffset + at + 3]! & 0x1f) * 4;
    const dataLength = Math.min(length, headerLength - at - 4);
    options.push({ optionClass: readUint16(data, headerOffset + at), type: data[headerOffset + at + 2]!, offset: at, dataOffset: at + 4, dataLength });
    at += 4 + length;
  }
  return options;
}

/** Zero-copy view of a Geneve header (8 bytes plus options). */
export class GeneveView extends LayerView {
  override get layerName(): string { return 'geneve'; }
  override get minimumLength(): number { return 8; }
  get version(): number { return this.data[this.offset]! >> 6; }
  /** Length of the options in 4-byte words. */
  get optionsLength(): number { return this.data[this.offset]! & 0x3f; }
  get headerLength(): number { return 8 + (this.data[this.offset]! & 0x3f) * 4; }
  get oam(): boolean { return (this.data[this.offset + 1]! & 0x80) !== 0; }
  get critical(): boolean { return (this.data[this.offset + 1]! & 0x40) !== 0; }
  get reserved0(): number { return this.data[this.offset + 1]! & 0x3f; }
  get protocolType(): number { return readUint16(this.data, this.offset + 2); }
  get vni(): number { return readUint24(this.data, this.offset + 4); }
  get reserved1(): number { return this.data[this.offset + 7]!; }
  get options(): GeneveOption[] {
    return splitGeneveOptions(this.data, this.offset, this.headerLength).map((o) => ({
      optionClass: o.optionClass, type: o.type, data: this.data.subarray(this.offset + o.dataOffset, this.offset + o.dataOffset + o.dataLength),
    }));
  }

  /** What the protocol type announces (0x6558 Ethernet, 0x0800 IPv4, 0x86dd IPv6, ...). */
  nextLayer(): number { return greProtocolNextLayer(this.protocolType); }

  toFields(): GeneveFields {
    return {
      version: this.version, optionsLength: this.optionsLength, oam: this.oam, critical: this.critical, reserved0: this.reserved0,
      protocolType: this.protocolType, vni: this.vni, reserved1: this.reserved1, options: this.options,
    };
  }

  describeFields(sink: FieldSink): void {
    sink.add('version', 0, 1, this.version, 0xc0);
    sink.add('optionsLength', 0, 1, this.optionsLength, 0x3f);
    sink.add('oam', 1, 1, this.oam, 0x80);
    sink.add('critical', 1, 1, this.critical, 0x40);
    sink.add('reserved0', 1, 1, this.reserved0, 0x3f);
    sink.add('protocolType', 2, 2, this.protocolType);
    sink.add('vni', 4, 4, this.vni, 0xffffff00);
    sink.add('reserved1', 7, 1, this.reserved1);
    for (const option of splitGeneveOptions(this.data, this.offset, this.headerLength)) {
      sink.add('option.class', option.offset, 2, option.optionClass);
      sink.add('option.type', option.offset + 2, 1, option.type);
      sink.add('option.length', option.offset + 3, 1, this.data[this.offset + option.offset + 3]! & 0x1f, 0x1f);
      if (option.dataLength > 0) sink.add('option.data', option.dataOffset, option.dataLength, formatHex(this.data, this.offset + option.dataOffset, option.dataLength));
    }
  }
}

const scratch = new GeneveView();

/** Decodes a Geneve header at `offset` and sets the next step by its protocol type. */
export function decodeGeneve(layers: PacketLayers, offset: number, end: number): void {
  if (end - offset < 8) return layers.truncated(LayerKind.geneve, GENEVE_LAYOUT, offset, end, 8);
  const view = scratch.point(layers.data, offset, end);
  const length = view.headerLength;
  if (end - offset < length) return layers.truncated(LayerKind.geneve, [{ name: 'options', offset: 8, size: length - 8 }], offset, end, length);
  layers.push(LayerKind.geneve, offset, length, end);
  layers.next(view.nextLayer(), offset + length, end, view.protocolType);
}
