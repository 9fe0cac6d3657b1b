/**
 * fast-check arbitraries for whole layer stacks: IP with transports, tunnels (GRE with every C/K/S
 * combination carrying IPv4, IPv6 or Ethernet; VXLAN; Geneve with options; nested), VLAN stacks and
 * QinQ, MPLS, PPPoE, IPv4 fragments and options, IPv6 extension chains, ICMP errors quoting IP, ARP,
 * LLC/SNAP, over every link type.
 */
import fc from 'fast-check';
import { LinkType } from '../../capture/linktype.js';
import type { BuildLayerSpec, SpecOf } from '../build/context.js';
import { arbitraryArp } from './arp.js';
import { arbitraryEthernet } from './ethernet.js';
import { arbitraryGeneve } from './geneve.js';
import { arbitraryGre } from './gre.js';
import { arbitraryIcmp } from './icmp.js';
import { arbitraryIcmpv6 } from './icmpv6.js';
import { arbitraryIpv4 } from './ipv4.js';
import { arbitraryIpv6 } from './ipv6.js';
import { arbitraryIpv6Extension } from './ipv6-extension.js';
import { arbitraryIpv6Fragment } from './ipv6-fragment.js';
import { arbitraryLinuxSll } from './linux-sll.js';
import { arbitraryLinuxSll2 } from './linux-sll2.js';
import { arbitraryLlc } from './llc.js';
import { arbitraryLoop, arbitraryNull } from './loopback.js';
import { arbitraryMpls } from './mpls.js';
import { arbitraryPayloadBytes } from './pools.js';
import { arbitraryPppoe, arbitraryPppoeDiscovery } from './pppoe.js';
import { arbitraryTcp } from './tcp.js';
import { arbitraryUdp } from './udp.js';
import { arbitraryVlan } from './vlan.js';
import { arbitraryVxlan } from './vxlan.js';

type Stack = BuildLayerSpec[];

/** Options of the stack arbitraries. */
export interface ArbitraryStackOptions {
  /** How many tunnels may nest inside each other (default 2). */
  maxTunnelDepth?: number;
  /** Longest payload at the end of a stack (default 48). */
  maxPayloadLength?: number;
}

interface Settings { depth: number; maxPayload: number }

const memo = new Map<string, fc.Arbitrary<Stack>>();

/** Builds each (kind, settings) arbitrary once: the recursive stacks share their sub-arbitraries. */
function memoized(kind: string, s: Settings, make: () => fc.Arbitrary<Stack>): fc.Arbitrary<Stack> {
  const key = `${kind}/${s.depth}/${s.maxPayload}`;
  let arbitrary = memo.get(key);
  if (!arbitrary) { arbitrary = make(); memo.set(key, arbitrary); }
  return arbitrary;
}

function settingsOf(options: ArbitraryStackOptions = {}): Settings {
  return { depth: options.maxTunnelDepth ?? 2, maxPayload: options.maxPayloadLength ?? 48 };
}

const payload = (s: Settings): fc.Arbitrary<Stack> =>
  arbitraryPayloadBytes(s.maxPayload).map((data) => (data.length === 0 ? [] : [{ type: 'payload', data }]));

const prepend = (head: fc.Arbitrary<BuildLayerSpec>, tail: fc.Arbitrary<Stack>): fc.Arbitrary<Stack> =>
  fc.tuple(head, tail).map(([h, t]) => [h, ...t]);

/** A UDP header for a tunnel: an ephemeral source port (a flow hash, RFC 7348) and no destination port, so the builder fills 4789 or 6081. */
const tunnelUdp = (): fc.Arbitrary<SpecOf<'udp'>> => fc.integer({ min: 49152, max: 65535 }).map((sourcePort) => ({ type: 'udp' as const, sourcePort }));

/** UDP ports that announce a tunnel (decoders read what follows them as VXLAN or Geneve). */
const TUNNEL_PORTS: ReadonlySet<number> = new Set([4789, 6081]);

