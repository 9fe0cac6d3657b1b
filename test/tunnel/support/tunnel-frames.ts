/**
 * Generated tunnel frames for the stock-expression tests: a fixed encapsulation shape (GRE C/K/S and
 * payload type, VXLAN, Geneve options, outer IPv4/IPv6, VLAN tags outside and inside) and fast-check
 * arbitraries for everything else, drawn from small value pools so equal values across frames are common.
 */
import fc from 'fast-check';
import type { BuildLayerSpec } from '../../../src/packet/build/index.js';
import { arbitraryGeneve, arbitraryIpv4Options, arbitraryIpv6Extension, arbitraryVlan } from '../../../src/packet/arbitrary/index.js';

export type TunnelFamily = 'gre' | 'vxlan' | 'geneve';
export type TunnelPayload = 'ipv4' | 'ipv6' | 'ethernet';

/** The layout of one generated frame. */
export interface TunnelShape {
  family: TunnelFamily;
  outer: 4 | 6;
  /** 802.1Q tags before the outer IP header (0 to 2). */
  outerVlans: number;
  /** Outer IPv4 options (IHL above 5) or an outer IPv6 extension header. */
  outerExtra: boolean;
  /** GRE C, K and S bits (GRE only). */
  checksumPresent: boolean;
  keyPresent: boolean;
  sequencePresent: boolean;
  /** What the tunnel carries (VXLAN: always Ethernet). */
  payload: TunnelPayload;
  /** An 802.1Q tag inside the inner Ethernet header. */
  innerVlan: boolean;
  /** Inner IP version after an inner Ethernet header. */
  innerIp: 4 | 6;
  /** Geneve options (0 to 2). */
  geneveOptions: number;
  transport: 'udp' | 'tcp' | 'icmp';
}

/** Every shape the issue lists: GRE with every C/K/S combination and payload type over IPv4 and IPv6 with and without tags outside and inside; VXLAN; Geneve with options. */
export function tunnelShapes(): TunnelShape[] {
  const shapes: TunnelShape[] = [];
  const base = { outerExtra: false, checksumPresent: false, keyPresent: false, sequencePresent: false, innerVlan: false, innerIp: 4 as const, geneveOptions: 0, transport: 'udp' as const };
  const transports = ['udp', 'tcp', 'icmp'] as const;
  let n = 0;
  for (const outer of [4, 6] as const) {
    for (let flags = 0; flags < 8; flags++) {
      for (const payload of ['ipv4', 'ipv6', 'ethernet'] as const) {
        for (const outerVlans of [0, 1]) {
          for (const innerVlan of payload === 'ethernet' ? [false, true] : [false]) {
            n++;
            shapes.push({
              ...base, family: 'gre', outer, outerVlans: outerVlans + (n % 7 === 0 ? 1 : 0), outerExtra: n % 5 === 0, payload, innerVlan,
              checksumPresent: (flags & 4) !== 0, keyPresent: (flags & 2) !== 0, sequencePresent: (flags & 1) !== 0,
              innerIp: n % 3 === 0 ? 6 : 4, transport: transports[n % 3]!,
            });
          }
        }
      }
    }
    for (const outerVlans of [0, 1, 2]) {
      for (const innerVlan of [false, true]) {
        for (const innerIp of [4, 6] as const) {
          n++;
          shapes.push({ ...base, family: 'vxlan', outer, outerVlans, innerVlan, innerIp, payload: 'ethernet', outerExtra: n % 4 === 0, transport: transports[n % 3]! });
        }
      }
    }
    for (const geneveOptions of [0, 1, 2]) {
      for (const payload of ['ipv4', 'ipv6', 'ethernet'] as const) {
        for (const outerVlans of [0, 1]) {
          n++;
          shapes.push({ ...base, family: 'geneve', outer, outerVlans, geneveOptions, payload, innerVlan: payload === 'ethernet' && n % 2 === 0, innerIp: n % 3 === 0 ? 6 : 4, outerExtra: n % 4 === 0, transport: transports[n % 3]! });
        }
      }
    }
  }
  return shapes;
}

const innerIpv4 = ['10.5.5.5', '10.5.5.1'];
const innerIpv6 = ['2001:db8::5', '2001:db8::1'];
const outerIpv4 = ['172.20.0.11', '172.20.0.12'];
const outerIpv6 = ['2001:db8:ffff::11', '2001:db8:ffff::12'];
const ports = [22, 53, 51022];

