/**
 * `[ip|arp|rarp] gateway NAME`: packets that pass through host NAME as a gateway, i.e. whose Ethernet source
 * or destination is NAME's MAC address while neither IPv4 address is one of NAME's (libpcap's gen_gateway as
 * built without INET6; the Debian libpcap 1.10.3 is built with it and refuses the primitive outright, so
 * strict mode refuses it). The resolver supplies both the MAC (ethers) and the IPv4 addresses (hosts).
 */
import type { QualifiedPrimitive } from '../filter/ast.js';
import { parseMac } from '../filter/addresses.js';
import { CompileError } from './errors.js';
import { and, not, orAll, type Cond } from './cond.js';
import { genIpv4Host } from './gen-ip.js';
import { genEtherHost } from './gen-link.js';
import { resolveHostAddresses, type HostResolver } from './names.js';
import type { CompileState } from './state.js';

/** `gateway NAME`; undefined for any other primitive. */
export function genGateway(state: CompileState, q: QualifiedPrimitive, resolver: HostResolver | undefined): Cond | undefined {
  const id = q.id;
  if (q.type !== 'gateway' || id.kind !== 'name') return undefined;
  if (q.proto !== undefined && q.proto !== 'ip' && q.proto !== 'arp' && q.proto !== 'rarp') throw new CompileError("illegal modifier of 'gateway'");
  const macText = resolver?.(id.name)?.mac?.[0];
  if (macText === undefined) throw new CompileError(`unknown ether host '${id.name}' ('gateway' needs the resolver to give its MAC address)`);
  const mac = parseMac(macText);
  if (!mac) throw new CompileError(`bad MAC address '${macText}' from the resolver for '${id.name}'`);
  const addresses = resolveHostAddresses(resolver, id.name)?.ipv4 ?? [];
  if (addresses.length === 0) throw new CompileError(`unknown host '${id.name}' ('gateway' needs an IPv4 address)`);
  if (state.family !== 'ether' || state.afterGeneve) {
    throw new CompileError("'gateway' supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel");
  }
  const link = genEtherHost(state, mac, undefined);
  const hosts = orAll(...addresses.map((address) => genIpv4Host(state, address >>> 0, 0xffffffff, q.proto, undefined, 'host')));
  return and(link, not(hosts));
}
