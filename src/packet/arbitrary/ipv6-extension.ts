/** fast-check arbitraries for IPv6 extension headers (hop-by-hop, routing, destination options, AH). */
import fc from 'fast-check';
import type { SpecOf } from '../build/context.js';
import { uint } from './pools.js';

/** IPv6 extension header types the arbitraries draw: hop-by-hop, routing, destination options, AH. */
export const IPV6_EXTENSION_TYPES: readonly number[] = [0, 43, 60, 51];

/** Options area of a hop-by-hop or destination-options header: a PadN, or a router alert and PadN, filling 6 + 8n bytes. */
function optionsBody(): fc.Arbitrary<Uint8Array> {
  return fc.tuple(fc.integer({ min: 0, max: 2 }), fc.boolean()).map(([extra, routerAlert]) => {
    const body = new Uint8Array(6 + 8 * extra);
    let offset = 0;
    if (routerAlert) { body.set([5, 2, 0, 0], 0); offset = 4; }
    const padLength = body.length - offset;
    if (padLength === 1) body[offset] = 0;
    else body.set([1, padLength - 2], offset);
    return body;
  });
}

/** A routing header body: type 0 or 2 with addresses, a segment routing header (4), or experimental 253; segments left 0 or not (the transport checksum then uses the final destination). */
function routingBody(): fc.Arbitrary<Uint8Array> {
  return fc.tuple(fc.constantFrom(0, 2, 4, 253), fc.integer({ min: 1, max: 2 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.boolean()).map(([routingType, count, addressBytes, segmentsLeft]) => {
    if (routingType === 253) return Uint8Array.of(253, 0, 0, 0, 0, 0);
    const n = routingType === 2 ? 1 : count;
    const body = new Uint8Array(6 + 16 * n);
    body[0] = routingType;
    body[1] = segmentsLeft ? n : 0;
    if (routingType === 4) body[2] = n - 1;
    body.set(addressBytes.subarray(0, 16 * n), 6);
    return body;
  });
}

/** An AH body (RFC 4302): reserved, SPI, sequence number and an ICV of 12 or 20 bytes (so the header is a multiple of 8). */
function authenticationBody(): fc.Arbitrary<Uint8Array> {
  return fc.tuple(uint(32), uint(32), fc.constantFrom(12, 20)).chain(([spi, sequence, icvLength]) =>
    fc.uint8Array({ minLength: icvLength, maxLength: icvLength }).map((icv) => {
      const body = new Uint8Array(10 + icvLength);
      const view = new DataView(body.buffer);
      view.setUint32(2, spi);
      view.setUint32(6, sequence);
      body.set(icv, 10);
      return body;
    }));
}

/** An IPv6 extension header of the given type (default any of IPV6_EXTENSION_TYPES), with a well-formed body. */
export function arbitraryIpv6Extension(headerType?: number): fc.Arbitrary<SpecOf<'ipv6Extension'>> {
  const type = headerType === undefined ? fc.constantFrom(...IPV6_EXTENSION_TYPES) : fc.constant(headerType);
  return type.chain((t) => (t === 43 ? routingBody() : t === 51 ? authenticationBody() : optionsBody()).map((body) => ({ type: 'ipv6Extension' as const, headerType: t, body })));
}
