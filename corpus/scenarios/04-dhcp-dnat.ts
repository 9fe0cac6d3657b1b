/**
 * Scenario 4 (seeds/003): DHCP load testing behind DNAT. The server 192.168.1.12 answers relayed
 * clients of 10.10.0.0/16 from port 67; unicast renewals come straight from the clients. Once the
 * clients from 10.10.2.0 on renew, conntrack clashes with the DNAT rule and the replies leave from
 * source ports rewritten into 1..512 (then dropped: "send_packet: Operation not permitted").
 * Captured on the server.
 */
import type { BuildLayerSpec } from '../../src/packet/build/index.js';
import { addressOption, BootpOp, DhcpMessageType, encodeBootp, secondsOption } from '../support/bootp.js';
import type { BootpMessage } from '../support/bootp.js';
import { frame } from '../support/frames.js';
import type { CorpusFrame } from '../support/frames.js';
import { secondsNs, utcNs } from '../support/time.js';

/** The hosts of scenario 4. */
export const DHCP_DNAT = {
  serverMac: '00:16:3e:12:01:0c', serverAddress: '192.168.1.12',
  gatewayMac: '00:00:0c:07:ac:01',
  testClientAddress: '172.16.8.3', relayAddress: '10.10.0.1',
  leaseSeconds: 60,
} as const;

const S = DHCP_DNAT;

function clientMac(index: number): string {
  return `02:10:10:00:${((index >> 8) & 0xff).toString(16).padStart(2, '0')}:${(index & 0xff).toString(16).padStart(2, '0')}`;
}

function dhcp(at: bigint, note: string, inbound: boolean, source: string, destination: string, sourcePort: number, destinationPort: number, message: BootpMessage, identification: number): CorpusFrame {
  const stack: BuildLayerSpec[] = [
    { type: 'ethernet', source: inbound ? S.gatewayMac : S.serverMac, destination: inbound ? S.serverMac : S.gatewayMac },
    { type: 'ipv4', source, destination, ttl: inbound ? 62 : 64, identification },
    { type: 'udp', sourcePort, destinationPort },
    { type: 'payload', data: encodeBootp(message) },
  ];
  return frame(at, note, stack);
}

const typeOption = (type: number): [number, Uint8Array] => [53, Uint8Array.of(type)];
const serverOptions = (type: number): [number, Uint8Array][] => [
  typeOption(type), [54, addressOption(S.serverAddress)], [51, secondsOption(S.leaseSeconds)], [1, addressOption('255.255.0.0')], [3, addressOption(S.relayAddress)],
];

/** The frames of 04-dhcp-dnat.pcap, in capture order. */
export function dhcpDnatFrames(): CorpusFrame[] {
  const start = utcNs('2012-02-09T16:20:31', 5_000_000n);
  const t = (seconds: number): bigint => start + secondsNs(seconds);
  const frames: CorpusFrame[] = [];
  // A relayed exchange: the test client acts as the relay (giaddr 10.10.0.1) from port 67.
  const relayed = { xid: 0x5e1f0001, chaddr: clientMac(5), giaddr: S.relayAddress, hops: 1 };
  frames.push(dhcp(t(0), 'relayed DHCPDISCOVER for a 10.10.0.0/16 client, relay port 67 -> 67', true, S.testClientAddress, S.serverAddress, 67, 67, { ...relayed, op: BootpOp.request, broadcast: true, options: [typeOption(DhcpMessageType.discover)] }, 0x2201));
  frames.push(dhcp(t(0.0042), 'DHCPOFFER of 10.10.1.5 to the relay 10.10.0.1, from port 67', false, S.serverAddress, S.relayAddress, 67, 67, { ...relayed, op: BootpOp.reply, yiaddr: '10.10.1.5', siaddr: S.serverAddress, options: serverOptions(DhcpMessageType.offer) }, 0x9101));
  frames.push(dhcp(t(0.0107), 'relayed DHCPREQUEST for 10.10.1.5', true, S.testClientAddress, S.serverAddress, 67, 67, { ...relayed, op: BootpOp.request, options: [typeOption(DhcpMessageType.request), [50, addressOption('10.10.1.5')], [54, addressOption(S.serverAddress)]] }, 0x2202));
  frames.push(dhcp(t(0.0391), 'DHCPACK of 10.10.1.5 to the relay, lease 60 s (after the fsync of the leases file)', false, S.serverAddress, S.relayAddress, 67, 67, { ...relayed, op: BootpOp.reply, yiaddr: '10.10.1.5', siaddr: S.serverAddress, options: serverOptions(DhcpMessageType.ack) }, 0x9102));
  // Unicast renewals straight from clients (port 68 -> 67) and their ACKs; from 10.10.2.0 on the source port is rewritten.
  const renewals: [string, number, number][] = [['10.10.1.5', 5, 67], ['10.10.1.254', 254, 67], ['10.10.2.0', 256, 1], ['10.10.2.1', 257, 2], ['10.10.3.17', 529, 511]];
  renewals.forEach(([client, index, replyPort], i) => {
    const message = { xid: 0x5e1f1000 + index, chaddr: clientMac(index), ciaddr: client };
    const base = 30 + i * 0.25;
    frames.push(dhcp(t(base), `unicast renewal DHCPREQUEST from ${client}:68`, true, client, S.serverAddress, 68, 67, { ...message, op: BootpOp.request, options: [typeOption(DhcpMessageType.request)] }, 0x3300 + i));
    const note = replyPort === 67 ? `DHCPACK to ${client}:68 from port 67` : `DHCPACK to ${client}:68 leaving from rewritten source port ${replyPort}`;
    frames.push(dhcp(t(base + 0.031), note, false, S.serverAddress, client, replyPort, 68, { ...message, op: BootpOp.reply, yiaddr: client, options: serverOptions(DhcpMessageType.ack) }, 0x9200 + i));
  });
  return frames;
}
