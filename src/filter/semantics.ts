/**
 * The checks libpcap makes while it builds a qualified primitive (gencode.c's gen_scode, gen_ncode,
 * gen_mcode, gen_mcode6, gen_ecode): which qualifiers go with which operand, ranges, names.
 * They do not depend on the link type, so the parser makes them and the compiler never sees a bad tree.
 */
import type { Id, ProtoQualifier, QualifiedPrimitive, Span } from './ast.js';
import { lookupEtherType, lookupIpProtocol, lookupOsiProtocol, resolveServiceName } from './names/index.js';

/** Hosts the filter names: name -> its addresses, or undefined when unknown (no DNS at compile time). */
export type HostResolver = (name: string) => { ipv4: string[]; ipv6: string[]; mac?: string[] } | undefined;

/**
 * Networks the filter names (`net loopback`): name -> the IPv4 network number as inet_network(3) gives it
 * (right-aligned: `127` -> 0x7f, `127.0.0.0` -> 0x7f000000), or undefined when unknown.
 */
export type NetworkResolver = (name: string) => number | undefined;

/** A refusal: the reason and the span it applies to. */
export interface SemanticProblem { reason: string; span: Span }

type Proto = ProtoQualifier | undefined;
const show = (proto: Proto): string => `'${proto}'`;

/** Protocol qualifiers libpcap accepts with an IPv4 host or net (gen_host). */
const ipv4HostProtos = new Set<Proto>([undefined, 'ip', 'arp', 'rarp']);
/** Protocol qualifiers libpcap accepts with an IPv6 host or net (gen_host6). */
const ipv6HostProtos = new Set<Proto>([undefined, 'ip6']);
/** Protocol qualifiers libpcap accepts with `port` and `portrange`. */
const portProtos = new Set<Proto>([undefined, 'tcp', 'udp', 'sctp']);
/** Protocol qualifiers that `proto N` may follow (others do not encapsulate, or are not on our link types). */
const protoProtos = new Set<Proto>([undefined, 'ether', 'link', 'ip', 'ip6', 'iso', 'isis']);
/** Protocol qualifiers that `protochain N` may follow. */
const protochainProtos = new Set<Proto>([undefined, 'ip', 'ip6']);
const linkProtos = new Set<Proto>(['ether', 'link']);

function hostProtoProblem(proto: Proto, what: 'host' | 'net', family: 4 | 6): string | undefined {
  if (family === 4) {
    if (ipv4HostProtos.has(proto)) return undefined;
    if (linkProtos.has(proto)) return what === 'net' ? 'link-layer modifier applied to net' : 'illegal link layer address';
    if (proto === 'ip6') return `'ip6' modifier applied to ip ${what}`;
    return `${show(proto)} modifier applied to ${what}`;
  }
  if (ipv6HostProtos.has(proto)) return undefined;
  if (linkProtos.has(proto)) return `link-layer modifier applied to ip6 ${what}`;
  return `${show(proto)} modifier applied to ip6 ${what}`;
}

function portValueProblem(value: number): string | undefined {
  return value > 65535 ? `illegal port number ${value} > 65535` : undefined;
}

/** Resolves a port name for a port qualifier, as libpcap does (`udp port http` is refused: http is TCP only). */
function portNameProblem(name: string, proto: Proto, inRange: boolean): string | undefined {
  if (/^[0-9]+$/.test(name)) return portValueProblem(Number(name));
  const resolved = resolveServiceName(name);
  if (!resolved) return inRange ? `unknown port in range '${name}'` : `unknown port '${name}'`;
  if (resolved.onlyFor && proto !== undefined && proto !== resolved.onlyFor) return `port '${name}' is ${resolved.onlyFor}`;
  return undefined;
}

/** The host's addresses through the resolver, or a refusal naming the host. */
function resolveHost(name: string, proto: Proto, resolver: HostResolver | undefined): string | undefined {
  const found = resolver?.(name);
  const hint = resolver ? '' : ' (no resolver given: names are not looked up in DNS)';
  if (linkProtos.has(proto)) return found?.mac?.length ? undefined : `unknown ether host '${name}'${hint}`;
  if (!found || (found.ipv4.length === 0 && found.ipv6.length === 0)) return `unknown host '${name}'${hint}`;
  if (proto === 'ip6' && found.ipv6.length === 0) return `unknown host '${name}' for specified address family`;
  if ((proto === 'ip' || proto === 'arp' || proto === 'rarp') && found.ipv4.length === 0) return `unknown host '${name}' for specified address family`;
  if (!ipv4HostProtos.has(proto) && !ipv6HostProtos.has(proto)) return `${show(proto)} modifier applied to host`;
  return undefined;
}

/** Non-network bits in an IPv4 net: the value right-aligned to 32 bits against the mask. */
function ipv4NetBitsProblem(address: number, mask: number, text: string): string | undefined {
  return ((address & ~mask) >>> 0) !== 0 ? `non-network bits set in "${text}"` : undefined;
}

/**
 * `[proto] [dir] net NAME`: the network number through the resolver (recorded on the operand for the
 * compiler), then the protocol qualifier as libpcap's gen_host judges it. Network 0 counts as unknown, as
 * in libpcap (`net default` is refused).
 */
