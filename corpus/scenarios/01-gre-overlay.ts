/**
 * Scenario 1 (seeds/001): an OpenStack overlay where GRE carries Ethernet. Captured on a compute
 * node's trunk (802.1Q VLAN 102): Ethernet / 802.1Q / IPv4 proto 47 / GRE with a key (8-byte header,
 * protocol 0x6558) / inner Ethernet / IPv4 / ICMP echo or TCP (ssh to the instance 10.5.5.5).
 * After the kernel upgrade the tunnel copies DF and TTL from the inner packet; a 1472-byte inner
 * packet with DF then makes a 1514-byte outer packet, which draws an ICMP fragmentation-needed.
 * Before the upgrade the same packet left without DF and was fragmented: a main packet and a tail
 * carrying 14 bytes, the inner Ethernet header nobody had counted. The last frames repeat some of
 * the tunnel as seen untagged on the VLAN interface.
 */
import type { BuildLayerSpec } from '../../src/packet/build/index.js';
import { buildIpv4Fragments } from '../../src/packet/build/index.js';
import { frame } from '../support/frames.js';
import type { CorpusFrame } from '../support/frames.js';
import { secondsNs, utcNs } from '../support/time.js';

/** The hosts of scenario 1. */
export const GRE_OVERLAY = {
  computeMac: '90:e2:ba:4a:10:12', computeAddress: '172.20.0.12',
  networkNodeMac: '90:e2:ba:4a:10:11', networkNodeAddress: '172.20.0.11',
  routerMac: '90:e2:ba:4a:10:01', routerAddress: '172.20.0.1',
  vlanId: 102, greKey: 1002,
  instanceMac: 'fa:16:3e:ec:03:eb', instanceAddress: '10.5.5.5',
  qrouterMac: 'fa:16:3e:0a:c6:a8', qrouterAddress: '10.5.5.1',
  /** Inner packet size the instance used (MTU planned for 28 bytes of GRE over IP, not 42). */
  innerMtu: 1472,
} as const;

const S = GRE_OVERLAY;
const start = utcNs('2015-02-17T14:03:21', 118_000_000n);

interface InnerPacket { fromInstance: boolean; dontFragment: boolean; ttl: number; identification: number; transport: BuildLayerSpec[] }

/** The inner Ethernet frame of a tunnelled packet, instance <-> qrouter. */
function inner(p: InnerPacket): BuildLayerSpec[] {
  return [
    { type: 'ethernet', source: p.fromInstance ? S.instanceMac : S.qrouterMac, destination: p.fromInstance ? S.qrouterMac : S.instanceMac },
    { type: 'ipv4', source: p.fromInstance ? S.instanceAddress : S.qrouterAddress, destination: p.fromInstance ? S.qrouterAddress : S.instanceAddress, dontFragment: p.dontFragment, ttl: p.ttl, identification: p.identification },
    ...p.transport,
  ];
}

/** The outer headers between the compute node (instance side) and the network node (qrouter side). */
function outer(p: InnerPacket, tagged: boolean, extra: Partial<Extract<BuildLayerSpec, { type: 'ipv4' }>> = {}): BuildLayerSpec[] {
  return [
    { type: 'ethernet', source: p.fromInstance ? S.computeMac : S.networkNodeMac, destination: p.fromInstance ? S.networkNodeMac : S.computeMac },
    ...(tagged ? [{ type: 'vlan' as const, vlanId: S.vlanId }] : []),
    // The kernel's ip_gre copies DF and TTL from the encapsulated packet.
    { type: 'ipv4', source: p.fromInstance ? S.computeAddress : S.networkNodeAddress, destination: p.fromInstance ? S.networkNodeAddress : S.computeAddress, dontFragment: p.dontFragment, ttl: p.ttl, identification: p.identification ^ 0x5a5a, ...extra },
    { type: 'gre', keyPresent: true, key: S.greKey },
  ];
}

/** A tunnelled frame: outer headers, GRE with key, and the inner packet. */
function tunnelled(at: bigint, note: string, p: InnerPacket, tagged = true): CorpusFrame {
  return frame(at, note, [...outer(p, tagged), ...inner(p)]);
}

const sshBanner = new TextEncoder().encode('SSH-2.0-OpenSSH_6.6.1p1 Ubuntu-2ubuntu2\r\n');
const clientBanner = new TextEncoder().encode('SSH-2.0-OpenSSH_6.0p1 Debian-4\r\n');
const ping = (seq: number): Uint8Array => Uint8Array.from({ length: 56 }, (_, i) => (i + seq) & 0xff);

