/** fast-check arbitraries for PPPoE session and discovery headers. */
import fc from 'fast-check';
import type { SpecOf } from '../build/context.js';
import { biased, plainRecord, uint } from './pools.js';

/** A PPPoE session header (code 0; length and PPP protocol left for the builder). */
export function arbitraryPppoe(): fc.Arbitrary<SpecOf<'pppoe'>> {
  return plainRecord({ sessionId: biased([1, 0x1234, 0xffff], uint(16)) }).map((r) => ({ type: 'pppoe' as const, version: 1, pppoeType: 1, code: 0, ...r }));
}

/** PPPoE discovery codes (RFC 2516): PADI, PADO, PADR, PADS, PADT. */
export const PPPOE_DISCOVERY_CODES: readonly number[] = [0x09, 0x07, 0x19, 0x65, 0xa7];

/** A PPPoE discovery header (EtherType 0x8863, a non-zero code; length left for the builder) and its tags: Service-Name, Host-Uniq, maybe AC-Name. */
export function arbitraryPppoeDiscovery(): fc.Arbitrary<[SpecOf<'pppoe'>, { type: 'payload'; data: Uint8Array }]> {
  return fc.tuple(fc.constantFrom(...PPPOE_DISCOVERY_CODES), uint(16), uint(32), fc.boolean()).map(([code, sessionId, hostUniq, acName]) => {
    const tags = [0x01, 0x01, 0x00, 0x00, 0x01, 0x03, 0x00, 0x04, hostUniq >>> 24, (hostUniq >>> 16) & 0xff, (hostUniq >>> 8) & 0xff, hostUniq & 0xff];
    if (acName) tags.push(0x01, 0x02, 0x00, 0x03, 0x61, 0x63, 0x31);
    // PADI and PADR carry session id 0; PADS assigns one; PADT names the one it ends.
    return [
      { type: 'pppoe' as const, version: 1, pppoeType: 1, code, sessionId: code === 0x65 || code === 0xa7 ? sessionId : 0 },
      { type: 'payload' as const, data: Uint8Array.from(tags) },
    ];
  });
}
