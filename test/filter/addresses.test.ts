/** Address literals: IPv6 text to bytes and back, dotted IPv4 parts, MAC forms. */
import { isIPv6 } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIPv4, formatIPv6, formatMac, parseDottedIPv4, parseIPv6, parseMac } from '../../src/filter/addresses.js';

const bytes = (count: number) => fc.array(fc.integer({ min: 0, max: 255 }), { minLength: count, maxLength: count });

describe('addresses', () => {
  it('reads back every IPv6 address it writes, in compressed, full and dotted-quad forms', () => {
    fc.assert(fc.property(bytes(16), (address) => {
      const text = formatIPv6(address);
      expect(isIPv6(text)).toBe(true);
      expect(parseIPv6(text)).toEqual(address);
      const full = Array.from({ length: 8 }, (_, i) => ((address[2 * i]! << 8) | address[2 * i + 1]!).toString(16)).join(':');
      expect(parseIPv6(full)).toEqual(address);
      const quad = `${full.split(':').slice(0, 6).join(':')}:${address.slice(12).join('.')}`;
      expect(parseIPv6(quad)).toEqual(address);
    }), { numRuns: 2000 });
  });

  it('refuses malformed IPv6 text', () => {
    for (const text of ['1::2::3', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '12345::', '::1.2.3.256', '::1.2.3', 'g::1', '1:2:3:4:5:6:7::8']) {
      expect(parseIPv6(text), text).toBeUndefined();
    }
    expect(parseIPv6('::')).toEqual(new Array(16).fill(0));
    expect(parseIPv6('1:2:3:4:5:6:7::')).toEqual([0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0]);
  });

  it('reads dotted IPv4 addresses of one to four parts, right-aligned', () => {
    fc.assert(fc.property(bytes(4), fc.integer({ min: 1, max: 4 }), (octets, count) => {
      const parts = octets.slice(0, count);
      const parsed = parseDottedIPv4(parts.join('.'));
      expect(parsed).toEqual({ value: parts.reduce((v, o) => v * 256 + o, 0), octets: count });
    }), { numRuns: 1000 });
    expect(formatIPv4(0x0a000001)).toBe('10.0.0.1');
    expect(parseDottedIPv4('256.1.1.1')).toBeUndefined();
    expect(parseDottedIPv4('1.2.3.4.5')).toBeUndefined();
    expect(parseDottedIPv4('0x1.2')).toBeUndefined();
  });

  it('reads a MAC address in every form libpcap takes', () => {
    fc.assert(fc.property(bytes(6), (mac) => {
      const hex = mac.map((b) => b.toString(16).padStart(2, '0'));
      const forms = [hex.join(':'), hex.join('-'), hex.join('.'), `${hex[0]}${hex[1]}.${hex[2]}${hex[3]}.${hex[4]}${hex[5]}`, hex.join(''), mac.map((b) => b.toString(16)).join(':')];
      for (const form of forms) expect(parseMac(form), form).toEqual(mac);
      expect(formatMac(mac)).toBe(hex.join(':'));
    }), { numRuns: 500 });
    expect(parseMac('aa:bb-cc:dd:ee:ff')).toBeUndefined();
    expect(parseMac('aa:bb:cc:dd:ee')).toBeUndefined();
  });
});
