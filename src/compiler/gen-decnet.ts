/**
 * DECnet Phase IV code generation: `decnet [src|dst] [host|net] AREA.NODE` (libpcap's gen_dnhostop).
 *
 * The routing header follows the EtherType 0x6003 and a 2-byte length: an optional padding byte (0x80 bit
 * set, pad count in the low 7 bits; libpcap only recognises one byte of padding, 0x81), then the flags byte
 * whose low 3 bits say the packet format (2 = short data packet, 6 = long data packet). Addresses are 16 bits,
 * area in the top 6 bits and node in the low 10, stored little-endian:
 *   short: flags(1) dst(2) src(2) ...                     -> dst at +1, src at +3 after the flags
 *   long:  flags(1) d-area(1) d-subarea(1) d-id(6: HIORD 4 + address 2) s-area(1) s-subarea(1) s-id(6) ...
 *                                                         -> dst at +7, src at +15 after the flags
 * libpcap tests four layouts in this order: no pad/short, pad/short, no pad/long, pad/long.
 */
import { CompileError } from './errors.js';
import { and, cmp, maskedCmp, or, orAll, type Cond } from './cond.js';
import { EtherTypeValue, genLinkType } from './gen-link.js';
import type { Direction } from './gen-ip.js';
import type { QualifiedPrimitive } from '../filter/ast.js';
import type { CompileState } from './state.js';

/** Bits of the area number in a DECnet address (the node number takes the low 10 bits). */
const DECNET_AREA_SHIFT = 10;
const DECNET_AREA_MASK = 0xfc00;
const DECNET_NODE_MASK = 0x03ff;

/** Offsets after the flags byte of the address each direction selects, in short and long data packets. */
const addressOffsets = { src: { short: 3, long: 15 }, dst: { short: 1, long: 7 } } as const;

/** A decimal prefix of `text` as C's sscanf("%d") stores it on LP64 glibc (long, clamped, then truncated to int). */
function scanDecimal(text: string): bigint | undefined {
  const digits = /^[0-9]+/.exec(text)?.[0];
  if (digits === undefined) return undefined;
  const value = BigInt(digits);
  const longMax = (1n << 63n) - 1n;
  return BigInt.asIntN(32, value > longMax ? longMax : value);
}

/**
 * The 16-bit DECnet address of `AREA.NODE` text as libpcap's __pcap_atodn computes it (area masked to 6 bits,
 * node to 10), or undefined when the text does not start with two dot-separated decimal numbers.
 */
export function parseDecnetAddress(text: string): number | undefined {
  const dot = text.indexOf('.');
  if (dot < 0) return undefined;
  const area = scanDecimal(text.slice(0, dot));
  const node = scanDecimal(text.slice(dot + 1));
  if (area === undefined || node === undefined) return undefined;
  return (Number((area << BigInt(DECNET_AREA_SHIFT)) & BigInt(DECNET_AREA_MASK)) | Number(node & BigInt(DECNET_NODE_MASK))) & 0xffff;
}

/** The address as libpcap compares it: ntohs() of the host-order value on little-endian x86-64, i.e. byte-swapped. */
function byteSwap16(value: number): number {
  return ((value & 0xff) << 8) | ((value >>> 8) & 0xff);
}

/** The four layouts' tests for the address at one direction's offsets. */
function addressAt(state: CompileState, swapped: number, offsets: { short: number; long: number }): Cond {
  const flags = state.offLinkPayload + 2;
  const noPadShort = and(maskedCmp(flags, 1, 0x02, 0x07), cmp(flags + offsets.short, 2, swapped));
  const padShort = and(maskedCmp(flags, 2, 0x8102, 0xff07), cmp(flags + 1 + offsets.short, 2, swapped));
  const noPadLong = and(maskedCmp(flags, 1, 0x06, 0x07), cmp(flags + offsets.long, 2, swapped));
  const padLong = and(maskedCmp(flags, 2, 0x8106, 0xff07), cmp(flags + 1 + offsets.long, 2, swapped));
  return orAll(noPadShort, padShort, noPadLong, padLong);
}

/** `decnet [dir] host ADDRESS` for a 16-bit DECnet address (higher bits are dropped, as libpcap's u_short cast does). */
export function genDecnetHost(state: CompileState, address: number, dir: Direction): Cond {
  const swapped = byteSwap16(address & 0xffff);
  // Each direction carries its own EtherType guard, as libpcap generates it (its optimizer merges them).
  const one = (offsets: { short: number; long: number }): Cond => and(genLinkType(state, EtherTypeValue.DECNET), addressAt(state, swapped, offsets));
  switch (dir) {
    case 'src': return one(addressOffsets.src);
    case 'dst': return one(addressOffsets.dst);
    case 'src and dst': return and(one(addressOffsets.src), one(addressOffsets.dst));
    case 'src or dst': case undefined: return or(one(addressOffsets.src), one(addressOffsets.dst));
    default: throw new CompileError(`'${String(dir)}' is not a valid qualifier for DECnet addresses`);
  }
}

/** The DECnet address of a `decnet` primitive's operand: `AREA.NODE` text, a plain number, or an IPv4 network (its low 16 bits). */
export function decnetOperandAddress(text: string, value: number, dotted: boolean): number {
  if (!dotted) return value & 0xffff;
  const address = parseDecnetAddress(text);
  if (address === undefined) throw new CompileError(`malformed decnet address '${text}'`);
  return address;
}

/**
 * `decnet [dir] [host|net] OPERAND` for the operand kinds libpcap reads as DECnet addresses (a number,
 * AREA.NODE, an IPv4 network whose low 16 bits it keeps); undefined for other kinds, left to the generic rules.
 */
export function genDecnetQualified(state: CompileState, q: QualifiedPrimitive): Cond | undefined {
  if (q.type !== undefined && q.type !== 'host' && q.type !== 'net') return undefined;
  const id = q.id;
  const dir = q.dir as Direction;
  switch (id.kind) {
    case 'number': return genDecnetHost(state, id.value, dir);
    case 'ipv4': return genDecnetHost(state, decnetOperandAddress(id.text, id.value, true), dir);
    case 'prefix': {
      if (id.address.kind !== 'ipv4') return undefined;
      // gen_mcode reads the address as IPv4 (left-aligned to 32 bits); the DECnet compare keeps its low 16 bits.
      const address = (id.address.value * 2 ** (8 * (4 - id.address.octets))) >>> 0;
      return genDecnetHost(state, address, dir);
    }
    default: return undefined;
  }
}