/** An SSH binary packet (RFC 4253 section 6) of exactly `size` bytes holding SSH_MSG_KEXINIT (RFC 4253 section 7.1), with a fixed cookie. */
function kexinitPacket(size: number): Uint8Array {
  const encoder = new TextEncoder();
  const lists = [
    'curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group14-sha1',
    'ssh-rsa,ssh-dss,ecdsa-sha2-nistp256,ssh-ed25519',
    'aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,arcfour256,arcfour128,aes128-cbc,3des-cbc,blowfish-cbc,cast128-cbc,aes192-cbc,aes256-cbc',
    'aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,arcfour256,arcfour128,aes128-cbc,3des-cbc,blowfish-cbc,cast128-cbc,aes192-cbc,aes256-cbc',
    'hmac-md5-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-md5,hmac-sha1,umac-64@openssh.com,umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512',
    'hmac-md5-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-md5,hmac-sha1,umac-64@openssh.com,umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512',
    'none,zlib@openssh.com', 'none,zlib@openssh.com', '', '',
  ].map((text) => encoder.encode(text));
  const payloadLength = 1 + 16 + lists.reduce((sum, l) => sum + 4 + l.length, 0) + 1 + 4;
  const padding = size - 5 - payloadLength;
  if (padding < 4 || padding > 255 || size % 8 !== 0) throw new Error(`corpus: KEXINIT of ${payloadLength} bytes cannot fill ${size}`);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, size - 4);
  out[4] = padding;
  out[5] = 20; // SSH_MSG_KEXINIT
  for (let i = 0; i < 16; i++) out[6 + i] = (0x3c + 37 * i) & 0xff;
  let offset = 22;
  for (const list of lists) { view.setUint32(offset, list.length); out.set(list, offset + 4); offset += 4 + list.length; }
  // first_kex_packet_follows = 0 and reserved = 0 are already zero; the padding stays zero.
  return out;
}

/** The KEXINIT segment from the instance: a full 1472-byte inner IPv4 packet (20 IP + 20 TCP + 1432 data), DF as given. */
function kexinit(dontFragment: boolean, identification: number): InnerPacket {
  return {
    fromInstance: true, dontFragment, ttl: 64, identification,
    transport: [{ type: 'tcp', sourcePort: 22, destinationPort: 51022, sequenceNumber: 3_000_000_001 + sshBanner.length, acknowledgmentNumber: 1_000_000_001 + clientBanner.length, flags: 0x18, window: 227 }, { type: 'payload', data: kexinitPacket(S.innerMtu - 40) }],
  };
}

