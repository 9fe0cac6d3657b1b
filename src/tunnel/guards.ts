/**
 * The layout facts an offset expression rests on, one protocol at a time, each with the stock
 * expression that checks it on a packet (RFC 791 IHL, RFC 2784/2890 GRE flags, RFC 8200 next headers,
 * RFC 7348 / RFC 8926 UDP ports and Geneve option length, IEEE 802.3 / 802.1Q EtherTypes).
 */
import type { PacketLayers } from '../packet/index.js';
import { LayerKind, layerTypeName } from '../packet/index.js';
import { StockExpressionError } from './errors.js';
import { loadBigEndian, stockAccess, stockHex } from './format.js';

/** One fact the derived expression rests on, in words, with the stock expression that checks it. */
export interface StockAssumption {
  /** Index of the layer the fact is about. */
  layerIndex: number;
  /** Layer type (`ipv4`, `gre`). */
  layer: string;
  /** The fact, in words (`ipv4 at byte 18 (layer #2) has a 20-byte header: IHL 5`). */
  statement: string;
  /** Why it matters: the RFC or libpcap fact it rests on. */
  basis: string;
  /** The stock expression that holds exactly when the fact does. */
  guard: string;
  /** True when the stock filter's prerequisites (`vlan`, `proto gre`, `udp port 4789`) already check it; its guard is then not repeated. */
  checkedByFilter: boolean;
}

/** Where a layer is read from: the accessor (`ip`) and the layer's offset relative to it. */
export interface GuardAccessor {
  name: string;
  /** Absolute offset the accessor points at. */
  offset: number;
}

/** What the stock prerequisites of the filter already establish about the layer after the network layer. */
export interface PrerequisiteCoverage {
  /** Layer index whose protocol/next-header number the prerequisites check (an IPv4 layer before `proto gre`, `udp ...`). */
  protocolCheckedAt: number;
  /** Layer index of a UDP header whose tunnel port the prerequisites check (`udp port 4789`). */
  tunnelPortCheckedAt: number;
}

const udpTunnelPorts = new Map<number, number>([[LayerKind.vxlan, 4789], [LayerKind.geneve, 6081]]);

/** A short name of layer `index` for statements: `ipv4 at byte 18 (layer #2)`. */
function layerLabel(layers: PacketLayers, index: number): string {
  return `${layerTypeName(layers.kinds[index]!)} at byte ${layers.offsets[index]} (layer #${index})`;
}

/**
 * The assumptions that pin layer `index` of a decoded packet: for a layer on the path to the field
 * (`onPath`), its header length and the type number that announces the next layer; for the field's
 * own layer (and a network layer below a transport accessor), what the decoder requires to decode it.
 */
