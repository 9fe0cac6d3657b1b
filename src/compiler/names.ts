/**
 * Name lookups the compiler needs for `Id` operands the parser leaves as names: services (`port http`),
 * IP protocols (`proto \\tcp`), EtherTypes (`ether proto \\arp`) and host names (through a caller's
 * resolver). The tables are the filter language's (src/filter), so a name means the same everywhere.
 */
import { lookupEtherType, lookupIpProtocol, parseDottedIPv4, parseIPv6, resolveServiceName, type HostResolver } from '../filter/index.js';
import { CompileError } from './errors.js';

export type { HostResolver };

/** A service port and the protocol it is defined for (`undefined` when TCP and UDP agree), as libpcap's nametoport returns. */
export function lookupServicePort(name: string): { port: number; protocol: 6 | 17 | undefined } | undefined {
  const found = resolveServiceName(name);
  if (!found) return undefined;
  return { port: found.port, protocol: found.onlyFor === 'tcp' ? 6 : found.onlyFor === 'udp' ? 17 : undefined };
}

/** The IP protocol number of a name (`tcp`, `udp`, `gre`…). */
export function lookupIpProtocolNumber(name: string): number | undefined {
  return lookupIpProtocol(name);
}

/** The EtherType (or LLC SAP) of a name for `ether proto \\NAME`. */
export function lookupEtherTypeNumber(name: string): number | undefined {
  return lookupEtherType(name);
}

/** The addresses a resolver gives for `name`: IPv4 as 32-bit numbers, IPv6 as 16 bytes. */
export function resolveHostAddresses(resolver: HostResolver | undefined, name: string): { ipv4: number[]; ipv6: number[][] } | undefined {
  const found = resolver?.(name);
  if (!found) return undefined;
  const ipv4: number[] = [];
  for (const text of found.ipv4) {
    const parsed = parseDottedIPv4(text);
    if (parsed) ipv4.push(parsed.value >>> 0);
  }
  const ipv6: number[][] = [];
  for (const text of found.ipv6) {
    const bytes = parseIPv6(text);
    if (bytes) ipv6.push(bytes);
  }
  return { ipv4, ipv6 };
}

/** Throws libpcap's message for an unknown name of the given kind. */
export function unknownName(kind: 'host' | 'port' | 'proto' | 'ether proto', name: string): never {
  switch (kind) {
    case 'host': throw new CompileError(`unknown host '${name}'`);
    case 'port': throw new CompileError(`unknown port '${name}'`);
    case 'proto': throw new CompileError(`unknown ip proto '${name}'`);
    case 'ether proto': throw new CompileError(`unknown ether proto '${name}'`);
  }
}