function networkNameProblem(primitive: QualifiedPrimitive, id: Id & { kind: 'name' }, networkResolver: NetworkResolver | undefined): SemanticProblem | undefined {
  const network = networkResolver?.(id.name);
  if (network === undefined || network === 0 || !Number.isInteger(network) || network < 0 || network > 0xffffffff) {
    const hint = networkResolver ? '' : ' (no network resolver given: network names are not looked up in /etc/networks)';
    return { reason: `unknown network '${id.name}'${hint}`, span: id.span };
  }
  const proto = primitive.proto;
  if (proto !== 'decnet') {
    const problem = proto === 'ip6' ? "'ip6' modifier applied to ip host" : hostProtoProblem(proto, 'net', 4);
    if (problem) return { reason: problem, span: id.span };
  }
  id.network = network;
  return undefined;
}

/** libpcap's refusal of `PROTO proto N` for a protocol qualifier that does not select a payload protocol. */
export function protoQualifierProblem(proto: Proto): string {
  switch (proto) {
    case 'arp': case 'rarp': return `${proto} does not encapsulate another protocol`;
    case 'lat': case 'sca': case 'moprc': case 'mopdl': return `${proto.toUpperCase()} does not encapsulate another protocol`;
    case 'decnet': return 'DECNET encapsulation is not specifiable';
    case 'atalk': return 'AppleTalk encapsulation is not specifiable';
    case 'clnp': return "'clnp proto' is not supported";
    default: return `'${proto} proto' is bogus`;
  }
}

/**
 * `decnet [dir] [host|net] ADDRESS` (gen_ncode with Q_DECNET): numbers, `AREA.NODE` addresses and the
 * IPv4 prefix forms are accepted; names need DECnet name support, which libpcap 1.10 on Linux lacks.
 * Returns null when the operand kind is judged by the generic rules below (MAC and IPv6 addresses).
 */
function decnetAddressProblem(primitive: QualifiedPrimitive): SemanticProblem | undefined | null {
  const id = primitive.id;
  switch (id.kind) {
    case 'number': case 'ipv4': return undefined;
    // `decnet net NAME` looks the name up as a network (then keeps the low 16 bits), like `net NAME`.
    case 'name': return primitive.type === 'net' ? null : { reason: `decnet name support not included, '${id.name}' cannot be translated`, span: id.span };
    case 'prefix': {
      if (primitive.type !== 'net') return { reason: 'Mask syntax for networks only', span: id.span };
      if (id.address.kind !== 'ipv4') return null;
      const address = (id.address.value * 2 ** (8 * (4 - id.address.octets))) >>> 0;
      const length = id.prefixLength ?? 32;
      if (!id.mask && length > 32) return { reason: 'mask length must be <= 32', span: id.span };
      const mask = id.mask ? (id.mask.value * 2 ** (8 * (4 - id.mask.octets))) >>> 0 : length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
      const problem = ipv4NetBitsProblem(address, mask, id.text);
      return problem === undefined ? undefined : { reason: problem, span: id.span };
    }
    default: return null;
  }
}

