/** Stock pcap-filter(7) text for loads and comparisons: `ip[58:4]`, `ip[20:2] & 0xb007 = 0x2000`. */

/** A hex literal padded to the width of a `size`-byte load (`0x0a050505`). */
export function stockHex(value: number, size: number): string {
  return `0x${(value >>> 0).toString(16).padStart(Math.min(size, 4) * 2, '0')}`;
}

/** The accessor text for `size` bytes at `relative` (`ip[9]`, `ip[20:2]`). */
export function stockAccess(accessor: string, relative: number, size: number): string {
  return `${accessor}[${relative}${size === 1 ? '' : `:${size}`}]`;
}

/** Reads `size` (up to 4) bytes big-endian at `offset`. */
export function loadBigEndian(data: Uint8Array, offset: number, size: number): number {
  let value = 0;
  for (let i = 0; i < size; i++) value = value * 256 + data[offset + i]!;
  return value;
}

/** How a field is read and compared with stock loads. */
export interface StockFieldComparison {
  /** The load expression (`ip[58:4]`, `(ip[6:2] & 0x1fff)`); wide fields are several loads separated by spaces. */
  expression: string;
  /** The comparison that holds when the field has this packet's value (`ip[58:4] = 0x0a050505`). */
  comparison: string;
}

/**
 * The loads that read `size` bytes at absolute `offset` relative to an accessor at `accessorOffset`
 * (a mask selects sub-byte bits), and the comparison with this packet's bytes. Loads are 4, 2 or 1 bytes
 * wide (BPF's widths); a 3-byte field is a masked 4-byte load.
 */
export function stockFieldComparison(data: Uint8Array, accessor: string, accessorOffset: number, offset: number, size: number, mask?: number): StockFieldComparison {
  const relative = offset - accessorOffset;
  if (mask !== undefined && (size === 1 || size === 2 || size === 4)) {
    const masked = `${stockAccess(accessor, relative, size)} & ${stockHex(mask, size)}`;
    const shift = 31 - Math.clz32(mask & -mask);
    return {
      expression: shift > 0 ? `(${masked}) >> ${shift}` : `(${masked})`,
      comparison: `${masked} = ${stockHex((loadBigEndian(data, offset, size) & mask) >>> 0, size)}`,
    };
  }
  if (size === 3) {
    // A 4-byte load that also covers the byte before the field (or after it, at the accessor's first byte), masked off.
    const before = relative >= 1;
    const at = before ? relative - 1 : relative;
    const fieldMask = before ? 0x00ffffff : 0xffffff00;
    const raw = loadBigEndian(data, offset, 3);
    const masked = `${stockAccess(accessor, at, 4)} & ${stockHex(fieldMask, 4)}`;
    return { expression: before ? `(${masked})` : `(${masked}) >> 8`, comparison: `${masked} = ${stockHex(before ? raw : raw * 256, 4)}` };
  }
  const loads: string[] = [];
  const comparisons: string[] = [];
  let at = 0;
  while (at < size) {
    const left = size - at;
    const width = left >= 4 ? 4 : left >= 2 ? 2 : 1;
    const access = stockAccess(accessor, relative + at, width);
    loads.push(access);
    comparisons.push(`${access} = ${stockHex(loadBigEndian(data, offset + at, width), width)}`);
    at += width;
  }
  return { expression: loads.join(' '), comparison: comparisons.join(' and ') };
}
