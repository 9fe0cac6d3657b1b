/** TCP header builder (RFC 9293), with options and the pseudo-header checksum over IPv4 or IPv6. */
import type { TcpFields, TcpOption } from '../layers.js';
import type { EncodedLayer, LayerEncodeContext, SpecOf } from './context.js';
import { failField, uintField } from './fields.js';
import type { LayerPosition } from './fields.js';
import { IpProtocolNumber } from './next-layer.js';
import { pseudoHeaderChecksum } from './pseudo-header.js';

/** TCP flag bits as in tcp[13] (tcp-fin .. tcp-cwr of pcap-filter(7)), plus NS (bit 8 of tcp[12:2] & 0x0fff). */
export const TcpFlag = { fin: 0x01, syn: 0x02, rst: 0x04, psh: 0x08, ack: 0x10, urg: 0x20, ece: 0x40, cwr: 0x80, ns: 0x100 } as const;

/** TCP option kinds (IANA) the arbitraries use. */
export const TcpOptionKind = { endOfOptionList: 0, noOperation: 1, maximumSegmentSize: 2, windowScale: 3, sackPermitted: 4, sack: 5, timestamps: 8 } as const;

/** Serializes an option list (EOL and NOP as one byte, the others as kind, length, data), without padding. */
export function encodeTcpOptions(options: readonly TcpOption[], position: LayerPosition): Uint8Array {
  let length = 0;
  options.forEach((option, i) => {
    const name = `options[${i}]`;
    if (option === null || typeof option !== 'object') failField(position, name, 'is not an option ({ kind, data })');
    uintField(position, `${name}.kind`, option.kind, 8, 0);
    if (!(option.data instanceof Uint8Array)) failField(position, `${name}.data`, 'is not a Uint8Array');
    if (option.kind === TcpOptionKind.endOfOptionList || option.kind === TcpOptionKind.noOperation) {
      if (option.data.length !== 0) failField(position, `${name}.data`, `kind ${option.kind} carries no data`);
      length += 1;
    } else {
      if (option.data.length > 253) failField(position, `${name}.data`, `${option.data.length} bytes do not fit an option`);
      length += 2 + option.data.length;
    }
  });
  const out = new Uint8Array(length);
  let offset = 0;
  for (const option of options) {
    out[offset++] = option.kind;
    if (option.kind > TcpOptionKind.noOperation) {
      out[offset++] = option.data.length + 2;
      out.set(option.data, offset);
      offset += option.data.length;
    }
  }
  return out;
}

/** Encodes a TCP header: options padded with EOL bytes to a multiple of 4 (the padding shows as EOL options in the result), data offset from them, checksum over the pseudo-header (0 without an enclosing IP layer). */
export function encodeTcpHeader(spec: SpecOf<'tcp'>, context: LayerEncodeContext): EncodedLayer<{ type: 'tcp' } & TcpFields> {
  const { position } = context;
  const givenOptions = spec.options ?? [];
  if (!Array.isArray(givenOptions)) failField(position, 'options', 'is not an array');
  const unpadded = encodeTcpOptions(givenOptions, position);
  const padding = (4 - (unpadded.length % 4)) % 4;
  if (unpadded.length + padding > 40) failField(position, 'options', `${unpadded.length} bytes of options exceed 40`);
  const options: TcpOption[] = givenOptions.map((o) => ({ kind: o.kind, data: o.data.slice() }));
  for (let i = 0; i < padding; i++) options.push({ kind: 0, data: new Uint8Array(0) });
  const optionBytes = new Uint8Array(unpadded.length + padding);
  optionBytes.set(unpadded);
  const sourcePort = uintField(position, 'sourcePort', spec.sourcePort, 16, 49152);
  const destinationPort = uintField(position, 'destinationPort', spec.destinationPort, 16, 80);
  const sequenceNumber = uintField(position, 'sequenceNumber', spec.sequenceNumber, 32, 1);
  const acknowledgmentNumber = uintField(position, 'acknowledgmentNumber', spec.acknowledgmentNumber, 32, 0);
  const dataOffset = uintField(position, 'dataOffset', spec.dataOffset, 4, 5 + optionBytes.length / 4);
  const flags = uintField(position, 'flags', spec.flags, 12, TcpFlag.syn);
  const window = uintField(position, 'window', spec.window, 16, 65535);
  const urgentPointer = uintField(position, 'urgentPointer', spec.urgentPointer, 16, 0);
  const header = new Uint8Array(20 + optionBytes.length);
  const view = new DataView(header.buffer);
  view.setUint16(0, sourcePort);
  view.setUint16(2, destinationPort);
  view.setUint32(4, sequenceNumber);
  view.setUint32(8, acknowledgmentNumber);
  view.setUint16(12, (dataOffset << 12) | flags);
  view.setUint16(14, window);
  view.setUint16(18, urgentPointer);
  header.set(optionBytes, 20);
  const computed = context.network ? pseudoHeaderChecksum(context.network, IpProtocolNumber.tcp, [header, context.inner]) : 0;
  const checksum = uintField(position, 'checksum', spec.checksum, 16, computed);
  view.setUint16(16, checksum);
  return {
    header,
    layer: { type: 'tcp', sourcePort, destinationPort, sequenceNumber, acknowledgmentNumber, dataOffset, flags, window, checksum, urgentPointer, options },
  };
}