/** Moves a UDP header that carries plain payload off the tunnel ports (4789 -> 4790, 6081 -> 6082), so its payload is not read as a tunnel. */
function avoidTunnelPorts(udp: SpecOf<'udp'>): SpecOf<'udp'> {
  const move = (port: number | undefined): number | undefined => (port !== undefined && TUNNEL_PORTS.has(port) ? port + 1 : port);
  return { ...udp, sourcePort: move(udp.sourcePort), destinationPort: move(udp.destinationPort) };
}

/** What a tunnel carries at `depth` levels of nesting left. */
function tunnelPayload(s: Settings, kinds: readonly ('ethernet' | 'ipv4' | 'ipv6')[]): fc.Arbitrary<Stack> {
  const inner = { ...s, depth: s.depth - 1 };
  return fc.oneof(...kinds.map((kind) => kind === 'ethernet' ? arbitraryEthernetStack(inner, false) : kind === 'ipv4' ? arbitraryIpv4Stack(inner) : arbitraryIpv6Stack(inner)));
}

/** Transports and tunnels after an IP header (`version` 4 or 6); tunnels only while depth is left. */
function transportAfterIp(s: Settings, version: 4 | 6): fc.Arbitrary<Stack> {
  const choices: fc.WeightedArbitrary<Stack>[] = [
    { arbitrary: prepend(arbitraryUdp().map(avoidTunnelPorts), payload(s)), weight: 5 },
    { arbitrary: prepend(arbitraryTcp(), payload(s)), weight: 5 },
    { arbitrary: payload(s), weight: 1 },
  ];
  if (version === 4) {
    choices.push({ arbitrary: prepend(arbitraryIcmp('echo'), payload(s)), weight: 2 });
    // An ICMP error quotes the offending datagram: its IPv4 header and at least 8 bytes after it.
    const quoted = fc.tuple(arbitraryIpv4({ fragments: false }), fc.oneof(
      fc.tuple(arbitraryUdp().map(avoidTunnelPorts), fc.uint8Array({ maxLength: 8 })).map(([udp, data]): Stack => [udp, ...(data.length ? [{ type: 'payload' as const, data }] : [])]),
      arbitraryTcp().map((tcp): Stack => [tcp]),
    )).map(([ip, rest]): Stack => [ip, ...rest]);
    choices.push({ arbitrary: prepend(arbitraryIcmp('error'), quoted), weight: 2 });
  } else {
    choices.push({ arbitrary: prepend(arbitraryIcmpv6('echo'), payload(s)), weight: 2 });
    // An ICMPv6 error quotes as much of the offending packet as fits (RFC 4443): its IPv6 header and what follows.
    const quoted = fc.tuple(arbitraryIpv6(), fc.oneof(
      fc.tuple(arbitraryUdp().map(avoidTunnelPorts), fc.uint8Array({ maxLength: 16 })).map(([udp, data]): Stack => [udp, ...(data.length ? [{ type: 'payload' as const, data }] : [])]),
      arbitraryTcp().map((tcp): Stack => [tcp]),
    )).map(([ip, rest]): Stack => [ip, ...rest]);
    choices.push({ arbitrary: prepend(arbitraryIcmpv6('error'), quoted), weight: 1 });
  }
  if (s.depth > 0) {
    choices.push(
      { arbitrary: prepend(arbitraryGre(), tunnelPayload(s, ['ipv4', 'ipv6', 'ethernet'])), weight: 3 },
      { arbitrary: fc.tuple(tunnelUdp(), arbitraryVxlan(), tunnelPayload(s, ['ethernet'])).map(([u, v, t]): Stack => [u, v, ...t]), weight: 2 },
      { arbitrary: fc.tuple(tunnelUdp(), arbitraryGeneve(), tunnelPayload(s, ['ethernet', 'ipv4', 'ipv6'])).map(([u, g, t]): Stack => [u, g, ...t]), weight: 2 },
      { arbitrary: tunnelPayload(s, ['ipv4', 'ipv6']), weight: 1 },
    );
  }
  return fc.oneof(...choices);
}

