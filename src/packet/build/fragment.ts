/** IPv4 fragmentation (RFC 791 section 3.2): one stack built whole, then cut into fragments that fit an MTU. */
import type { BuildLayerSpec } from './context.js';
import { PacketBuildError } from './errors.js';
import { buildPacketLayers } from './stack.js';
import type { BuiltPacket } from './stack.js';

/** The options a non-first fragment keeps: those with the copied flag (0x80 in the option type), padded with EOL to a multiple of 4. */
export function copiedIpv4Options(options: Uint8Array): Uint8Array {
  const kept: number[] = [];
  for (let i = 0; i < options.length;) {
    const type = options[i]!;
    if (type === 0) break;
    if (type === 1) { i++; continue; }
    const length = options[i + 1] ?? 0;
    if (length < 2 || i + length > options.length) break;
    if (type & 0x80) kept.push(...options.subarray(i, i + length));
    i += length;
  }
  while (kept.length % 4 !== 0) kept.push(0);
  return Uint8Array.from(kept);
}

/** Options of buildIpv4Fragments. */
export interface Ipv4FragmentOptions {
  /** Largest IPv4 datagram (header included) a fragment may be; at least the header plus 8 bytes. */
  mtu: number;
  /** Which IPv4 layer to fragment when the stack has several (default: the first). */
  ipv4Index?: number;
}

/**
 * Builds `stack` and, when the chosen IPv4 datagram is larger than `mtu`, returns it cut into
 * fragments: each carries the layers before the IPv4 header (rebuilt, so their lengths follow), a copy
 * of the IPv4 header with MF, fragment offset, total length and checksum set (non-first fragments keep
 * only the options marked copied), and a slice of the original payload (a multiple of 8 bytes but the
 * last). A datagram that fits comes back whole; one with DF set that does not fit is refused.
 */
export function buildIpv4Fragments(stack: readonly BuildLayerSpec[], options: Ipv4FragmentOptions): BuiltPacket[] {
  const whole = buildPacketLayers(stack);
  const index = options.ipv4Index ?? whole.layers.findIndex((l) => l.type === 'ipv4');
  const ipv4 = whole.layers[index];
  if (ipv4?.type !== 'ipv4') throw new PacketBuildError(`buildIpv4Fragments: layer ${index} is not an IPv4 header`, index);
  const headerLength = 20 + ipv4.options.length;
  if (!Number.isInteger(options.mtu) || options.mtu < headerLength + 8) {
    throw new PacketBuildError(`buildIpv4Fragments: mtu ${options.mtu} leaves no room for 8 bytes after the ${headerLength}-byte header`, index, 'mtu');
  }
  const start = whole.offsets[index]! + headerLength;
  const payload = whole.data.subarray(start, whole.offsets[index]! + Math.max(headerLength, ipv4.totalLength));
  if (headerLength + payload.length <= options.mtu) return [whole];
  if (ipv4.dontFragment) throw new PacketBuildError(`buildIpv4Fragments: the datagram has DF set and ${headerLength + payload.length} bytes exceed mtu ${options.mtu}`, index, 'dontFragment');
  const size = Math.floor((options.mtu - headerLength) / 8) * 8;
  const fragments: BuiltPacket[] = [];
  for (let offset = 0; offset < payload.length; offset += size) {
    const piece = payload.slice(offset, Math.min(payload.length, offset + size));
    const last = offset + piece.length >= payload.length;
    const { type: _type, totalLength: _totalLength, headerChecksum: _headerChecksum, ihl: _ihl, ...kept } = ipv4;
    const header: BuildLayerSpec = {
      type: 'ipv4', ...kept, options: offset === 0 ? ipv4.options : copiedIpv4Options(ipv4.options),
      moreFragments: !last || ipv4.moreFragments, fragOffset: ipv4.fragOffset + offset / 8,
    };
    fragments.push(buildPacketLayers([...stack.slice(0, index), header, { type: 'payload', data: piece }]));
  }
  return fragments;
}
