/** Geneve header builder (RFC 8926), with its TLV options. */
import type { GeneveFields, GeneveOption } from '../layers.js';
import type { EncodedLayer, LayerEncodeContext, SpecOf } from './context.js';
import { boolField, failField, uintField } from './fields.js';
import { tunnelProtocolTypeFor } from './next-layer.js';

/** Encodes a Geneve header and its options (each option's data a multiple of 4 bytes, up to 124); options length from them, protocol type from the next layer. */
export function encodeGeneveHeader(spec: SpecOf<'geneve'>, context: LayerEncodeContext): EncodedLayer<{ type: 'geneve' } & GeneveFields> {
  const { position } = context;
  const givenOptions = spec.options ?? [];
  if (!Array.isArray(givenOptions)) failField(position, 'options', 'is not an array');
  const options: GeneveOption[] = [];
  let optionBytes = 0;
  givenOptions.forEach((option, i) => {
    const name = `options[${i}]`;
    if (option === null || typeof option !== 'object') failField(position, name, 'is not an option ({ optionClass, type, data })');
    const optionClass = uintField(position, `${name}.optionClass`, option.optionClass, 16, 0);
    const type = uintField(position, `${name}.type`, option.type, 8, 0);
    if (!(option.data instanceof Uint8Array)) failField(position, `${name}.data`, 'is not a Uint8Array');
    if (option.data.length % 4 !== 0 || option.data.length > 124) failField(position, `${name}.data`, `${option.data.length} bytes: option data must be a multiple of 4 up to 124`);
    options.push({ optionClass, type, data: option.data.slice() });
    optionBytes += 4 + option.data.length;
  });
  if (optionBytes > 252) failField(position, 'options', `${optionBytes} bytes of options exceed 252`);
  const version = uintField(position, 'version', spec.version, 2, 0);
  const optionsLength = uintField(position, 'optionsLength', spec.optionsLength, 6, optionBytes / 4);
  const oam = boolField(position, 'oam', spec.oam, false);
  const critical = boolField(position, 'critical', spec.critical, options.some((o) => (o.type & 0x80) !== 0));
  const reserved0 = uintField(position, 'reserved0', spec.reserved0, 6, 0);
  const protocolType = uintField(position, 'protocolType', spec.protocolType, 16, tunnelProtocolTypeFor(context.next));
  const vni = uintField(position, 'vni', spec.vni, 24, 1);
  const reserved1 = uintField(position, 'reserved1', spec.reserved1, 8, 0);
  const header = new Uint8Array(8 + optionBytes);
  const view = new DataView(header.buffer);
  header[0] = (version << 6) | optionsLength;
  header[1] = (oam ? 0x80 : 0) | (critical ? 0x40 : 0) | reserved0;
  view.setUint16(2, protocolType);
  view.setUint32(4, ((vni << 8) | reserved1) >>> 0);
  let offset = 8;
  for (const option of options) {
    view.setUint16(offset, option.optionClass);
    header[offset + 2] = option.type;
    header[offset + 3] = option.data.length / 4;
    header.set(option.data, offset + 4);
    offset += 4 + option.data.length;
  }
  return { header, layer: { type: 'geneve', version, optionsLength, oam, critical, reserved0, protocolType, vni, reserved1, options } };
}
