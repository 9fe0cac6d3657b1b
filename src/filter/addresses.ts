/** Address literals of the filter language: dotted IPv4 (possibly partial), IPv6 and MAC addresses. */

import { formatIpv6 } from '../packet/bytes.js';

/** A dotted IPv4 address as written: its value right-aligned (`10.1` -> 0x0a01) and how many parts it has. */
export interface ParsedIPv4 { value: number; octets: 1 | 2 | 3 | 4 }

/** Parses 1 to 4 dot-separated decimal parts, each 0..255 (libpcap's rule); undefined when invalid. */
export function parseDottedIPv4(text: string): ParsedIPv4 | undefined {
  const parts = text.split('.');
  if (parts.length < 1 || parts.length > 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^[0-9]+$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return { value, octets: parts.length as 1 | 2 | 3 | 4 };
}

/** Formats a 32-bit value as a dotted quad. */
export function formatIPv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 0xff).join('.');
}

/** Parses IPv6 text (RFC 4291 section 2.2, with an optional trailing dotted quad) into 16 bytes; undefined when invalid. */
export function parseIPv6(text: string): number[] | undefined {
  let head = text;
  let tailQuad: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const quad = parseDottedIPv4(text.slice(lastColon + 1));
    if (!quad || quad.octets !== 4) return undefined;
    tailQuad = [quad.value >>> 16, quad.value & 0xffff];
    head = text.slice(0, lastColon + 1);
    if (head.endsWith('::')) { /* keep the double colon */ } else if (head.endsWith(':')) head = head.slice(0, -1);
  }
  const groupsOf = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups = part.split(':');
    const values: number[] = [];
    for (const group of groups) {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(group)) return undefined;
      values.push(parseInt(group, 16));
    }
    return values;
  };
  const doubled = head.indexOf('::');
  let groups: number[];
  if (doubled >= 0) {
    if (head.indexOf('::', doubled + 1) >= 0) return undefined;
    const before = groupsOf(head.slice(0, doubled));
    const after = groupsOf(head.slice(doubled + 2));
    if (!before || !after) return undefined;
    const missing = 8 - before.length - after.length - tailQuad.length;
    if (missing < 1) return undefined;
    groups = [...before, ...new Array<number>(missing).fill(0), ...after, ...tailQuad];
  } else {
    const all = groupsOf(head);
    if (!all) return undefined;
    groups = [...all, ...tailQuad];
    if (groups.length !== 8) return undefined;
  }
  return groups.flatMap((group) => [group >> 8, group & 0xff]);
}

/** Formats 16 bytes as compressed IPv6 text (RFC 5952), as inet_ntop and tcpdump print it. */
export function formatIPv6(bytes: readonly number[]): string {
  return formatIpv6(Uint8Array.from(bytes), 0);
}

/** Parses a MAC address in libpcap's forms (`a:b:c:d:e:f`, `a-b-…`, `a.b.…`, `aabb.ccdd.eeff`, `aabbccddeeff`). */
export function parseMac(text: string): number[] | undefined {
  let parts: string[];
  if (/^[0-9A-Fa-f]{12}$/.test(text)) parts = text.match(/../g)!;
  else if (/^[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}$/.test(text)) parts = text.replace(/\./g, '').match(/../g)!;
  else {
    parts = text.split(/[:.-]/);
    if (parts.length !== 6 || !parts.every((p) => /^[0-9A-Fa-f]{1,2}$/.test(p))) return undefined;
    const separators = new Set(text.replace(/[0-9A-Fa-f]/g, ''));
    if (separators.size !== 1) return undefined;
  }
  return parts.map((p) => parseInt(p, 16));
}

/** Formats 6 bytes as `aa:bb:cc:dd:ee:ff`. */
export function formatMac(bytes: readonly number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}