/** An IPv4 packet: header (maybe fragmented, maybe with options) and, unless a non-first fragment, a transport or tunnel. */
export function arbitraryIpv4Stack(options: ArbitraryStackOptions | Settings = {}): fc.Arbitrary<Stack> {
  const s = 'depth' in options ? options : settingsOf(options);
  return memoized('ipv4', s, () => {
    const transports = transportAfterIp(s, 4);
    // A non-first fragment carries the middle of the datagram: the protocol stays the original one.
    const fragmentTail = fc.tuple(fc.constantFrom(1, 6, 17, 47), payload(s));
    return arbitraryIpv4().chain((ip) => (ip.fragOffset ?? 0) > 0
      ? fragmentTail.map(([protocol, rest]): Stack => [{ ...ip, protocol }, ...rest])
      : transports.map((rest): Stack => [ip, ...rest]));
  });
}

/**
 * An IPv6 extension chain in the order RFC 8200 section 4.1 recommends, each header at most once:
 * hop-by-hop, destination options, routing, fragment, AH, destination options.
 */
export function arbitraryIpv6ExtensionChain(): fc.Arbitrary<BuildLayerSpec[]> {
  const maybe = (arbitrary: fc.Arbitrary<BuildLayerSpec>): fc.Arbitrary<BuildLayerSpec[]> =>
    fc.oneof({ arbitrary: fc.constant<BuildLayerSpec[]>([]), weight: 3 }, { arbitrary: arbitrary.map((a) => [a]), weight: 1 });
  return fc.tuple(
    maybe(arbitraryIpv6Extension(0)), maybe(arbitraryIpv6Extension(60)), maybe(arbitraryIpv6Extension(43)),
    maybe(arbitraryIpv6Fragment()), maybe(arbitraryIpv6Extension(51)), maybe(arbitraryIpv6Extension(60)),
  ).map((parts) => parts.flat());
}

/** An IPv6 packet: header, an extension chain (often empty) and, unless a non-first fragment, a transport or tunnel. */
export function arbitraryIpv6Stack(options: ArbitraryStackOptions | Settings = {}): fc.Arbitrary<Stack> {
  const s = 'depth' in options ? options : settingsOf(options);
  return memoized('ipv6', s, () => {
    const chain = fc.oneof({ arbitrary: fc.constant<Stack>([]), weight: 3 }, { arbitrary: arbitraryIpv6ExtensionChain(), weight: 2 });
    const transports = transportAfterIp(s, 6);
    const fragmentTail = payload(s);
    return fc.tuple(arbitraryIpv6(), chain, fc.constantFrom(6, 17, 58)).chain(([ip, extensions, protocol]) => {
      const fragmentIndex = extensions.findIndex((e) => e.type === 'ipv6Fragment' && (e.fragOffset ?? 0) > 0);
      if (fragmentIndex < 0) return transports.map((r): Stack => [ip, ...extensions, ...r]);
      // A non-first fragment carries the middle of the fragmentable part: the headers after the fragment header are its payload.
      const after = extensions[fragmentIndex + 1];
      const fragment = { ...extensions[fragmentIndex]!, nextHeader: after?.type === 'ipv6Extension' ? after.headerType : protocol } as BuildLayerSpec;
      return fragmentTail.map((r): Stack => [ip, ...extensions.slice(0, fragmentIndex), fragment, ...r]);
    });
  });
}

/** An IPv4 or IPv6 packet. */
export function arbitraryIpStack(options: ArbitraryStackOptions | Settings = {}): fc.Arbitrary<Stack> {
  return fc.oneof({ arbitrary: arbitraryIpv4Stack(options), weight: 3 }, { arbitrary: arbitraryIpv6Stack(options), weight: 1 });
}

