/**
 * Scenario 2 (seeds/000): UDP to port 1234 with 2-byte payloads at a DigitalOcean droplet. Sent to
 * the droplet's public address, frames come from the Juniper gateway; sent to the floating address,
 * they arrive rewritten to the droplet's anchor address 10.18.0.x from the VRRP virtual MAC
 * 00:00:5e:00:01:6e. Replies leave from the public address. Every frame is padded to 60 bytes.
 */
import { frame } from '../support/frames.js';
import type { CorpusFrame } from '../support/frames.js';
import { secondsNs, utcNs } from '../support/time.js';

/** The hosts of scenario 2 (from the tcpdump lines of the story). */
export const FLOATING_IP = {
  dropletMac: '8a:05:1e:bd:cb:01', dropletAddress: '188.166.68.46', anchorAddress: '10.18.0.26',
  juniperMac: 'f4:a7:39:d7:8a:7d', vrrpMac: '00:00:5e:00:01:6e',
  clientAddress: '167.99.219.77', port: 1234,
} as const;

const S = FLOATING_IP;

/** A UDP datagram with a 2-byte payload (what `nc -u` sent: a letter and a newline). */
function datagram(at: bigint, note: string, fromMac: string, toMac: string, source: string, destination: string, sourcePort: number, destinationPort: number, text: string, identification: number): CorpusFrame {
  return frame(at, note, [
    { type: 'ethernet', source: fromMac, destination: toMac },
    { type: 'ipv4', source, destination, ttl: 57, identification, dontFragment: true },
    { type: 'udp', sourcePort, destinationPort },
    { type: 'payload', data: new TextEncoder().encode(text) },
  ]);
}

/** The frames of 02-floating-ip-udp.pcap, in capture order. */
export function floatingIpFrames(): CorpusFrame[] {
  const droplet = utcNs('2018-06-22T09:16:05', 240_305_000n);
  const floating = utcNs('2018-06-22T09:16:09', 904_829_000n);
  const at = (base: bigint, seconds: number): bigint => base + secondsNs(seconds);
  return [
    datagram(at(droplet, 0), 'to the droplet address: from the Juniper MAC, UDP 35520 -> 1234, 2 bytes', S.juniperMac, S.dropletMac, S.clientAddress, S.dropletAddress, 35520, S.port, 'a\n', 0x3e01),
    datagram(at(droplet, 0.000611), 'the reply from the droplet address, UDP 1234 -> 35520, 2 bytes', S.dropletMac, S.juniperMac, S.dropletAddress, S.clientAddress, S.port, 35520, 'b\n', 0x9a10),
    datagram(at(droplet, 0.551693), 'to the droplet address again, 2 bytes', S.juniperMac, S.dropletMac, S.clientAddress, S.dropletAddress, 35520, S.port, 'c\n', 0x3e02),
    datagram(at(floating, 0), 'to the floating address: rewritten to the anchor 10.18.0.26, from the VRRP MAC, UDP 53014 -> 1234, 2 bytes', S.vrrpMac, S.dropletMac, S.clientAddress, S.anchorAddress, 53014, S.port, 'd\n', 0x3e03),
    datagram(at(floating, 0.000702), 'the reply leaves from the public address, not the floating one (the client drops it)', S.dropletMac, S.juniperMac, S.dropletAddress, S.clientAddress, S.port, 53014, 'e\n', 0x9a11),
    datagram(at(floating, 0.513829), 'to the floating address again, from the VRRP MAC, 2 bytes', S.vrrpMac, S.dropletMac, S.clientAddress, S.anchorAddress, 53014, S.port, 'f\n', 0x3e04),
  ];
}
