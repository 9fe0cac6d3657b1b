/** The pseudo-header checksums of UDP, TCP and ICMPv6 over IPv4 (RFC 768/793) and IPv6 (RFC 8200 section 8.1). */
import { internetChecksum } from './bytes.js';
import type { PseudoHeaderAddresses } from './context.js';

/** The checksum of a transport segment (its checksum field zeroed) with the pseudo-header of `network` and `protocol`. */
export function pseudoHeaderChecksum(network: PseudoHeaderAddresses, protocol: number, segment: readonly Uint8Array[]): number {
  const length = segment.reduce((sum, part) => sum + part.length, 0);
  let pseudo: Uint8Array;
  if (network.version === 4) {
    pseudo = new Uint8Array(12);
    pseudo.set(network.source, 0);
    pseudo.set(network.destination, 4);
    pseudo[9] = protocol;
    pseudo[10] = (length >> 8) & 0xff;
    pseudo[11] = length & 0xff;
  } else {
    pseudo = new Uint8Array(40);
    pseudo.set(network.source, 0);
    pseudo.set(network.destination, 16);
    new DataView(pseudo.buffer).setUint32(32, length);
    pseudo[39] = protocol;
  }
  return internetChecksum([pseudo, ...segment]);
}