export function layerAssumptions(layers: PacketLayers, index: number, accessor: GuardAccessor, onPath: boolean, coverage: PrerequisiteCoverage, belowAccessor: boolean): StockAssumption[] {
  const data = layers.data;
  const kind = layers.kinds[index]!;
  const at = layers.offsets[index]!;
  const relative = at - accessor.offset;
  const label = layerLabel(layers, index);
  const layer = layerTypeName(kind);
  const out: StockAssumption[] = [];
  const add = (statement: string, basis: string, guard: string, checkedByFilter = false): void => {
    out.push({ layerIndex: index, layer, statement, basis, guard, checkedByFilter });
  };
  const access = (offset: number, size: number): string => stockAccess(accessor.name, relative + offset, size);
  const nextKind = index + 1 < layers.count ? layers.kinds[index + 1]! : LayerKind.none;
  const nextName = layerTypeName(nextKind);
  switch (kind) {
    case LayerKind.ipv4: {
      add(`${label} is version 4`, 'RFC 791: the decoder reads only version 4 here; libpcap\'s accessors do not check the version', `${access(0, 1)} & 0xf0 = 0x40`);
      const ihl = data[at]! & 0x0f;
      if (!onPath) {
        add(`${label} has a header of at least 20 bytes (IHL >= 5)`, 'RFC 791: IHL counts 32-bit words and is at least 5', `${access(0, 1)} & 0x0f >= 5`);
        break;
      }
      // Below a transport accessor libpcap itself skips the header by its IHL; pinning it keeps the frame's absolute layout.
      add(`${label} has a ${ihl * 4}-byte header: IHL ${ihl}`, 'RFC 791: the header is IHL 32-bit words, so the next header starts IHL x 4 bytes in', `${access(0, 1)} & 0x0f = ${ihl}`);
      if (belowAccessor) break;
      add(`${label} is not a later fragment (fragment offset 0)`, 'RFC 791: only the first fragment (offset 0) starts with the next header', `${access(6, 2)} & 0x1fff = 0`);
      const protocol = data[at + 9]!;
      add(`${label} carries protocol ${protocol} (${nextName})`, 'RFC 791 / IANA protocol numbers: the protocol field names the next header', `${access(9, 1)} = ${protocol}`, coverage.protocolCheckedAt === index);
      break;
    }
    case LayerKind.ipv6: {
      add(`${label} is version 6`, 'RFC 8200: the decoder reads only version 6 here; libpcap\'s accessors do not check the version', `${access(0, 1)} & 0xf0 = 0x60`);
      if (!onPath || belowAccessor) break;
      add(`${label} is followed directly by next header ${data[at + 6]!} (${nextName}) after its fixed 40 bytes`, 'RFC 8200: the fixed header is always 40 bytes and names the next header; libpcap\'s ip6 offsets never skip extension headers', `${access(6, 1)} = ${data[at + 6]!}`);
      break;
    }
    case LayerKind.ipv6Extension: {
      if (!onPath) break;
      const length = data[at + 1]!;
      const bytes = layers.headerLengths[index]!;
      add(`${label} is ${bytes} bytes long (length field ${length})`, 'RFC 8200 section 4 (AH: RFC 4302): the length field gives where the next header starts', `${access(1, 1)} = ${length}`);
      add(`${label} is followed by next header ${data[at]!} (${nextName})`, 'RFC 8200: each extension header names the next one', `${access(0, 1)} = ${data[at]!}`);
      break;
    }
    case LayerKind.ipv6Fragment: {
      if (!onPath) break;
      add(`${label} is a first fragment (offset 0)`, 'RFC 8200 section 4.5: only the first fragment starts with the next header', `${access(2, 2)} & 0xfff8 = 0`);
      add(`${label} is followed by next header ${data[at]!} (${nextName})`, 'RFC 8200: the fragment header names the next header', `${access(0, 1)} = ${data[at]!}`);
      break;
    }
    case LayerKind.gre: {
      if (!onPath) break;
      const word = loadBigEndian(data, at, 2);
      // C (0x8000), R (0x4000, RFC 1701 routing, which the decoder does not follow), K (0x2000), S (0x1000) and the 3 version bits (0x0007).
      const mask = 0xf007;
      const flags = word & mask;
      const bits = `C=${(word >> 15) & 1} R=${(word >> 14) & 1} K=${(word >> 13) & 1} S=${(word >> 12) & 1} version ${word & 7}`;
      add(`${label} has flags ${bits}, so its header is ${layers.headerLengths[index]} bytes`,
        'RFC 2784 / RFC 2890: 4 bytes, plus 4 for checksum+reserved1 (C, or R of RFC 1701), 4 for the key (K) and 4 for the sequence number (S); only version 0 without routing carries its protocol type',
        `${access(0, 2)} & ${stockHex(mask, 2)} = ${stockHex(flags, 2)}`);
      const protocolType = loadBigEndian(data, at + 2, 2);
      const meaning = protocolType === 0x6558 ? ', transparent Ethernet bridging: an inner Ethernet header of 14 bytes follows' : '';
      add(`${label} carries protocol type ${stockHex(protocolType, 2)} (${nextName}${meaning})`, 'RFC 2784: the protocol type is an EtherType; 0x6558 (RFC 1701) is transparent Ethernet bridging', `${access(2, 2)} = ${stockHex(protocolType, 2)}`);
      break;
    }
    case LayerKind.udp: {
      if (!onPath) break;
      const port = udpTunnelPorts.get(nextKind);
      if (port === undefined) throw new StockExpressionError(`cannot pin what follows ${label}: ${nextName} is not announced by a UDP port`);
      const source = access(0, 2);
      const destination = access(2, 2);
      const checked = coverage.tunnelPortCheckedAt === index;
      add(`${label} has port ${port}, so ${nextName} follows`, `IANA: UDP port ${port} is ${nextName} (RFC ${port === 4789 ? '7348' : '8926'})`,
        checked ? `udp port ${port}` : `(${source} = ${port} or ${destination} = ${port})`, checked);
      if (port === 6081) {
        add(`${label} has no port 4789, which the decoder (like tshark) would read as VXLAN first`, 'the decoder tries the lower port first, and 4789 (VXLAN) is below 6081',
          checked ? 'not udp port 4789' : `${source} != 4789 and ${destination} != 4789`);
      }
      break;
    }
    case LayerKind.vxlan:
      // Always 8 bytes, always followed by Ethernet (RFC 7348): nothing to pin.
      break;
    case LayerKind.geneve: {
      if (!onPath) break;
      const optionsLength = data[at]! & 0x3f;
      add(`${label} has ${optionsLength * 4} bytes of options (options length ${optionsLength}), so its header is ${8 + optionsLength * 4} bytes`, 'RFC 8926 section 3.4: Opt Len counts 4-byte words after the 8-byte fixed header', `${access(0, 1)} & 0x3f = ${optionsLength}`);
      const protocolType = loadBigEndian(data, at + 2, 2);
      add(`${label} carries protocol type ${stockHex(protocolType, 2)} (${nextName})`, 'RFC 8926: the protocol type is an EtherType (0x6558 for Ethernet)', `${access(2, 2)} = ${stockHex(protocolType, 2)}`);
      break;
    }
    case LayerKind.ethernet: {
      if (!onPath) break;
      const etherType = loadBigEndian(data, at + 12, 2);
      const noTag = nextKind !== LayerKind.vlan ? ', so no 802.1Q tag follows' : '';
      add(`${label} has EtherType ${stockHex(etherType, 2)} (${nextName})${noTag}`, 'IEEE 802.3: the EtherType after the two MAC addresses (14-byte header) names the next header; a tag would show 0x8100/0x88a8/0x9100 here', `${access(12, 2)} = ${stockHex(etherType, 2)}`);
      break;
    }
    case LayerKind.vlan: {
      if (!onPath) break;
      const etherType = loadBigEndian(data, at + 2, 2);
      add(`${label} (a 4-byte 802.1Q tag) is followed by EtherType ${stockHex(etherType, 2)} (${nextName})`, 'IEEE 802.1Q: the tag is 4 bytes and ends with the inner EtherType', `${access(2, 2)} = ${stockHex(etherType, 2)}`);
      break;
    }
    default:
      if (onPath) throw new StockExpressionError(`cannot pin the layout through ${label}: only Ethernet, 802.1Q, IPv4, IPv6 and its extension headers, GRE, UDP, VXLAN and Geneve are supported on the way to a field`);
  }
  return out;
}

