/**
 * Lowering of a filter AST to the boolean form, strictly left to right so that `vlan`, `mpls` and
 * `pppoes` shift the offsets of every later primitive as libpcap's parser-driven code generation does.
 */
import { BPF_JGE, BPF_JGT, BPF_LD, BPF_LEN, BPF_W } from '../bpf/opcodes.js';
import type { Expr, Id, QualifiedPrimitive } from '../filter/ast.js';
import { CompileError } from './errors.js';
import { and, not, or, orAll, stmt, test, type Cond } from './cond.js';
import { genRelation } from './gen-arith.js';
import { genPppoed, genPppoes, genMpls, genVlan } from './gen-encap.js';
import { genGeneve } from './gen-geneve.js';
import { genGre } from './gen-gre.js';
import { genVxlan } from './gen-vxlan.js';
import { genIpBroadcast, genIpMulticast, genIpv4Host, type Direction } from './gen-ip.js';
import { genIp6Multicast, genIpv6Host, ipv6Words, ipv6MaskWords } from './gen-ip6.js';
import { genDirection, genEtherBroadcast, genEtherHost, genEtherMulticast, genIfIndex, genLlc } from './gen-link.js';
import { genProtochain } from './gen-protochain.js';
import { genDecnetQualified } from './gen-decnet.js';
import { genNetworkName } from './gen-netname.js';
import { genGateway } from './gen-gateway.js';
import { genIsisPduKeyword, genIsoQualified, isIsisPduKeyword } from './gen-isis.js';
import { genPort, genPortRange, genProto, genProtoAbbreviation, portProtocol } from './gen-transport.js';
import { lookupEtherTypeNumber, lookupIpProtocolNumber, lookupServicePort, resolveHostAddresses, unknownName, type HostResolver } from './names.js';
import type { CompileState } from './state.js';


/** Options of the lowering that are not offsets. */
export interface LowerOptions { resolver?: HostResolver }

/** Number of leading octets written in a dotted IPv4 text (`10`, `192.168`, `10.0.0.0`). */
function octetCount(text: string): number {
  const base = text.split('/')[0]!.split(' ')[0]!;
  return Math.min(4, base.split('.').length);
}

/** Parses a dotted IPv4 text the way libpcap's __pcap_atoin does: the value right-aligned and its bit length. */
function dottedValue(text: string): { value: number; bits: number } {
  const parts = text.split('.');
  let value = 0;
  for (const part of parts) value = ((value * 256) + (Number(part) & 0xff)) >>> 0;
  return { value, bits: parts.length * 8 };
}

function ipv4Host(state: CompileState, q: QualifiedPrimitive, value: number, bits: number, kind: string): Cond {
  const shift = 32 - bits;
  const address = shift >= 32 ? 0 : (value << shift) >>> 0;
  const mask = shift >= 32 ? 0 : (0xffffffff << shift) >>> 0;
  return genIpv4Host(state, address, mask, q.proto, q.dir as Direction, kind);
}

function genNumberId(state: CompileState, q: QualifiedPrimitive, value: number): Cond {
  switch (q.type) {
    case undefined: case 'host': case 'net': {
      if (q.proto === 'ether' || q.proto === 'link') throw new CompileError('illegal link layer address');
      if (q.type === 'net') {
        let v = value >>> 0;
        let mask = 0xffffffff;
        while (v !== 0 && (v & 0xff000000) === 0) { v = (v << 8) >>> 0; mask = (mask << 8) >>> 0; }
        return genIpv4Host(state, v, mask, q.proto, q.dir as Direction, 'net');
      }
      return genIpv4Host(state, value >>> 0, 0xffffffff, q.proto, q.dir as Direction, 'host');
    }
    case 'port': return genPort(state, value, portProtocol(q.proto), q.dir as Direction);
    case 'portrange': return genPortRange(state, value, value, portProtocol(q.proto), q.dir as Direction);
    case 'proto': return genProto(state, value, q.proto);
    case 'gateway': throw new CompileError("'gateway' requires a name");
    case 'protochain': return genProtochain(state, value, q.proto);
  }
}

function servicePort(name: string, proto: string | undefined): { port: number; protocol: 6 | 17 | 132 | undefined } {
  const found = lookupServicePort(name);
  if (!found) unknownName('port', name);
  const wanted = portProtocol(proto);
  if (wanted === 17 && found.protocol === 6) throw new CompileError(`port '${name}' is tcp`);
  if (wanted === 6 && found.protocol === 17) throw new CompileError(`port '${name}' is udp`);
  return { port: found.port, protocol: wanted ?? found.protocol };
}

