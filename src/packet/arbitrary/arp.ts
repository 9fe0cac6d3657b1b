/** fast-check arbitraries for ARP and RARP packets. */
import fc from 'fast-check';
import type { SpecOf } from '../build/context.js';
import { arbitraryIpv4Address, arbitraryMacAddress, biased, plainRecord } from './pools.js';

/** An Ethernet/IPv4 ARP packet: request, reply, gratuitous (sender = target protocol address) or RARP. */
export function arbitraryArp(): fc.Arbitrary<SpecOf<'arp'>> {
  return plainRecord({
    operation: biased([1, 2], fc.constantFrom(3, 4), 6),
    senderHardwareAddress: arbitraryMacAddress(),
    senderProtocolAddress: arbitraryIpv4Address(),
    targetHardwareAddress: biased(['00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff'], arbitraryMacAddress(), 1),
    targetProtocolAddress: arbitraryIpv4Address(),
    gratuitous: fc.boolean(),
  }).map(({ gratuitous, ...r }) => ({
    type: 'arp' as const, hardwareType: 1, protocolType: 0x0800, ...r,
    targetProtocolAddress: gratuitous ? r.senderProtocolAddress : r.targetProtocolAddress,
  }));
}
