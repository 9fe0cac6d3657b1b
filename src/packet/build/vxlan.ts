/** VXLAN header builder (RFC 7348). */
import type { VxlanFields } from '../layers.js';
import type { EncodedLayer, LayerEncodeContext, SpecOf } from './context.js';
import { uintField } from './fields.js';

/** The VXLAN flag that says the VNI is valid. */
export const VXLAN_FLAG_VNI_VALID = 0x08;

/** Encodes an 8-byte VXLAN header (flags 0x08 by default). */
export function encodeVxlanHeader(spec: SpecOf<'vxlan'>, context: LayerEncodeContext): EncodedLayer<{ type: 'vxlan' } & VxlanFields> {
  const { position } = context;
  const flags = uintField(position, 'flags', spec.flags, 8, VXLAN_FLAG_VNI_VALID);
  const reserved0 = uintField(position, 'reserved0', spec.reserved0, 24, 0);
  const vni = uintField(position, 'vni', spec.vni, 24, 1);
  const reserved1 = uintField(position, 'reserved1', spec.reserved1, 8, 0);
  const header = new Uint8Array(8);
  const view = new DataView(header.buffer);
  view.setUint32(0, ((flags << 24) | reserved0) >>> 0);
  view.setUint32(4, ((vni << 8) | reserved1) >>> 0);
  return { header, layer: { type: 'vxlan', flags, reserved0, vni, reserved1 } };
}
