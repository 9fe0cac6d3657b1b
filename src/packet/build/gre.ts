/**
 * GRE header builder (RFC 2784 with the key and sequence extensions of RFC 2890). `reserved0` is the
 * 9-bit Reserved0 field of RFC 2890 (header bits 4..12); the historical routing bit is written as 0.
 */
import type { GreFields } from '../layers.js';
import { internetChecksum } from './bytes.js';
import type { EncodedLayer, LayerEncodeContext, SpecOf } from './context.js';
import { boolField, uintField } from './fields.js';
import { tunnelProtocolTypeFor } from './next-layer.js';

/** The GRE header length for the C, K and S bits: 4 bytes plus 4 for each bit set. */
export function greHeaderLength(checksumPresent: boolean, keyPresent: boolean, sequencePresent: boolean): number {
  return 4 + (checksumPresent ? 4 : 0) + (keyPresent ? 4 : 0) + (sequencePresent ? 4 : 0);
}

/** Encodes a GRE header; C, K and S default to whether checksum, key and sequence number are given, the protocol type follows the next layer, the checksum covers header and payload. */
export function encodeGreHeader(spec: SpecOf<'gre'>, context: LayerEncodeContext): EncodedLayer<{ type: 'gre' } & GreFields> {
  const { position } = context;
  const checksumPresent = boolField(position, 'checksumPresent', spec.checksumPresent, spec.checksum !== undefined || spec.reserved1 !== undefined);
  const keyPresent = boolField(position, 'keyPresent', spec.keyPresent, spec.key !== undefined);
  const sequencePresent = boolField(position, 'sequencePresent', spec.sequencePresent, spec.sequenceNumber !== undefined);
  const reserved0 = uintField(position, 'reserved0', spec.reserved0, 9, 0);
  const version = uintField(position, 'version', spec.version, 3, 0);
  const protocolType = uintField(position, 'protocolType', spec.protocolType, 16, tunnelProtocolTypeFor(context.next));
  const header = new Uint8Array(greHeaderLength(checksumPresent, keyPresent, sequencePresent));
  const view = new DataView(header.buffer);
  view.setUint16(0, (checksumPresent ? 0x8000 : 0) | (keyPresent ? 0x2000 : 0) | (sequencePresent ? 0x1000 : 0) | (reserved0 << 3) | version);
  view.setUint16(2, protocolType);
  const layer: { type: 'gre' } & GreFields = { type: 'gre', checksumPresent, keyPresent, sequencePresent, reserved0, version, protocolType };
  let offset = 4;
  let reserved1 = 0;
  if (checksumPresent) {
    reserved1 = uintField(position, 'reserved1', spec.reserved1, 16, 0);
    view.setUint16(6, reserved1);
    offset = 8;
  }
  if (keyPresent) {
    layer.key = uintField(position, 'key', spec.key, 32, 0);
    view.setUint32(offset, layer.key);
    offset += 4;
  }
  if (sequencePresent) {
    layer.sequenceNumber = uintField(position, 'sequenceNumber', spec.sequenceNumber, 32, 0);
    view.setUint32(offset, layer.sequenceNumber);
  }
  if (checksumPresent) {
    layer.checksum = uintField(position, 'checksum', spec.checksum, 16, internetChecksum([header, context.inner]));
    layer.reserved1 = reserved1;
    view.setUint16(4, layer.checksum);
  }
  return { header, layer };
}