/** The layer specs of one frame of `shape`, outermost first, with values drawn by fast-check. */
export function arbitraryTunnelFrame(shape: TunnelShape): fc.Arbitrary<BuildLayerSpec[]> {
  return fc.record({
    outerTags: fc.array(arbitraryVlan(), { minLength: shape.outerVlans, maxLength: shape.outerVlans }),
    innerTag: arbitraryVlan(),
    outerSource: fc.constantFrom(0, 1),
    outerDestination: fc.constantFrom(0, 1),
    ipv4Options: arbitraryIpv4Options().filter((o) => o.length > 0),
    extension: arbitraryIpv6Extension(),
    key: fc.constantFrom(0x3ea, 42),
    sequenceNumber: fc.constantFrom(1, 2),
    tunnelSourcePort: fc.constantFrom(49152, 33000, 6081),
    vni: fc.constantFrom(100, 200),
    geneve: arbitraryGeneve(),
    innerSource: fc.constantFrom(0, 1),
    innerDestination: fc.constantFrom(0, 1),
    ttl: fc.constantFrom(64, 63),
    sourcePort: fc.constantFrom(...ports),
    destinationPort: fc.constantFrom(...ports),
    tcpFlags: fc.constantFrom(0x002, 0x012, 0x010),
    payloadLength: fc.integer({ min: 0, max: 6 }),
  }).map((v) => {
    const stack: BuildLayerSpec[] = [{ type: 'ethernet' }, ...v.outerTags];
    if (shape.outer === 4) {
      const ip: BuildLayerSpec = { type: 'ipv4', source: outerIpv4[v.outerSource]!, destination: outerIpv4[v.outerDestination]!, ttl: v.ttl };
      if (shape.outerExtra) ip.options = v.ipv4Options;
      stack.push(ip);
    } else {
      stack.push({ type: 'ipv6', source: outerIpv6[v.outerSource]!, destination: outerIpv6[v.outerDestination]!, hopLimit: v.ttl });
      if (shape.outerExtra) stack.push(v.extension);
    }
    let payload = shape.payload;
    if (shape.family === 'gre') {
      const gre: BuildLayerSpec = { type: 'gre', checksumPresent: shape.checksumPresent, keyPresent: shape.keyPresent, sequencePresent: shape.sequencePresent, version: 0 };
      if (shape.keyPresent) gre.key = v.key;
      if (shape.sequencePresent) gre.sequenceNumber = v.sequenceNumber;
      stack.push(gre);
    } else if (shape.family === 'vxlan') {
      stack.push({ type: 'udp', sourcePort: v.tunnelSourcePort, destinationPort: 4789 }, { type: 'vxlan', flags: 0x08, vni: v.vni });
      payload = 'ethernet';
    } else {
      const options = v.geneve.options ?? [];
      const padded = [...options, { optionClass: 0x0101, type: 1, data: new Uint8Array(4) }, { optionClass: 0x0102, type: 2, data: new Uint8Array(0) }].slice(0, shape.geneveOptions);
      stack.push({ type: 'udp', sourcePort: v.tunnelSourcePort, destinationPort: 6081 }, { ...v.geneve, options: padded, vni: v.vni });
    }
    let innerIp = payload === 'ipv6' ? 6 : 4;
    if (payload === 'ethernet') {
      stack.push({ type: 'ethernet' });
      if (shape.innerVlan) stack.push(v.innerTag);
      innerIp = shape.innerIp;
    }
    const icmpOverIpv6 = innerIp === 6 && shape.transport === 'icmp';
    if (innerIp === 4) stack.push({ type: 'ipv4', source: innerIpv4[v.innerSource]!, destination: innerIpv4[v.innerDestination]!, ttl: v.ttl });
    else stack.push({ type: 'ipv6', source: innerIpv6[v.innerSource]!, destination: innerIpv6[v.innerDestination]!, hopLimit: v.ttl });
    if (shape.transport === 'udp') stack.push({ type: 'udp', sourcePort: v.sourcePort, destinationPort: v.destinationPort });
    else if (shape.transport === 'tcp') stack.push({ type: 'tcp', sourcePort: v.sourcePort, destinationPort: v.destinationPort, flags: v.tcpFlags });
    else if (icmpOverIpv6) stack.push({ type: 'icmpv6', icmpv6Type: 128, code: 0 });
    else stack.push({ type: 'icmp', icmpType: 8, code: 0 });
    if (v.payloadLength > 0) stack.push({ type: 'payload', data: new Uint8Array(v.payloadLength).fill(0xab) });
    return stack;
  });
}