/** What follows an EtherType: IP, ARP, MPLS labels and IP, a PPPoE session and IP, or LLC (when `llc`, announced by a length). */
function afterEtherType(s: Settings, llc: boolean): fc.Arbitrary<Stack> {
  const choices: fc.WeightedArbitrary<Stack>[] = [
    { arbitrary: arbitraryIpStack(s), weight: 10 },
    { arbitrary: arbitraryArp().map((a): Stack => [a]), weight: 2 },
    { arbitrary: fc.tuple(fc.array(arbitraryMpls(), { minLength: 1, maxLength: 3 }), arbitraryIpStack(s)).map(([labels, ip]): Stack => [...labels, ...ip]), weight: 1 },
    { arbitrary: prepend(arbitraryPppoe(), arbitraryIpStack(s)), weight: 1 },
    { arbitrary: arbitraryPppoeDiscovery().map((d): Stack => [...d]), weight: 1 },
  ];
  if (llc) {
    choices.push(
      { arbitrary: prepend(fc.oneof(arbitraryLlc('plain'), arbitraryLlc('snapOther')), payload(s)), weight: 1 },
      { arbitrary: prepend(arbitraryLlc('snap'), fc.oneof(arbitraryIpv4Stack(s), arbitraryArp().map((a): Stack => [a]))), weight: 1 },
    );
  }
  return fc.oneof(...choices);
}

/** An Ethernet frame: MAC header, 0 to 2 VLAN tags (QinQ with any TPID), then IP, ARP, MPLS, PPPoE or LLC. */
export function arbitraryEthernetStack(options: ArbitraryStackOptions | Settings = {}, llc = true): fc.Arbitrary<Stack> {
  const s = 'depth' in options ? options : settingsOf(options);
  return memoized(llc ? 'ethernet+llc' : 'ethernet', s, () => ethernetStack(s, llc));
}

function ethernetStack(s: Settings, llc: boolean): fc.Arbitrary<Stack> {
  const tags = fc.oneof({ arbitrary: fc.constant<SpecOf<'vlan'>[]>([]), weight: 4 }, { arbitrary: fc.array(arbitraryVlan(), { minLength: 1, maxLength: 2 }), weight: 2 });
  return fc.tuple(arbitraryEthernet(), tags, afterEtherType(s, llc)).map(([ethernet, vlans, rest]): Stack => [ethernet, ...vlans, ...rest]);
}

/** A whole stack for a link type (LinkType values): what its first header is and what may follow it. */
export function arbitraryStack(linkType: number, options: ArbitraryStackOptions = {}): fc.Arbitrary<Stack> {
  const s = settingsOf(options);
  switch (linkType) {
    case LinkType.EN10MB: return arbitraryEthernetStack(s);
    case LinkType.RAW: return arbitraryIpStack(s);
    case LinkType.IPV4: return arbitraryIpv4Stack(s);
    case LinkType.IPV6: return arbitraryIpv6Stack(s);
    case LinkType.NULL:
    case LinkType.LOOP: {
      const header = linkType === LinkType.NULL ? arbitraryNull : arbitraryLoop;
      return fc.oneof(prepend(header(false), arbitraryIpv4Stack(s)), prepend(header(true), arbitraryIpv6Stack(s)));
    }
    case LinkType.LINUX_SLL:
    case LinkType.LINUX_SLL2: {
      const header: fc.Arbitrary<BuildLayerSpec> = linkType === LinkType.LINUX_SLL ? arbitraryLinuxSll() : arbitraryLinuxSll2();
      return prepend(header, fc.oneof({ arbitrary: arbitraryIpStack(s), weight: 4 }, { arbitrary: arbitraryArp().map((a): Stack => [a]), weight: 1 }));
    }
    default:
      throw new RangeError(`arbitraryStack: link type ${linkType} is not one the builders know (${Object.entries(LinkType).map(([n, v]) => `${n}=${v}`).join(', ')})`);
  }
}