function genNameId(state: CompileState, q: QualifiedPrimitive, id: Extract<Id, { kind: 'name' }>, options: LowerOptions): Cond {
  switch (q.type) {
    case 'port': {
      const { port, protocol } = servicePort(id.name, q.proto);
      return genPort(state, port, protocol, q.dir as Direction);
    }
    case 'portrange': {
      const { port, protocol } = servicePort(id.name, q.proto);
      return genPortRange(state, port, port, protocol, q.dir as Direction);
    }
    case 'proto': {
      if (q.proto === 'ether' || q.proto === 'link') {
        const value = lookupEtherTypeNumber(id.name);
        if (value === undefined) unknownName('ether proto', id.name);
        return genProto(state, value, q.proto);
      }
      const value = lookupIpProtocolNumber(id.name);
      if (value === undefined) unknownName('proto', id.name);
      return genProto(state, value, q.proto);
    }
    case 'protochain': {
      const value = lookupIpProtocolNumber(id.name);
      if (value === undefined) unknownName('proto', id.name);
      return genProtochain(state, value, q.proto);
    }
    case 'gateway': throw new CompileError('gateway is not supported by this compiler yet');
    default: {
      const addresses = resolveHostAddresses(options.resolver, id.name);
      if (!addresses || addresses.ipv4.length + addresses.ipv6.length === 0) unknownName('host', id.name);
      const kind = q.type === 'net' ? 'net' : 'host';
      const parts: Cond[] = [];
      if (q.proto === undefined || q.proto === 'ip' || q.proto === 'arp' || q.proto === 'rarp') {
        for (const address of addresses.ipv4) parts.push(genIpv4Host(state, address >>> 0, 0xffffffff, q.proto, q.dir as Direction, kind));
      }
      if (q.proto === undefined || q.proto === 'ip6') {
        for (const bytes of addresses.ipv6) parts.push(genIpv6Host(state, ipv6Words(bytes), ipv6MaskWords(128), q.proto, q.dir as Direction, kind));
      }
      if (parts.length === 0) unknownName('host', id.name);
      return orAll(...parts);
    }
  }
}

function genPrefix(state: CompileState, q: QualifiedPrimitive, id: Extract<Id, { kind: 'prefix' }>): Cond {
  if (q.type !== 'net') throw new CompileError('Mask syntax for networks only');
  const address = id.address;
  if (address.kind === 'ipv6') {
    const length = id.prefixLength ?? 128;
    if (length > 128) throw new CompileError('mask length must be <= 128');
    const words = ipv6Words(address.bytes);
    const mask = ipv6MaskWords(length);
    if (words.some((w, i) => (w & ~mask[i]!) !== 0)) throw new CompileError(`non-network bits set in "${address.text}/${length}"`);
    return genIpv6Host(state, words, mask, q.proto, q.dir as Direction, 'net');
  }
  const { value, bits } = dottedValue(address.text);
  const network = bits >= 32 ? value : (value * 2 ** (32 - bits)) >>> 0;
  let mask: number;
  if (id.mask) {
    const m = dottedValue(id.mask.text);
    mask = m.bits >= 32 ? m.value : (m.value * 2 ** (32 - m.bits)) >>> 0;
    if ((network & ~mask) >>> 0 !== 0) throw new CompileError(`non-network bits set in "${address.text} mask ${id.mask.text}"`);
  } else {
    const length = id.prefixLength ?? 32;
    if (length > 32) throw new CompileError('mask length must be <= 32');
    mask = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
    if ((network & ~mask) >>> 0 !== 0) throw new CompileError(`non-network bits set in "${address.text}/${length}"`);
  }
  return genIpv4Host(state, network, mask, q.proto, q.dir as Direction, 'net');
}

