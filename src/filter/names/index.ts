/**
 * Name tables of the filter language: services (ports), IP protocols, EtherTypes and LLC SAPs.
 * Built in (from the IANA registries and libpcap's own tables), so a filter means the same on every host.
 */
import { ipProtocolTable } from './ip-protocol-table.js';
import { serviceTable } from './service-table.js';

/** Transport protocols that have port numbers. */
export type ServiceProtocol = 'tcp' | 'udp' | 'sctp';

/** The port registered for service `name` over `proto` (`http`, 'tcp' -> 80), or undefined. */
export function lookupService(name: string, proto: ServiceProtocol): number | undefined {
  const entry = serviceTable.get(name);
  if (!entry) return undefined;
  const port = entry[proto === 'tcp' ? 0 : proto === 'udp' ? 1 : 2];
  return port >= 0 ? port : undefined;
}

/** How libpcap resolves a port name without a protocol: the port and the protocol it belongs to. */
export interface ServiceResolution {
  port: number;
  /** 'tcp' or 'udp' when the name is registered for only that one; undefined when for both with one number. */
  onlyFor?: 'tcp' | 'udp';
}

/**
 * Resolves a port name as libpcap's pcap_nametoport does: TCP and UDP registrations are looked up; a name
 * registered for both must have one number (else undefined, as for an unknown name).
 */
export function resolveServiceName(name: string): ServiceResolution | undefined {
  const tcp = lookupService(name, 'tcp');
  const udp = lookupService(name, 'udp');
  if (tcp !== undefined && udp !== undefined) return tcp === udp ? { port: tcp } : undefined;
  if (tcp !== undefined) return { port: tcp, onlyFor: 'tcp' };
  if (udp !== undefined) return { port: udp, onlyFor: 'udp' };
  return undefined;
}

/** The IP protocol number of `name` (`tcp` -> 6, `gre` -> 47, `ipv6-icmp` -> 58), or undefined. */
export function lookupIpProtocol(name: string): number | undefined {
  return ipProtocolTable.get(name);
}

/** EtherType names libpcap knows after `ether proto` (its eproto table). */
const etherTypes: ReadonlyMap<string, number> = new Map([
  ['aarp', 0x80f3], ['arp', 0x0806], ['atalk', 0x809b], ['decnet', 0x6003], ['ip', 0x0800], ['ip6', 0x86dd],
  ['lat', 0x6004], ['loopback', 0x9000], ['mopdl', 0x6001], ['moprc', 0x6002], ['rarp', 0x8035], ['sca', 0x6007],
]);

/** IEEE 802.2 LLC SAP names libpcap knows after `ether proto` when the name is not an EtherType. */
const llcSaps: ReadonlyMap<string, number> = new Map([
  ['iso', 0xfe], ['stp', 0x42], ['ipx', 0xe0], ['netbeui', 0xf0],
]);

/**
 * The number libpcap uses for `ether proto \NAME`: an EtherType (`ip` -> 0x0800) or, for the LLC protocols
 * (`iso`, `stp`, `ipx`, `netbeui`), their SAP (a value of at most 1500, which the compiler treats as LLC).
 */
export function lookupEtherType(name: string): number | undefined {
  return etherTypes.get(name) ?? llcSaps.get(name);
}

/** The LLC SAP of `name` (`stp` -> 0x42), or undefined. */
export function lookupLlcSap(name: string): number | undefined {
  return llcSaps.get(name);
}

/** OSI network-layer protocol identifiers libpcap knows after `iso proto` (ISO/IEC TR 9577 NLPIDs). */
const osiProtocols: ReadonlyMap<string, number> = new Map([['clnp', 0x81], ['esis', 0x82], ['isis', 0x83]]);

/** The OSI NLPID of `name` after `iso proto` (`clnp` -> 0x81), or undefined. */
export function lookupOsiProtocol(name: string): number | undefined {
  return osiProtocols.get(name);
}

/** Every service name of the built-in table. */
export function serviceNames(): string[] {
  return [...serviceTable.keys()];
}

/** Every IP protocol name of the built-in table. */
export function ipProtocolNames(): string[] {
  return [...ipProtocolTable.keys()];
}

/** Every name `ether proto` accepts. */
export function etherTypeNames(): string[] {
  return [...etherTypes.keys(), ...llcSaps.keys()];
}
