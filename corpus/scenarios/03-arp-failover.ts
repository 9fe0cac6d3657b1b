/**
 * Scenario 3 (seeds/002): after a floating-IP failover the backup load balancer announces itself
 * with gratuitous ARP; a host in the same data centre still sends to the old MAC until an ICMP echo
 * to the balancer's public address makes them exchange ARP and refresh the neighbour entry.
 */
import type { BuildLayerSpec } from '../../src/packet/build/index.js';
import { frame } from '../support/frames.js';
import type { CorpusFrame } from '../support/frames.js';
import { secondsNs, utcNs } from '../support/time.js';

/** The hosts of scenario 3. */
export const ARP_FAILOVER = {
  balancerMac: '04:01:be:00:00:01', balancerAddress: '159.203.114.10',
  oldBalancerMac: '04:01:be:00:00:03',
  hostMac: '04:01:be:00:00:02', hostAddress: '159.203.114.20',
  floatingAddress: '45.55.127.10',
  broadcast: 'ff:ff:ff:ff:ff:ff', unknownMac: '00:00:00:00:00:00',
} as const;

const S = ARP_FAILOVER;

function arp(at: bigint, note: string, ethernetSource: string, ethernetDestination: string, operation: number, senderMac: string, senderAddress: string, targetMac: string, targetAddress: string): CorpusFrame {
  return frame(at, note, [
    { type: 'ethernet', source: ethernetSource, destination: ethernetDestination },
    { type: 'arp', operation, senderHardwareAddress: senderMac, senderProtocolAddress: senderAddress, targetHardwareAddress: targetMac, targetProtocolAddress: targetAddress },
  ]);
}

/** The frames of 03-arp-failover.pcap, in capture order. */
export function arpFailoverFrames(): CorpusFrame[] {
  const start = utcNs('2016-01-27T15:42:10', 73_500_000n);
  const t = (seconds: number): bigint => start + secondsNs(seconds);
  const echo = (seconds: number, note: string, request: boolean, sequence: number): CorpusFrame => {
    const stack: BuildLayerSpec[] = [
      { type: 'ethernet', source: request ? S.hostMac : S.balancerMac, destination: request ? S.balancerMac : S.hostMac },
      { type: 'ipv4', source: request ? S.hostAddress : S.balancerAddress, destination: request ? S.balancerAddress : S.hostAddress, ttl: 64, dontFragment: request, identification: 0x4c00 + sequence },
      { type: 'icmp', icmpType: request ? 8 : 0, code: 0, restOfHeader: (0x1a2b << 16) | sequence },
      { type: 'payload', data: Uint8Array.from({ length: 56 }, (_, i) => (0x10 + i) & 0xff) },
    ];
    return frame(t(seconds), note, stack);
  };
  return [
    arp(t(0), 'gratuitous ARP request from the new balancer: who-has 159.203.114.10 tell 159.203.114.10, broadcast', S.balancerMac, S.broadcast, 1, S.balancerMac, S.balancerAddress, S.unknownMac, S.balancerAddress),
    arp(t(0.000120), 'gratuitous ARP reply from the new balancer, broadcast', S.balancerMac, S.broadcast, 2, S.balancerMac, S.balancerAddress, S.broadcast, S.balancerAddress),
    frame(t(4.118), 'the host still sends to the floating address via the old balancer MAC: TCP SYN to 443', [
      { type: 'ethernet', source: S.hostMac, destination: S.oldBalancerMac },
      { type: 'ipv4', source: S.hostAddress, destination: S.floatingAddress, ttl: 64, dontFragment: true, identification: 0x4b00 },
      { type: 'tcp', sourcePort: 41720, destinationPort: 443, sequenceNumber: 0x7c3a1100, flags: 0x02, window: 29200, options: [{ kind: 2, data: Uint8Array.of(0x05, 0xb4) }, { kind: 1, data: new Uint8Array(0) }, { kind: 1, data: new Uint8Array(0) }, { kind: 4, data: new Uint8Array(0) }] },
    ]),
    arp(t(9.001), 'the host asks: who-has 159.203.114.10 tell 159.203.114.20, broadcast', S.hostMac, S.broadcast, 1, S.hostMac, S.hostAddress, S.unknownMac, S.balancerAddress),
    arp(t(9.001212), 'ARP reply: 159.203.114.10 is-at 04:01:be:00:00:01, unicast', S.balancerMac, S.hostMac, 2, S.balancerMac, S.balancerAddress, S.hostMac, S.hostAddress),
    echo(9.001305, 'ICMP echo request to the public address 159.203.114.10', true, 1),
    echo(9.001790, 'ICMP echo reply from 159.203.114.10', false, 1),
    arp(t(9.002001), 'the balancer refreshes its own entry: who-has 159.203.114.20 tell 159.203.114.10, unicast', S.balancerMac, S.hostMac, 1, S.balancerMac, S.balancerAddress, S.unknownMac, S.hostAddress),
    arp(t(9.002110), 'ARP reply: 159.203.114.20 is-at 04:01:be:00:00:02', S.hostMac, S.balancerMac, 2, S.hostMac, S.hostAddress, S.balancerMac, S.balancerAddress),
    echo(10.002, 'ICMP echo request, second', true, 2),
    echo(10.0025, 'ICMP echo reply, second', false, 2),
  ];
}
