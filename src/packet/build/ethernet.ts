/** Ethernet II / IEEE 802.3 MAC header builder. */
import type { EthernetFields } from '../layers.js';
import { formatMacAddress } from './bytes.js';
import type { EncodedLayer, LayerEncodeContext, SpecOf } from './context.js';
import { failField, macField, uintField } from './fields.js';
import { etherTypeFor } from './next-layer.js';

/** Default MAC addresses (locally administered) when a spec leaves them out. */
export const DEFAULT_ETHERNET_SOURCE = '02:00:00:00:00:01';
export const DEFAULT_ETHERNET_DESTINATION = '02:00:00:00:00:02';

/** Encodes a 14-byte Ethernet header; the EtherType follows the next layer, or is the 802.3 length before LLC. */
export function encodeEthernetHeader(spec: SpecOf<'ethernet'>, context: LayerEncodeContext): EncodedLayer<{ type: 'ethernet' } & EthernetFields> {
  const { position } = context;
  const destination = macField(position, 'destination', spec.destination, DEFAULT_ETHERNET_DESTINATION);
  const source = macField(position, 'source', spec.source, DEFAULT_ETHERNET_SOURCE);
  let fallback = etherTypeFor(context.next);
  if (fallback === undefined) {
    if (context.inner.length > 1500) failField(position, 'etherType', `an 802.3 length cannot cover ${context.inner.length} bytes (at most 1500)`);
    fallback = context.inner.length;
  }
  const etherType = uintField(position, 'etherType', spec.etherType, 16, fallback);
  const header = new Uint8Array(14);
  header.set(destination, 0);
  header.set(source, 6);
  header[12] = etherType >> 8;
  header[13] = etherType & 0xff;
  return { header, layer: { type: 'ethernet', destination: formatMacAddress(destination), source: formatMacAddress(source), etherType } };
}