function genQualified(state: CompileState, q: QualifiedPrimitive, options: LowerOptions): Cond {
  const special = genNetworkName(state, q) ?? genGateway(state, q, options.resolver) ?? (q.proto === 'decnet' ? genDecnetQualified(state, q) : q.proto === 'iso' || q.proto === 'isis' ? genIsoQualified(state, q) : undefined);
  if (special) return special;
  const id = q.id;
  switch (id.kind) {
    case 'number': return genNumberId(state, q, id.value);
    case 'ipv4': {
      if (q.type !== undefined && q.type !== 'host' && q.type !== 'net') throw new CompileError(`illegal address for '${q.type}'`);
      if (q.proto === 'ether' || q.proto === 'link') throw new CompileError('illegal link layer address');
      const { value, bits } = dottedValue(id.text);
      return ipv4Host(state, q, value, Math.min(bits, octetCount(id.text) * 8), q.type === 'net' ? 'net' : 'host');
    }
    case 'ipv6': {
      if (q.type !== undefined && q.type !== 'host' && q.type !== 'net') throw new CompileError(`illegal address for '${q.type}'`);
      return genIpv6Host(state, ipv6Words(id.bytes), ipv6MaskWords(128), q.proto, q.dir as Direction, q.type === 'net' ? 'net' : 'host');
    }
    case 'mac': {
      if (q.type !== undefined && q.type !== 'host') throw new CompileError('ethernet address used in non-ether expression');
      if (q.proto !== undefined && q.proto !== 'ether' && q.proto !== 'link') throw new CompileError('ethernet address used in non-ether expression');
      return genEtherHost(state, id.bytes, q.dir);
    }
    case 'name': return genNameId(state, q, id, options);
    case 'prefix': return genPrefix(state, q, id);
    case 'range': {
      if (q.type !== 'portrange') throw new CompileError('illegal use of a port range');
      const end = (e: Extract<Id, { kind: 'number' | 'name' }>): { port: number; protocol: 6 | 17 | 132 | undefined } =>
        e.kind === 'number' ? { port: e.value, protocol: portProtocol(q.proto) } : servicePort(e.name, q.proto);
      const low = end(id.low);
      const high = end(id.high);
      return genPortRange(state, low.port, high.port, portProtocol(q.proto) ?? (low.protocol === high.protocol ? low.protocol : undefined), q.dir as Direction);
    }
  }
}

/** Lowers `expr` to the boolean form, updating `state` as encapsulation primitives are met. */
export function lowerExpr(state: CompileState, expr: Expr, options: LowerOptions = {}): Cond {
  switch (expr.kind) {
    case 'and': { const left = lowerExpr(state, expr.left, options); return and(left, lowerExpr(state, expr.right, options)); }
    case 'or': { const left = lowerExpr(state, expr.left, options); return or(left, lowerExpr(state, expr.right, options)); }
    case 'not': return not(lowerExpr(state, expr.operand, options));
    case 'qualified': return withSpan(expr, () => genQualified(state, expr, options));
    case 'proto': return withSpan(expr, () => isIsisPduKeyword(expr.proto) ? genIsisPduKeyword(state, expr.proto) : genProtoAbbreviation(state, expr.proto));
    case 'broadcast':
      return withSpan(expr, () => {
        if (expr.proto === 'ip') return genIpBroadcast(state);
        if (expr.proto === 'ip6') throw new CompileError('only link-layer/IP broadcast filters supported');
        return genEtherBroadcast(state);
      });
    case 'multicast':
      return withSpan(expr, () => {
        if (expr.proto === 'ip') return genIpMulticast(state);
        if (expr.proto === 'ip6') return genIp6Multicast(state);
        return genEtherMulticast(state);
      });
    case 'less': return not(test([stmt(BPF_LD | BPF_W | BPF_LEN)], BPF_JGT, expr.value));
    case 'greater': return test([stmt(BPF_LD | BPF_W | BPF_LEN)], BPF_JGE, expr.value);
    case 'relation': return withSpan(expr, () => genRelation(state, expr.op, expr.left, expr.right));
    case 'vlan': return withSpan(expr, () => genVlan(state, expr.value));
    case 'mpls': return withSpan(expr, () => genMpls(state, expr.value));
    case 'pppoes': return withSpan(expr, () => genPppoes(state, expr.value));
    case 'pppoed': return withSpan(expr, () => genPppoed(state));
    case 'geneve': return withSpan(expr, () => genGeneve(state, expr.value));
    case 'vxlan': return withSpan(expr, () => genVxlan(state, expr.value));
    case 'gre': return withSpan(expr, () => genGre(state, expr.value));
    case 'inbound': case 'outbound': return withSpan(expr, () => genDirection(state, expr.kind === 'outbound'));
    case 'ifindex': return withSpan(expr, () => genIfIndex(state, expr.value));
    case 'llc': return withSpan(expr, () => genLlc(state, expr.subtype));
  }
}

/** Runs a primitive's generator, attaching the primitive's span to a CompileError that has none. */
function withSpan(expr: Expr, body: () => Cond): Cond {
  try {
    return body();
  } catch (error) {
    if (error instanceof CompileError && !error.span) throw new CompileError(error.message, expr.span);
    throw error;
  }
}


