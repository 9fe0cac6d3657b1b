/**
 * Byte-level helpers shared by the builders: address text to bytes and back and the Internet checksum
 * of RFC 1071.
 */

/** The one's-complement sum (RFC 1071) of several byte arrays taken as one 16-bit big-endian stream, not yet complemented. */
export function onesComplementSum(parts: readonly Uint8Array[]): number {
  let sum = 0;
  let odd: number | undefined;
  for (const part of parts) {
    let i = 0;
    if (odd !== undefined && part.length > 0) { sum += (odd << 8) | part[0]!; odd = undefined; i = 1; }
    for (; i + 1 < part.length; i += 2) sum += (part[i]! << 8) | part[i + 1]!;
    if (i < part.length) odd = part[i]!;
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  if (odd !== undefined) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** The Internet checksum (RFC 1071) of several byte arrays taken as one stream. */
export function internetChecksum(parts: readonly Uint8Array[]): number {
  return ~onesComplementSum(parts) & 0xffff;
}

const HEX_DIGITS = '0123456789abcdef';

/** The value of one hex digit character code, or -1. */
function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}

/** Parses a MAC address `aa:bb:cc:dd:ee:ff` (or `-` separated); undefined when malformed. */
export function parseMacAddress(text: string): Uint8Array | undefined {
  if (text.length !== 17) return undefined;
  const separator = text.charCodeAt(2);
  if (separator !== 58 && separator !== 45) return undefined;
  const out = new Uint8Array(6);
  for (let i = 0; i < 6; i++) {
    const high = hexValue(text.charCodeAt(3 * i));
    const low = hexValue(text.charCodeAt(3 * i + 1));
    if (high < 0 || low < 0 || (i < 5 && text.charCodeAt(3 * i + 2) !== separator)) return undefined;
    out[i] = (high << 4) | low;
  }
  return out;
}

/** Formats 6 bytes as a lower-case colon-separated MAC address. */
export function formatMacAddress(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    text += (i > 0 ? ':' : '') + HEX_DIGITS[b >> 4]! + HEX_DIGITS[b & 15]!;
  }
  return text;
}

/** Parses an IPv4 dotted quad (four decimal numbers 0..255 of one to three digits); undefined when malformed. */
export function parseIpv4Address(text: string): Uint8Array | undefined {
  const out = new Uint8Array(4);
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 46;
    if (code === 46) {
      if (digits === 0 || part > 3) return undefined;
      out[part++] = value;
      value = 0;
      digits = 0;
    } else if (code >= 48 && code <= 57 && digits < 3) {
      value = value * 10 + (code - 48);
      digits++;
      if (value > 255) return undefined;
    } else {
      return undefined;
    }
  }
  return part === 4 ? out : undefined;
}

/** Formats 4 bytes as a dotted quad. */
export function formatIpv4Address(bytes: Uint8Array): string {
  return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
}

/** Parses an IPv6 address in any RFC 4291 text form (with `::` and a trailing dotted quad); undefined when malformed. */
export function parseIpv6Address(text: string): Uint8Array | undefined {
  let head = text;
  let tail: number[] = [];
  const quadMatch = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quadMatch) {
    const quad = parseIpv4Address(quadMatch[2]!);
    if (!quad) return undefined;
    head = quadMatch[1]!.endsWith('::') ? quadMatch[1]! : quadMatch[1]!.slice(0, -1);
    tail = [(quad[0]! << 8) | quad[1]!, (quad[2]! << 8) | quad[3]!];
  }
  const groupsOf = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let words: number[];
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  if (halves.length === 2) {
    const left = groupsOf(halves[0]!);
    const right = groupsOf(halves[1]!);
    if (!left || !right) return undefined;
    const missing = 8 - left.length - right.length - tail.length;
    if (missing < 1) return undefined;
    words = [...left, ...new Array<number>(missing).fill(0), ...right, ...tail];
  } else {
    const all = groupsOf(head);
    if (!all) return undefined;
    words = [...all, ...tail];
  }
  if (words.length !== 8) return undefined;
  const out = new Uint8Array(16);
  words.forEach((w, i) => { out[2 * i] = w >> 8; out[2 * i + 1] = w & 0xff; });
  return out;
}

/** Formats 16 bytes as an IPv6 address in RFC 5952 canonical form. */
export function formatIpv6Address(bytes: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  // The longest run of two or more zero words (the first one on a tie) becomes "::".
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) { bestStart = i; bestLength = j - i; }
    i = j;
  }
  const hex = (ws: number[]): string => ws.map((w) => w.toString(16)).join(':');
  // IPv4-mapped addresses keep the dotted quad (RFC 5952 section 5).
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) {
    return `::ffff:${formatIpv4Address(bytes.subarray(12, 16))}`;
  }
  if (bestStart < 0) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLength))}`;
}

/** Parses hex digits (optionally separated by `:`, `-`, `.` or spaces) into bytes; undefined when malformed. */
export function parseHexBytes(text: string): Uint8Array | undefined {
  const hex = text.replace(/[:.\s-]/g, '');
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Formats bytes as colon-separated lower-case hex (`0a:0b`), the empty string for none. */
export function formatHexBytes(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
}