/** The frames of 01-gre-overlay.pcap, in capture order. */
export function greOverlayFrames(): CorpusFrame[] {
  const t = (seconds: number): bigint => start + secondsNs(seconds);
  const frames: CorpusFrame[] = [];
  const echoRequest: InnerPacket = { fromInstance: false, dontFragment: true, ttl: 64, identification: 0x1f01, transport: [{ type: 'icmp', icmpType: 8, code: 0, restOfHeader: (0x0b1c << 16) | 1 }, { type: 'payload', data: ping(1) }] };
  const echoReply: InnerPacket = { fromInstance: true, dontFragment: false, ttl: 64, identification: 0x6a20, transport: [{ type: 'icmp', icmpType: 0, code: 0, restOfHeader: (0x0b1c << 16) | 1 }, { type: 'payload', data: ping(1) }] };
  frames.push(tunnelled(t(0), 'ICMP echo request 10.5.5.1 -> 10.5.5.5 in GRE key 1002, inner DF copied to the outer header', echoRequest));
  frames.push(tunnelled(t(0.000412), 'ICMP echo reply 10.5.5.5 -> 10.5.5.1, no DF inside or outside', echoReply));
  const mss = { kind: 2, data: Uint8Array.of(0x05, 0x8c) };
  const syn: InnerPacket = { fromInstance: false, dontFragment: true, ttl: 64, identification: 0x1f02, transport: [{ type: 'tcp', sourcePort: 51022, destinationPort: 22, sequenceNumber: 1_000_000_000, flags: 0x02, window: 29200, options: [mss, { kind: 1, data: new Uint8Array(0) }, { kind: 1, data: new Uint8Array(0) }, { kind: 4, data: new Uint8Array(0) }] }] };
  const synAck: InnerPacket = { fromInstance: true, dontFragment: true, ttl: 64, identification: 0, transport: [{ type: 'tcp', sourcePort: 22, destinationPort: 51022, sequenceNumber: 3_000_000_000, acknowledgmentNumber: 1_000_000_001, flags: 0x12, window: 28960, options: [mss, { kind: 1, data: new Uint8Array(0) }, { kind: 1, data: new Uint8Array(0) }, { kind: 4, data: new Uint8Array(0) }] }] };
  const ack: InnerPacket = { fromInstance: false, dontFragment: true, ttl: 64, identification: 0x1f03, transport: [{ type: 'tcp', sourcePort: 51022, destinationPort: 22, sequenceNumber: 1_000_000_001, acknowledgmentNumber: 3_000_000_001, flags: 0x10, window: 229 }] };
  const banner: InnerPacket = { fromInstance: true, dontFragment: true, ttl: 64, identification: 0x6a21, transport: [{ type: 'tcp', sourcePort: 22, destinationPort: 51022, sequenceNumber: 3_000_000_001, acknowledgmentNumber: 1_000_000_001, flags: 0x18, window: 227 }, { type: 'payload', data: sshBanner }] };
  const clientHello: InnerPacket = { fromInstance: false, dontFragment: true, ttl: 64, identification: 0x1f04, transport: [{ type: 'tcp', sourcePort: 51022, destinationPort: 22, sequenceNumber: 1_000_000_001, acknowledgmentNumber: 3_000_000_001 + sshBanner.length, flags: 0x18, window: 229 }, { type: 'payload', data: clientBanner }] };
  frames.push(tunnelled(t(1.2), 'TCP SYN 10.5.5.1:51022 -> 10.5.5.5:22 (ssh), DF', syn));
  frames.push(tunnelled(t(1.2006), 'TCP SYN+ACK 10.5.5.5:22 -> 10.5.5.1:51022, DF', synAck));
  frames.push(tunnelled(t(1.2011), 'TCP ACK, handshake done', ack));
  frames.push(tunnelled(t(1.2150), 'ssh server banner from the instance', banner));
  frames.push(tunnelled(t(1.2163), 'ssh client banner (SSH2_MSG_KEXINIT follows)', clientHello));
  // After the upgrade: the 1472-byte inner packet with DF becomes a 1514-byte outer packet with DF.
  const big = kexinit(true, 0x6a22);
  const bigFrame = tunnelled(t(1.2301), 'KEXINIT from the instance: 1472-byte inner packet with DF, 1514-byte outer packet with DF copied', big);
  frames.push(bigFrame);
  // The router with MTU 1500 answers with fragmentation needed, quoting the outer IPv4 header and 8 bytes: the whole keyed GRE header.
  const outerIp = bigFrame.layers.find((l) => l.type === 'ipv4')!;
  const fragNeeded: BuildLayerSpec[] = [
    { type: 'ethernet', source: S.routerMac, destination: S.computeMac },
    { type: 'vlan', vlanId: S.vlanId },
    { type: 'ipv4', source: S.routerAddress, destination: S.computeAddress, ttl: 255, identification: 0x0d11 },
    { type: 'icmp', icmpType: 3, code: 4, restOfHeader: 1500 },
    { ...outerIp, type: 'ipv4' },
    { type: 'gre', keyPresent: true, key: S.greKey, protocolType: 0x6558 },
  ];
  frames.push(frame(t(1.2302), 'ICMP fragmentation needed (type 3 code 4, next-hop MTU 1500) from 172.20.0.1, quoting the outer header and the 8-byte GRE header', fragNeeded));
  // Before the upgrade (old node): the same packet left without DF on the outer header and was fragmented.
  const oldBig = kexinit(true, 0x6a30);
  const fragmentFrames = (tagged: boolean, at: number): CorpusFrame[] => {
    const pieces = buildIpv4Fragments([...outer(oldBig, tagged, { dontFragment: false }), ...inner(oldBig)], { mtu: 1500 });
    return pieces.map((piece, i) => {
      const ip = piece.layers.find((l) => l.type === 'ipv4')!;
      const bytes = piece.data.length - piece.offsets[piece.layers.length - 1]!;
      const note = i === 0
        ? `old node: the same KEXINIT without DF on the outer header, first fragment (MF, ${bytes} bytes)${tagged ? '' : ', untagged'}`
        : `old node: the tail fragment (offset ${ip.type === 'ipv4' ? ip.fragOffset * 8 : 0}) carrying ${bytes} bytes, the uncounted inner Ethernet header${tagged ? '' : ', untagged'}`;
      return frame(t(at + i * 0.000004), note, piece.layers.map((l) => ({ ...l })) as BuildLayerSpec[]);
    });
  };
  frames.push(...fragmentFrames(true, 2.5));
  // The same tunnel seen untagged on the VLAN interface eth1.102.
  frames.push(tunnelled(t(3.0), 'untagged (eth1.102): ICMP echo request to 10.5.5.5 in GRE', { ...echoRequest, identification: 0x1f05, transport: [{ type: 'icmp', icmpType: 8, code: 0, restOfHeader: (0x0b1c << 16) | 2 }, { type: 'payload', data: ping(2) }] }, false));
  frames.push(tunnelled(t(3.0004), 'untagged (eth1.102): ICMP echo reply from 10.5.5.5 in GRE', { ...echoReply, identification: 0x6a31, transport: [{ type: 'icmp', icmpType: 0, code: 0, restOfHeader: (0x0b1c << 16) | 2 }, { type: 'payload', data: ping(2) }] }, false));
  frames.push(...fragmentFrames(false, 3.5));
  frames.push(frame(t(3.6), 'untagged (eth1.102): ICMP fragmentation needed, MTU 1500', fragNeeded.filter((l) => l.type !== 'vlan')));
  return frames;
}