/** Checks one qualified primitive; returns the first problem or undefined. */
export function checkQualified(primitive: QualifiedPrimitive, resolver: HostResolver | undefined, networkResolver?: NetworkResolver): SemanticProblem | undefined {
  const { proto, type, id } = primitive;
  const at = (reason: string | undefined, span: Span = id.span): SemanticProblem | undefined => reason === undefined ? undefined : { reason, span };
  if (proto === 'decnet' && (type === undefined || type === 'host' || type === 'net')) {
    const problem = decnetAddressProblem(primitive);
    if (problem !== null) return problem;
  }
  if (type === 'proto' && !protoProtos.has(proto)) {
    // libpcap looks a name up before it judges the qualifier: `tcp proto \\udp` is an unknown protocol.
    if (id.kind === 'name') return at(`unknown protocol: ${id.name}`);
    if (id.kind === 'number') return at(protoQualifierProblem(proto), primitive.span);
  }
  switch (id.kind) {
    case 'name': {
      const name = id.name;
      switch (type) {
        case undefined: case 'host': return at(resolveHost(name, proto, resolver));
        case 'net': return networkNameProblem(primitive, id, networkResolver);
        case 'port':
          if (!portProtos.has(proto)) return at(`illegal qualifier of 'port'`, primitive.span);
          return at(portNameProblem(name, proto, false));
        case 'portrange': return at(!portProtos.has(proto) ? `illegal qualifier of 'portrange'` : `unknown port in range '${name}'`);
        case 'gateway': {
          if (proto !== undefined && proto !== 'ip' && proto !== 'arp' && proto !== 'rarp') return at(`illegal modifier of 'gateway'`, primitive.span);
          const found = resolver?.(name);
          if (!found?.mac?.length || found.ipv4.length === 0) return at(`'gateway' needs both an Ethernet and an IPv4 address for '${name}'`);
          return undefined;
        }
        case 'proto': case 'protochain': {
          if (type === 'protochain' && !protochainProtos.has(proto)) {
            // libpcap resolves the name for the qualifier first, then refuses the qualifier.
            if (linkProtos.has(proto) && lookupEtherType(name) === undefined) return at(`unknown ether proto '${name}'`);
            if (proto === 'iso' && lookupOsiProtocol(name) === undefined) return at(`unknown osi proto '${name}'`);
            if (!linkProtos.has(proto) && proto !== 'iso') return at(`unknown protocol: ${name}`);
            return at(`bad protocol applied for 'protochain'`, primitive.span);
          }
          if (linkProtos.has(proto)) return at(lookupEtherType(name) === undefined ? `unknown ether proto '${name}'` : undefined);
          if (proto === 'iso') return at(lookupOsiProtocol(name) === undefined ? `unknown osi proto '${name}'` : undefined);
          if (proto === 'isis') return at(`unknown protocol: ${name}`);
          return at(lookupIpProtocol(name) === undefined ? `unknown ip proto '${name}'` : undefined);
        }
      }
      return undefined;
    }
    case 'number': {
      const value = id.value;
      switch (type) {
        case undefined: case 'host': case 'net':
          if (linkProtos.has(proto)) return at('illegal link layer address');
          return at(hostProtoProblem(proto, type === 'net' ? 'net' : 'host', 4));
        case 'port': case 'portrange':
          if (!portProtos.has(proto)) return at(`illegal qualifier of '${type}'`, primitive.span);
          return at(portValueProblem(value));
        case 'gateway': return at(`'gateway' requires a name`);
        case 'proto':
          // libpcap takes any 32-bit value here (a number that cannot match simply never matches).
          return at(protoProtos.has(proto) ? undefined : protoQualifierProblem(proto), primitive.span);
        case 'protochain':
          return at(protochainProtos.has(proto) ? undefined : `bad protocol applied for 'protochain'`, primitive.span);
      }
      return undefined;
    }
    case 'ipv4': {
      if (type === 'port' || type === 'portrange' || type === 'proto' || type === 'protochain') return at(`'${type}' modifier applied to IP address`);
      if (type === 'gateway') return at(`'gateway' requires a name`);
      if (linkProtos.has(proto)) return at('illegal link layer address');
      return at(hostProtoProblem(proto, type === 'net' ? 'net' : 'host', 4));
    }
    case 'ipv6': {
      if (type === 'port' || type === 'portrange' || type === 'proto' || type === 'protochain') return at(`'${type}' modifier applied to IP address`);
      if (type === 'gateway') return at('invalid qualifier against IPv6 address');
      return at(hostProtoProblem(proto, type === 'net' ? 'net' : 'host', 6));
    }
    case 'mac': {
      if ((type === undefined || type === 'host') && linkProtos.has(proto)) return undefined;
      return at('ethernet address used in non-ether expression');
    }
    case 'prefix': {
      const what = id.address.kind === 'ipv6' ? 'IP address and prefix length' : id.mask ? 'IP address and netmask' : 'IP address and prefix length';
      if (type === 'port' || type === 'portrange' || type === 'proto' || type === 'protochain') return at(`'${type}' modifier applied to ${what}`);
      const fullLength = id.address.kind === 'ipv6' && id.prefixLength === 128;
      if (type !== 'net' && !((type === undefined || type === 'host') && fullLength)) return at('Mask syntax for networks only');
      if (id.address.kind === 'ipv6') {
        const length = id.prefixLength ?? 128;
        if (length > 128) return at('mask length must be <= 128');
        const problem = hostProtoProblem(proto, 'net', 6);
        if (problem) return at(problem);
        for (let bit = length; bit < 128; bit++) {
          if ((id.address.bytes[bit >> 3]! >> (7 - (bit & 7))) & 1) return at(`non-network bits set in "${id.text}"`);
        }
        return undefined;
      }
      if (id.address.kind !== 'ipv4') return at('invalid IPv4 network');
      const problem = hostProtoProblem(proto, 'net', 4);
      if (problem) return at(linkProtos.has(proto) ? 'link-layer modifier applied to net' : problem);
      const address = (id.address.value * 2 ** (8 * (4 - id.address.octets))) >>> 0;
      let mask: number;
      if (id.mask) {
        mask = (id.mask.value * 2 ** (8 * (4 - id.mask.octets))) >>> 0;
      } else {
        const length = id.prefixLength ?? 32;
        if (length > 32) return at('mask length must be <= 32');
        mask = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
      }
      return at(ipv4NetBitsProblem(address, mask, id.text));
    }
    case 'range': {
      if (type !== 'portrange') return at(`a port range needs 'portrange'`);
      if (!portProtos.has(proto)) return at(`illegal qualifier of 'portrange'`, primitive.span);
      for (const end of [id.low, id.high]) {
        const problem = end.kind === 'number' ? portValueProblem(end.value) : portNameProblem(end.name, proto, true);
        // libpcap names the whole range when one end is unknown (`ftp-data-ftp` splits as `ftp` and `data-ftp`).
        if (problem?.startsWith('unknown port in range')) return at(`unknown port in range '${id.text}'`, end.span);
        if (problem) return at(problem, end.span);
      }
      return undefined;
    }
  }
}