/** Bytes of each header that are fixed; a field beyond them sits where earlier bytes of its header put it. */
const fixedHeaderBytes = new Map<number, number>([[LayerKind.ipv4, 20], [LayerKind.tcp, 20], [LayerKind.gre, 4], [LayerKind.geneve, 8], [LayerKind.ipv6Extension, 2]]);

/**
 * For a field in the variable part of its own header (IPv4 or TCP options, GRE optional words, Geneve
 * options, an extension header's body): the header bytes that put it where it is (`fieldRelative` is
 * its offset within the header).
 */
export function fieldPlacementAssumptions(layers: PacketLayers, index: number, accessor: GuardAccessor, fieldRelative: number, fieldSize: number): StockAssumption[] {
  const kind = layers.kinds[index]!;
  const fixed = fixedHeaderBytes.get(kind);
  if (fixed === undefined || fieldRelative < fixed) return [];
  const data = layers.data;
  const at = layers.offsets[index]!;
  const relative = at - accessor.offset;
  const label = layerLabel(layers, index);
  const layer = layerTypeName(kind);
  const access = (offset: number, size: number): string => stockAccess(accessor.name, relative + offset, size);
  const out: StockAssumption[] = [];
  const add = (statement: string, basis: string, guard: string): void => { out.push({ layerIndex: index, layer, statement, basis, guard, checkedByFilter: false }); };
  const headerLength = layers.headerLengths[index]!;
  switch (kind) {
    case LayerKind.ipv4: {
      const ihl = data[at]! & 0x0f;
      add(`${label} has a ${headerLength}-byte header (IHL ${ihl}), so its options are ${headerLength - 20} bytes`, 'RFC 791: options fill the header after byte 20 up to IHL x 4', `${access(0, 1)} & 0x0f = ${ihl}`);
      break;
    }
    case LayerKind.ipv6Extension:
      add(`${label} is ${headerLength} bytes long (length field ${data[at + 1]!})`, 'RFC 8200 section 4 (AH: RFC 4302): the length field sizes the body', `${access(1, 1)} = ${data[at + 1]!}`);
      break;
    case LayerKind.gre: {
      const flags = data[at]! & 0xf0;
      add(`${label} has flag bits C=${flags >> 7} R=${(flags >> 6) & 1} K=${(flags >> 5) & 1} S=${(flags >> 4) & 1}, which put the field at byte ${fieldRelative} of the GRE header`,
        'RFC 2784 / RFC 2890: checksum+reserved1 (C, or R of RFC 1701), key (K) and sequence number (S) follow the first 4 bytes in that order', `${access(0, 1)} & 0xf0 = ${stockHex(flags, 1)}`);
      break;
    }
    case LayerKind.geneve: {
      add(`${label} has ${headerLength - 8} bytes of options (options length ${data[at]! & 0x3f})`, 'RFC 8926 section 3.4: Opt Len counts 4-byte words after the fixed 8 bytes', `${access(0, 1)} & 0x3f = ${data[at]! & 0x3f}`);
      let option = 8;
      while (option + 4 <= headerLength && option <= fieldRelative) {
        const length = data[at + option + 3]! & 0x1f;
        // The length matters when the field lies in this option's data or after it.
        if (fieldRelative >= option + 4) add(`${label} has an option at byte ${option} with ${length * 4} bytes of data`, 'RFC 8926 section 3.5: each option is 4 bytes of class, type and length (5 bits, 4-byte words), then its data', `${access(option + 3, 1)} & 0x1f = ${length}`);
        option += 4 + length * 4;
      }
      break;
    }
    case LayerKind.tcp: {
      const dataOffset = data[at + 12]! >> 4;
      add(`${label} has a ${headerLength}-byte header (data offset ${dataOffset})`, 'RFC 9293: options fill the header after byte 20 up to data offset x 4', `${access(12, 1)} & 0xf0 = ${stockHex(dataOffset << 4, 1)}`);
      let option = 20;
      while (option < headerLength && option <= fieldRelative) {
        const optionKind = data[at + option]!;
        add(`${label} has option kind ${optionKind} at byte ${option}`, 'RFC 9293 section 3.2: options are kind, length, data, except kinds 0 (end) and 1 (no-operation), 1 byte each', `${access(option, 1)} = ${optionKind}`);
        if (optionKind === 0) break;
        if (optionKind === 1) { option += 1; continue; }
        const length = option + 1 < headerLength ? data[at + option + 1]! : 0;
        // The length matters when the field lies in this option's data or after it.
        if (option + 1 < headerLength && fieldRelative >= option + 2) {
          add(`${label} has option kind ${optionKind} at byte ${option} of length ${length}`, 'RFC 9293 section 3.2: the length byte counts kind, length and data', `${access(option + 1, 1)} = ${length}`);
        }
        if (length < 2) break;
        option += length;
      }
      break;
    }
  }
  return out;
}
