/** IEEE 802.1Q / 802.1ad VLAN tag builder (the TPID itself is the EtherType of the header before). */
import type { VlanFields } from '../layers.js';
import type { EncodedLayer, LayerEncodeContext, SpecOf } from './context.js';
import { boolField, failField, uintField } from './fields.js';
import { EtherTypeNumber, etherTypeFor } from './next-layer.js';

/** Encodes the 4 bytes after a VLAN TPID: TCI (priority, DEI, VLAN id) and the inner EtherType (or 802.3 length before LLC). */
export function encodeVlanHeader(spec: SpecOf<'vlan'>, context: LayerEncodeContext): EncodedLayer<{ type: 'vlan' } & VlanFields> {
  const { position } = context;
  const tpid = uintField(position, 'tpid', spec.tpid, 16, EtherTypeNumber.vlan);
  const priority = uintField(position, 'priority', spec.priority, 3, 0);
  const dropEligible = boolField(position, 'dropEligible', spec.dropEligible, false);
  const vlanId = uintField(position, 'vlanId', spec.vlanId, 12, 1);
  let fallback = etherTypeFor(context.next);
  if (fallback === undefined) {
    if (context.inner.length > 1500) failField(position, 'etherType', `an 802.3 length cannot cover ${context.inner.length} bytes (at most 1500)`);
    fallback = context.inner.length;
  }
  const etherType = uintField(position, 'etherType', spec.etherType, 16, fallback);
  const tci = (priority << 13) | (dropEligible ? 0x1000 : 0) | vlanId;
  return {
    header: Uint8Array.of(tci >> 8, tci & 0xff, etherType >> 8, etherType & 0xff),
    layer: { type: 'vlan', tpid, priority, dropEligible, vlanId, etherType },
  };
}
