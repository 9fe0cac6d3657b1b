/**
 * The scanner's address rules skip the forms that the separators in a run of address characters rule out
 * (a MAC needs five colons, dashes or dots, or two dots, or twelve digits; IPv4 a dot; IPv6 `::` or six
 * colons). Skipping must change no match: at every position of address-shaped text, the lengths equal those
 * found by trying every form.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressMatchLengths } from '../../src/filter/scanner.js';

const hexGroup = fc.stringMatching(/^[0-9A-Fa-f]{1,5}$/);
const decimal = fc.integer({ min: 0, max: 300 }).map(String);
const hexNumber = fc.stringMatching(/^0[xX][0-9A-Fa-f]{1,3}$/);
const separator = fc.constantFrom(':', '::', '.', '-', ':::', '..', '');
/** Runs of groups and separators: real MACs, IPv4 and IPv6 forms and near misses of each. */
const shaped = fc.array(fc.tuple(fc.oneof(hexGroup, decimal, hexNumber), separator), { minLength: 1, maxLength: 10 })
  .map((parts) => parts.map(([group, sep]) => group + sep).join(''));
const byte = fc.stringMatching(/^[0-9A-Fa-f]{1,2}$/);
const word = fc.stringMatching(/^[0-9A-Fa-f]{1,4}$/);
/** MAC forms: four to seven groups of one or two digits (or of four, for dotted words), one separator. */
const quadWord = fc.stringMatching(/^[0-9A-Fa-f]{3,5}$/);
const macLike = fc.oneof(
  fc.tuple(fc.array(byte, { minLength: 4, maxLength: 7 }), fc.constantFrom(':', '-', '.')).map(([groups, sep]) => groups.join(sep)),
  fc.array(quadWord, { minLength: 2, maxLength: 4 }).map((groups) => groups.join('.')),
);
/** IPv6 forms: up to nine groups around at most one `::`, sometimes ending in a dotted quad. */
const ipv6Like = fc.tuple(fc.array(word, { maxLength: 8 }), fc.array(word, { maxLength: 8 }), fc.boolean(), fc.option(fc.tuple(decimal, decimal, decimal, decimal)))
  .map(([before, after, gap, quad]) => {
    const tail = quad ? [...after, quad.join('.')] : after;
    return gap ? `${before.join(':')}::${tail.join(':')}` : [...before, ...tail].join(':');
  });
/** Any text over the address alphabet (and a few characters that end a run). */
const soup = fc.stringMatching(/^[0-9a-fA-FxX:.\-g ()]{1,80}$/);

describe('scanner address rules', () => {
  it('find each form in full', () => {
    expect(addressMatchLengths('01:02:03:04:05:06', 0).mac).toBe(17);
    expect(addressMatchLengths('0102.0304.0506', 0).mac).toBe(14);
    expect(addressMatchLengths('010203040506', 0).mac).toBe(12);
    expect(addressMatchLengths('1.2.3.4', 0).ipv4).toBe(7);
    expect(addressMatchLengths('fe80::1', 0).ipv6).toBe(7);
    expect(addressMatchLengths('1:2:3:4:5:6:7:8', 0).ipv6).toBe(15);
    expect(addressMatchLengths('::ffff:1.2.3.4', 0).ipv6).toBe(14);
    expect(addressMatchLengths('1:2:3:4:5:6:1.2.3.4', 0).ipv6).toBe(19);
    expect(addressMatchLengths('aa:bb:', 0).bogusMac).toBe(6);
  });

  it('match as trying every form does, at every position of address-shaped text', () => {
    fc.assert(fc.property(fc.oneof(shaped, macLike, ipv6Like, soup, fc.tuple(fc.oneof(shaped, macLike, ipv6Like), soup).map(([a, b]) => a + b)), (text) => {
      for (let position = 0; position < text.length; position++) {
        expect(addressMatchLengths(text, position)).toEqual(addressMatchLengths(text, position, true));
      }
    }), { numRuns: 2000 });
  });

  it('match as trying every form does on runs longer than the scanner looks at', () => {
    fc.assert(fc.property(fc.array(shaped, { minLength: 4, maxLength: 12 }).map((parts) => parts.join(':')), (text) => {
      for (let position = 0; position < text.length; position += 3) {
        expect(addressMatchLengths(text, position)).toEqual(addressMatchLengths(text, position, true));
      }
    }), { numRuns: 200 });
  });
});
