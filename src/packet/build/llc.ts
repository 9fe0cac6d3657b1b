/** IEEE 802.2 LLC header builder, with the SNAP extension when DSAP and SSAP are 0xaa. */
import type { LlcFields } from '../layers.js';
import type { EncodedLayer, LayerEncodeContext, SpecOf } from './context.js';
import { failField, uintField } from './fields.js';
import { etherTypeFor } from './next-layer.js';

/** The SAP value that announces a SNAP header. */
export const LLC_SNAP_SAP = 0xaa;

/**
 * Encodes an LLC header: DSAP, SSAP and the control field (one byte for a U frame, whose low bits are
 * 11; else two bytes, big-endian, as I and S frames carry), plus OUI and protocol id for SNAP
 * (AA AA 03). Default: SNAP with OUI 0 before a known protocol, else STP's SAP 0x42.
 */
export function encodeLlcHeader(spec: SpecOf<'llc'>, context: LayerEncodeContext): EncodedLayer<{ type: 'llc' } & LlcFields> {
  const { position } = context;
  const nextEtherType = context.next && context.next.type !== 'payload' ? etherTypeFor(context.next) : undefined;
  const defaultSap = spec.snapOui !== undefined || spec.snapProtocolId !== undefined || nextEtherType !== undefined ? LLC_SNAP_SAP : 0x42;
  const dsap = uintField(position, 'dsap', spec.dsap, 8, defaultSap);
  const ssap = uintField(position, 'ssap', spec.ssap, 8, dsap);
  const control = uintField(position, 'control', spec.control, 16, 0x03);
  const unnumbered = control <= 0xff && (control & 3) === 3;
  if (!unnumbered && ((control >> 8) & 3) === 3) {
    failField(position, 'control', `0x${control.toString(16)}: a two-byte (I or S frame) control field cannot start with a byte whose low bits are 11`);
  }
  const snap = dsap === LLC_SNAP_SAP && ssap === LLC_SNAP_SAP && control === 0x03;
  if (!snap) {
    const header = unnumbered ? Uint8Array.of(dsap, ssap, control) : Uint8Array.of(dsap, ssap, control >> 8, control & 0xff);
    return { header, layer: { type: 'llc', dsap, ssap, control } };
  }
  const snapOui = uintField(position, 'snapOui', spec.snapOui, 24, 0);
  const snapProtocolId = uintField(position, 'snapProtocolId', spec.snapProtocolId, 16, nextEtherType ?? 0);
  const header = Uint8Array.of(dsap, ssap, control, snapOui >> 16, (snapOui >> 8) & 0xff, snapOui & 0xff, snapProtocolId >> 8, snapProtocolId & 0xff);
  return { header, layer: { type: 'llc', dsap, ssap, control, snapOui, snapProtocolId } };
}
