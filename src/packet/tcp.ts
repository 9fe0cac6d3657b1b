import { formatHex, readUint16, readUint32 } from './bytes.js';
import type { FieldLayout, FieldSink } from './field-layout.js';
import { LayerKind } from './kinds.js';
import type { TcpFields, TcpOption } from './layers.js';
import type { PacketLayers } from './packet-layers.js';
import { LayerView } from './view.js';

/** TCP header fields (RFC 9293; NS of RFC 3540, CWR/ECE of RFC 3168). */
export const TCP_LAYOUT: readonly FieldLayout[] = [
  { name: 'sourcePort', offset: 0, size: 2 },
  { name: 'destinationPort', offset: 2, size: 2 },
  { name: 'sequenceNumber', offset: 4, size: 4 },
  { name: 'acknowledgmentNumber', offset: 8, size: 4 },
  { name: 'dataOffset', offset: 12, size: 1, mask: 0xf0 },
  { name: 'flags', offset: 12, size: 2, mask: 0x0fff },
  { name: 'window', offset: 14, size: 2 },
  { name: 'checksum', offset: 16, size: 2 },
  { name: 'urgentPointer', offset: 18, size: 2 },
];

/** A TCP option with where it sits: kind, its data (after kind and length), relative offset and total length. */
export interface TcpOptionPlacement { kind: number; offset: number; length: number; dataOffset: number; dataLength: number }

/**
 * Splits TCP option bytes into options (RFC 9293 section 3.1): EOL ends the list, NOP is one byte,
 * others have a length byte; an option whose length is below 2 or runs past the end is kept as one
 * raw option holding the rest of the bytes. Offsets are relative to the TCP header.
 */
export function splitTcpOptions(data: Uint8Array, headerOffset: number, headerLength: number): TcpOptionPlacement[] {
  const options: TcpOptionPlacement[] = [];
  let at = 20;
  while (at < headerLength) {
    const kind = data[headerOffset + at]!;
    if (kind === 0 || kind === 1) {
      options.push({ kind, offset: at, length: 1, dataOffset: at + 1, dataLength: 0 });
      at += 1;
      if (kind === 0) break;
      continue;
    }
    const length = at + 1 < headerLength ? data[headerOffset + at + 1]! : 0;
    if (length < 2 || at + length > headerLength) {
      options.push({ kind, offset: at, length: headerLength - at, dataOffset: Math.min(at + 2, headerLength), dataLength: Math.max(0, headerLength - at - 2) });
      break;
    }
    options.push({ kind, offset: at, length, dataOffset: at + 2, dataLength: length - 2 });
    at += length;
  }
  return options;
}

/** Zero-copy view of a TCP header (20 to 60 bytes). */
export class TcpView extends LayerView {
  override get layerName(): string { return 'tcp'; }
  override get minimumLength(): number { return 20; }
  get sourcePort(): number { return readUint16(this.data, this.offset); }
  get destinationPort(): number { return readUint16(this.data, this.offset + 2); }
  get sequenceNumber(): number { return readUint32(this.data, this.offset + 4); }
  get acknowledgmentNumber(): number { return readUint32(this.data, this.offset + 8); }
  /** Header length in 32-bit words. */
  get dataOffset(): number { return this.data[this.offset + 12]! >> 4; }
  get headerLength(): number { return (this.data[this.offset + 12]! >> 4) * 4; }
  /** NS, CWR, ECE, URG, ACK, PSH, RST, SYN, FIN (and 3 reserved bits) as in tcp[12:2] & 0x0fff. */
  get flags(): number { return readUint16(this.data, this.offset + 12) & 0x0fff; }
  get window(): number { return readUint16(this.data, this.offset + 14); }
  get checksum(): number { return readUint16(this.data, this.offset + 16); }
  get urgentPointer(): number { return readUint16(this.data, this.offset + 18); }
  /** The options, each with a copy-free subarray of its data. */
  get options(): TcpOption[] {
    return splitTcpOptions(this.data, this.offset, this.headerLength).map((o) => ({
      kind: o.kind, data: this.data.subarray(this.offset + o.dataOffset, this.offset + o.dataOffset + o.dataLength),
    }));
  }

  toFields(): TcpFields {
    return {
      sourcePort: this.sourcePort, destinationPort: this.destinationPort, sequenceNumber: this.sequenceNumber,
      acknowledgmentNumber: this.acknowledgmentNumber, dataOffset: this.dataOffset, flags: this.flags, window: this.window,
      checksum: this.checksum, urgentPointer: this.urgentPointer, options: this.options,
    };
  }

  describeFields(sink: FieldSink): void {
    sink.add('sourcePort', 0, 2, this.sourcePort);
    sink.add('destinationPort', 2, 2, this.destinationPort);
    sink.add('sequenceNumber', 4, 4, this.sequenceNumber);
    sink.add('acknowledgmentNumber', 8, 4, this.acknowledgmentNumber);
    sink.add('dataOffset', 12, 1, this.dataOffset, 0xf0);
    sink.add('flags', 12, 2, this.flags, 0x0fff);
    sink.add('window', 14, 2, this.window);
    sink.add('checksum', 16, 2, this.checksum);
    sink.add('urgentPointer', 18, 2, this.urgentPointer);
    for (const option of splitTcpOptions(this.data, this.offset, this.headerLength)) {
      sink.add(`option${option.kind}.kind`, option.offset, 1, option.kind);
      if (option.length > 1) sink.add(`option${option.kind}.length`, option.offset + 1, 1, this.data[this.offset + option.offset + 1]!);
      if (option.dataLength > 0) {
        const value = option.dataLength <= 4 ? readUpTo4(this.data, this.offset + option.dataOffset, option.dataLength) : formatHex(this.data, this.offset + option.dataOffset, option.dataLength);
        sink.add(`option${option.kind}.data`, option.dataOffset, option.dataLength, value);
      }
    }
  }
}

function readUpTo4(data: Uint8Array, offset: number, length: number): number {
  let value = 0;
  for (let i = 0; i < length; i++) value = value * 256 + data[offset + i]!;
  return value;
}

/** Decodes a TCP header at `offset`; the rest of the segment is a payload. */
export function decodeTcp(layers: PacketLayers, offset: number, end: number): void {
  if (end - offset < 20) return layers.truncated(LayerKind.tcp, TCP_LAYOUT, offset, end, 20);
  const length = (layers.data[offset + 12]! >> 4) << 2;
  if (length < 20) return layers.fail(LayerKind.tcp, 'dataOffset', offset + 12, `tcp data offset is ${length >> 2}, below the minimum 5`);
  if (end - offset < length) return layers.truncated(LayerKind.tcp, [{ name: 'options', offset: 20, size: length - 20 }], offset, end, length);
  layers.push(LayerKind.tcp, offset, length, end);
  layers.next(LayerKind.payload, offset + length, end);
}
