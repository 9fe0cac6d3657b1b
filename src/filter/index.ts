// Public API of src/filter: the pcap-filter(7) language (scanner, Chevrotain grammar, printer, name tables).
export { parseFilter, parseFilterOrEmpty, maximumFilterNesting } from './parser.js';
export type { ParseFilterOptions } from './parser.js';
export { FilterError } from './errors.js';
export { printFilter, printArith } from './printer.js';
export type { HostResolver, NetworkResolver } from './semantics.js';
export { filterTreesEqual, stripFilterLocations } from './tree.js';
export { filterRailroadHtml } from './railroad.js';
export { parseDottedIPv4, parseIPv6 } from './addresses.js';
export {
  lookupService, lookupIpProtocol, lookupEtherType, lookupLlcSap, lookupOsiProtocol, resolveServiceName, serviceNames, ipProtocolNames,
  etherTypeNames,
} from './names/index.js';
export type { ServiceProtocol, ServiceResolution } from './names/index.js';
export { hostsFileResolver } from './hosts.js';
export { networksFileResolver } from './networks.js';
export { findFilterExtension, FILTER_EXTENSION_KINDS } from './extensions.js';
export type { FilterExtensionUse } from './extensions.js';
