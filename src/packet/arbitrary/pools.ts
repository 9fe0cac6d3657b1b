/**
 * Value pools the arbitraries draw from most of the time: the addresses, ports, flags and types that
 * filters in the field test, so a differential filter test sees both verdicts often. The rest of the
 * time any value of the field's width is drawn.
 */
import fc from 'fast-check';

/** `fc.record` that makes ordinary objects (with Object.prototype), so specs compare and print as users expect. */
export function plainRecord<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true });
}

/** Draws from `pool` with weight `poolWeight` against 1 for `other`. */
export function biased<T>(pool: readonly T[], other: fc.Arbitrary<T>, poolWeight = 4): fc.Arbitrary<T> {
  return fc.oneof({ arbitrary: fc.constantFrom(...pool), weight: poolWeight }, { arbitrary: other, weight: 1 });
}

/** An unsigned integer of `bits` bits. */
export function uint(bits: number): fc.Arbitrary<number> {
  return fc.integer({ min: 0, max: 2 ** bits - 1 });
}

const byteArb = uint(8);

/** IPv4 addresses filters name in the scenarios (floating IPs, anchors, DHCP, ARP), plus broadcast, multicast and loopback. */
export const IPV4_ADDRESS_POOL: readonly string[] = [
  '10.0.0.1', '10.5.5.5', '192.168.1.12', '159.203.114.10', '10.18.0.26', '10.18.0.37', '10.10.2.0', '10.10.0.5',
  '172.16.8.3', '167.99.219.77', '188.166.68.46', '8.8.8.8', '255.255.255.255', '224.0.0.1', '224.0.0.18', '127.0.0.1', '0.0.0.0',
];

/** An IPv4 address, biased toward IPV4_ADDRESS_POOL and the 10.10.x.x / 10.18.0.x networks. */
export function arbitraryIpv4Address(): fc.Arbitrary<string> {
  const any = fc.tuple(byteArb, byteArb, byteArb, byteArb).map((b) => b.join('.'));
  const dhcpNet = fc.tuple(byteArb, byteArb).map(([c, d]) => `10.10.${c}.${d}`);
  const anchorNet = byteArb.map((d) => `10.18.0.${d}`);
  return fc.oneof(
    { arbitrary: fc.constantFrom(...IPV4_ADDRESS_POOL), weight: 6 },
    { arbitrary: dhcpNet, weight: 1 },
    { arbitrary: anchorNet, weight: 1 },
    { arbitrary: any, weight: 2 },
  );
}

/** IPv6 addresses filters name: documentation, loopback, link-local and multicast. */
export const IPV6_ADDRESS_POOL: readonly string[] = [
  '2001:db8::1', '2001:db8::2', '2001:db8::5', '::1', '::', 'fe80::f816:3eff:feec:3eb', 'ff02::1', 'ff02::1:ff00:1', '::ffff:10.5.5.5',
];

/** An IPv6 address, biased toward IPV6_ADDRESS_POOL. */
export function arbitraryIpv6Address(): fc.Arbitrary<string> {
  const any = fc.array(uint(16), { minLength: 8, maxLength: 8 }).map((w) => w.map((x) => x.toString(16)).join(':'));
  return biased(IPV6_ADDRESS_POOL, any, 3);
}

/** MAC addresses filters name: broadcast, the VRRP virtual MAC, the scenarios' hosts and multicast. */
export const MAC_ADDRESS_POOL: readonly string[] = [
  'ff:ff:ff:ff:ff:ff', '00:00:5e:00:01:6e', '04:01:be:00:00:01', '8a:05:1e:bd:cb:01', 'f4:a7:39:d7:8a:7d',
  '01:00:5e:00:00:01', '33:33:00:00:00:01', '00:00:00:00:00:00', '02:00:00:00:00:01',
];

/** A MAC address, biased toward MAC_ADDRESS_POOL. */
export function arbitraryMacAddress(): fc.Arbitrary<string> {
  const any = fc.array(byteArb, { minLength: 6, maxLength: 6 }).map((b) => b.map((x) => x.toString(16).padStart(2, '0')).join(':'));
  return biased(MAC_ADDRESS_POOL, any, 3);
}

/** Ports filters name (ssh, dns, dhcp, http, https, the scenarios' 1234, VXLAN, Geneve). */
export const PORT_POOL: readonly number[] = [22, 53, 67, 68, 80, 443, 1234, 4789, 6081];

/** A port, biased toward PORT_POOL and the low range 1..512. */
export function arbitraryPort(): fc.Arbitrary<number> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...PORT_POOL), weight: 5 },
    { arbitrary: fc.integer({ min: 1, max: 512 }), weight: 2 },
    { arbitrary: uint(16), weight: 2 },
  );
}

/** TCP flag combinations filters test: SYN, SYN|ACK, ACK, RST, RST|ACK, FIN|ACK, FIN, PSH|ACK. */
export const TCP_FLAGS_POOL: readonly number[] = [0x02, 0x12, 0x10, 0x04, 0x14, 0x11, 0x01, 0x18];

/** A TCP flags value (12 bits), biased toward TCP_FLAGS_POOL. */
export function arbitraryTcpFlags(): fc.Arbitrary<number> {
  return biased(TCP_FLAGS_POOL, fc.oneof(uint(8), uint(12)), 5);
}

/** ICMP (type, code) pairs filters test: echo, echo reply, unreachable (port, frag-needed, host), time exceeded. */
export const ICMP_TYPE_CODE_POOL: readonly (readonly [number, number])[] = [[8, 0], [0, 0], [3, 4], [3, 3], [3, 1], [11, 0], [5, 1]];

/** A small payload: empty, the scenarios' 2-byte payloads, or up to `maxLength` random bytes. */
export function arbitraryPayloadBytes(maxLength = 64): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { arbitrary: fc.constant(new Uint8Array(0)), weight: 2 },
    { arbitrary: fc.uint8Array({ minLength: 2, maxLength: 2 }), weight: 1 },
    { arbitrary: fc.uint8Array({ minLength: 0, maxLength }), weight: 3 },
  );
}
