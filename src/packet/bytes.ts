/** Byte readers and address formatters shared by every layer view (big-endian, no allocation on reads). */

/** Reads an unsigned 16-bit big-endian integer at `offset`. */
export function readUint16(data: Uint8Array, offset: number): number {
  return (data[offset]! << 8) | data[offset + 1]!;
}

/** Reads an unsigned 24-bit big-endian integer at `offset`. */
export function readUint24(data: Uint8Array, offset: number): number {
  return (data[offset]! << 16) | (data[offset + 1]! << 8) | data[offset + 2]!;
}

/** Reads an unsigned 32-bit big-endian integer at `offset`. */
export function readUint32(data: Uint8Array, offset: number): number {
  return ((data[offset]! << 24) | (data[offset + 1]! << 16) | (data[offset + 2]! << 8) | data[offset + 3]!) >>> 0;
}

/** Reads an unsigned 32-bit little-endian integer at `offset`. */
export function readUint32Le(data: Uint8Array, offset: number): number {
  return ((data[offset + 3]! << 24) | (data[offset + 2]! << 16) | (data[offset + 1]! << 8) | data[offset]!) >>> 0;
}

const hexByte: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Formats `length` bytes at `offset` as lower-case hex pairs joined by `separator`. */
export function formatHex(data: Uint8Array, offset: number, length: number, separator = ''): string {
  let text = length > 0 ? hexByte[data[offset]!]! : '';
  for (let i = 1; i < length; i++) text += separator + hexByte[data[offset + i]!]!;
  return text;
}

/** Formats the 6 bytes at `offset` as a MAC address `aa:bb:cc:dd:ee:ff`. */
export function formatMac(data: Uint8Array, offset: number): string {
  return `${hexByte[data[offset]!]}:${hexByte[data[offset + 1]!]}:${hexByte[data[offset + 2]!]}:${hexByte[data[offset + 3]!]}:${hexByte[data[offset + 4]!]}:${hexByte[data[offset + 5]!]}`;
}

/** Formats the 4 bytes at `offset` as a dotted-quad IPv4 address. */
export function formatIpv4(data: Uint8Array, offset: number): string {
  return `${data[offset]}.${data[offset + 1]}.${data[offset + 2]}.${data[offset + 3]}`;
}

/**
 * Formats the 16 bytes at `offset` as an IPv6 address in RFC 5952 form (lower case, longest zero run
 * of 2+ groups as `::`), with a dotted IPv4 tail for IPv4-mapped (`::ffff:a.b.c.d`) and IPv4-compatible
 * (`::a.b.c.d`) addresses exactly as inet_ntop, tcpdump and tshark print them.
 */
export function formatIpv6(data: Uint8Array, offset: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(readUint16(data, offset + 2 * i));
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) { bestStart = i; bestLength = j - i; }
    i = j;
  }
  if (bestLength < 2) bestStart = -1;
  // ::ffff:a.b.c.d (IPv4-mapped) and ::a.b.c.d (IPv4-compatible) keep the dotted tail, as inet_ntop does.
  if (bestStart === 0 && bestLength === 5 && groups[5] === 0xffff) return `::ffff:${formatIpv4(data, offset + 12)}`;
  if (bestStart === 0 && bestLength === 6) return `::${formatIpv4(data, offset + 12)}`;
  const text = (from: number, to: number): string => groups.slice(from, to).map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return text(0, 8);
  return `${text(0, bestStart)}::${text(bestStart + bestLength, 8)}`;
}
