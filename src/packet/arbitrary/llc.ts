/** fast-check arbitraries for 802.2 LLC and SNAP headers. */
import fc from 'fast-check';
import type { SpecOf } from '../build/context.js';
import { biased, uint } from './pools.js';

/**
 * An LLC header: `snap` gives SNAP with OUI 0 (RFC 1042, an EtherType follows), `snapOther` SNAP with
 * another OUI (opaque data follows), `plain` a SAP pair (STP 0x42, NetBIOS 0xf0, IPX 0xe0) with a U
 * frame's one-byte control field or an I/S frame's two-byte one.
 */
export function arbitraryLlc(kind: 'snap' | 'snapOther' | 'plain'): fc.Arbitrary<SpecOf<'llc'>> {
  if (kind === 'snap') return fc.constant({ type: 'llc' as const, dsap: 0xaa, ssap: 0xaa, control: 0x03, snapOui: 0 });
  if (kind === 'snapOther') {
    return fc.tuple(biased([0x00000c, 0x0080c2], uint(24).filter((oui) => oui !== 0 && oui !== 0xf8)), uint(16))
      .map(([snapOui, snapProtocolId]) => ({ type: 'llc' as const, dsap: 0xaa, ssap: 0xaa, control: 0x03, snapOui, snapProtocolId }));
  }
  const unnumbered = biased([0x03, 0x13, 0xaf, 0xe3], uint(8).map((c) => c | 3));
  const numbered = uint(16).filter((c) => ((c >> 8) & 3) !== 3 && !(c <= 0xff && (c & 3) === 3));
  return fc.tuple(biased([0x42, 0xf0, 0xe0, 0xfe], uint(8).filter((s) => s !== 0xaa && s !== 0x06)), fc.oneof({ arbitrary: unnumbered, weight: 3 }, { arbitrary: numbered, weight: 1 }))
    .map(([sap, control]) => ({ type: 'llc' as const, dsap: sap, ssap: sap, control }));
}
