/**
 * The scanner of pcap-filter(7): turns an expression into Chevrotain tokens with libpcap's flex rules.
 *
 * Flex takes the longest match at each position and, on a tie, the rule written first. That is what makes
 * `tcp-syn` a constant, `len-1` a host name (not `len - 1`), `1-512` one word (a port range) and
 * `aabb.ccdd.eeff` a MAC address; we reproduce it by trying every rule and keeping the longest match.
 */
import { createTokenInstance } from 'chevrotain';
import type { IToken, TokenType } from 'chevrotain';
import { FilterError, shortened } from './errors.js';
import * as T from './tokens.js';

/** What the scanner attaches to a number token: its value and, for a named constant, the name. */
export interface NumberPayload { value: number; name?: string }

// Rule priorities (lower = written earlier in libpcap's scanner.l).
const enum Rule { Keyword, Punctuation, Arcnet, Mac, Number, IPv4, IPv6, BogusMac, Constant, Word, Escaped }

const N = '(?:0[xX][0-9A-Fa-f]+|[0-9]+)';
const B = '[0-9A-Fa-f][0-9A-Fa-f]?';
const B2 = '[0-9A-Fa-f]{4}';
const W = '[0-9A-Fa-f]{1,4}';
const sticky = (source: string): RegExp => new RegExp(source, 'y');

const wordPattern = sticky('[A-Za-z0-9](?:[-_.A-Za-z0-9]*[.A-Za-z0-9])?');
const escapedPattern = sticky('\\\\[^ !()\\n\\t]+');
const arcnetPattern = sticky(`\\$${B}`);
const macPatterns = [
  `${B}:${B}:${B}:${B}:${B}:${B}`, `${B}-${B}-${B}-${B}-${B}-${B}`, `${B}\\.${B}\\.${B}\\.${B}\\.${B}\\.${B}`,
  `${B2}\\.${B2}\\.${B2}`, `(?:${B2}){3}`,
].map(sticky);
const numberPatterns = ['[0-9]+', '0[xX][0-9A-Fa-f]+'].map(sticky);

/**
 * The MAC forms that can match in a run of address characters with these separator counts and this length
 * (each form needs its separators: five colons, five dashes, five dots, two dots, or twelve characters).
 */
function macPatternsFor(colons: number, dashes: number, dots: number, runLength: number): readonly RegExp[] {
  const [colonForm, dashForm, dotForm, wordDotForm, bareForm] = macPatterns as [RegExp, RegExp, RegExp, RegExp, RegExp];
  const forms: RegExp[] = [];
  if (colons >= 5) forms.push(colonForm);
  if (dashes >= 5) forms.push(dashForm);
  if (dots >= 5) forms.push(dotForm);
  if (dots >= 2) forms.push(wordDotForm);
  if (runLength >= 12) forms.push(bareForm);
  return forms;
}
const ipv4Patterns = [`${N}\\.${N}`, `${N}\\.${N}\\.${N}`, `${N}\\.${N}\\.${N}\\.${N}`].map(sticky);
const bogusMacPattern = sticky(`${B}:+(?:${B}:+)+`);

/** libpcap's IPv6 forms: n groups before `::`, m after, optionally ending in a dotted quad. */
const ipv6Patterns: RegExp[] = (() => {
  const sources: string[] = [];
  const groups = (count: number): string[] => Array.from({ length: count }, () => W);
  sources.push(groups(8).join(':'));
  for (let total = 7; total >= 0; total--) {
    for (let before = 0; before <= total; before++) sources.push(`${groups(before).join(':')}::${groups(total - before).join(':')}`);
  }
  const quad = `${N}\\.${N}\\.${N}\\.${N}`;
  sources.push(`${groups(6).join(':')}:${quad}`);
  for (let total = 5; total >= 0; total--) {
    for (let before = 0; before <= total; before++) {
      const after = total - before;
      sources.push(`${groups(before).join(':')}::${after ? groups(after).join(':') + ':' : ''}${quad}`);
    }
  }
  return sources.map(sticky);
})();

const twoCharOperators: ReadonlyMap<string, TokenType> = new Map([
  ['>=', T.GreaterEqual], ['<=', T.LessEqual], ['!=', T.NotEqual], ['==', T.Equal], ['<<', T.ShiftLeft],
  ['>>', T.ShiftRight], ['&&', T.And], ['||', T.Or],
]);
const oneCharOperators: ReadonlyMap<string, TokenType> = new Map([
  ['+', T.Plus], ['-', T.Minus], ['*', T.Star], ['/', T.Slash], ['%', T.Percent], [':', T.Colon], ['[', T.LBracket],
  [']', T.RBracket], ['!', T.Not], ['<', T.LessThan], ['>', T.Greater_], ['(', T.LParen], [')', T.RParen],
  ['&', T.Ampersand], ['|', T.Pipe], ['^', T.Caret], ['=', T.Equal],
]);

function isHexDigit(c: string): boolean {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

function longest(patterns: readonly RegExp[], text: string, position: number): number {
  let best = 0;
  for (const pattern of patterns) {
    pattern.lastIndex = position;
    const match = pattern.exec(text);
    if (match && match[0].length > best) best = match[0].length;
  }
  return best;
}

/** Converts a number's text (decimal, 0x hex, leading-0 octal) to its value, refusing more than 32 bits. */
export function numberValue(text: string): { value: number } | { error: string } {
  let radix = 10;
  let digits = text;
  if (/^0[xX]/.test(text)) { radix = 16; digits = text.slice(2); } else if (text.length > 1 && text[0] === '0') { radix = 8; digits = text.slice(1); }
  if (radix === 8 && /[89]/.test(digits)) return { error: `number ${text} contains non-octal digit` };
  let value = 0;
  for (const digit of digits) {
    value = value * radix + parseInt(digit, 16);
    if (value > 0xffffffff) return { error: `number ${text} overflows 32 bits` };
  }
  return { value };
}

/** Lengths of the longest match of each address rule at a position (0 for none). */
export interface AddressMatchLengths { mac: number; ipv4: number; ipv6: number; bogusMac: number }

/**
 * The longest match of each address rule at `position`. The address rules only matter when a separator
 * follows within the run of address characters; within it, every form needs some separators (a MAC
 * `a:b:c:d:e:f` five colons, an IPv6 address `::` or six colons...), so unless `everyForm` is set a form the
 * counts rule out is not tried, which changes no length (test/filter/scanner-address.test.ts checks it).
 */
export function addressMatchLengths(text: string, position: number, everyForm = false): AddressMatchLengths {
  const lengths: AddressMatchLengths = { mac: 0, ipv4: 0, ipv6: 0, bogusMac: 0 };
  const length = text.length;
  const c = text[position]!;
  const hexStart = isHexDigit(c);
  let run = position;
  let colon = false;
  let separator = false;
  let colons = 0;
  let dots = 0;
  let dashes = 0;
  let doubleColon = false;
  const runLimit = Math.min(length, position + 64); // longer than any address form; keeps scanning linear
  while (run < runLimit) {
    const d = text[run]!;
    if (d === ':') { colon = separator = true; colons++; if (run > position && text[run - 1] === ':') doubleColon = true; }
    else if (d === '.') { separator = true; dots++; }
    else if (d === '-') { separator = true; dashes++; }
    else if (!isHexDigit(d) && d !== 'x' && d !== 'X') break; // (x for 0x parts of dotted numbers)
    run++;
  }
  const every = everyForm || (run === runLimit && runLimit < length);
  if (run === runLimit && runLimit < length) separator = colon = true;
  if (hexStart && (separator || run - position >= 12)) {
    lengths.mac = longest(every ? macPatterns : macPatternsFor(colons, dashes, dots, run - position), text, position);
  }
  if (c >= '0' && c <= '9' && separator && (every || dots > 0)) lengths.ipv4 = longest(ipv4Patterns, text, position);
  if ((hexStart || c === ':') && colon) {
    if (every || doubleColon || colons >= 6) lengths.ipv6 = longest(ipv6Patterns, text, position);
    if (hexStart) lengths.bogusMac = longest([bogusMacPattern], text, position);
  }
  return lengths;
}

/** Scans `text` into tokens; throws FilterError for a character or word libpcap's scanner refuses. */
export function scanFilter(text: string): IToken[] {
  const tokens: IToken[] = [];
  let position = 0;
  const length = text.length;
  while (position < length) {
    const c = text[position]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { position++; continue; }
    let best = 0;
    let rule = -1;
    const offer = (size: number, candidate: Rule): void => { if (size > best) { best = size; rule = candidate; } };

    // Keywords, named constants and words all have the shape of a word: the longest word decides.
    wordPattern.lastIndex = position;
    const word = wordPattern.exec(text)?.[0];
    const keyword = word !== undefined ? T.keywordTypes.get(word) : undefined;
    if (word !== undefined && keyword) offer(word.length, Rule.Keyword);
    const pair = text.slice(position, position + 2);
    if (twoCharOperators.has(pair)) offer(2, Rule.Punctuation);
    else if (oneCharOperators.has(c)) offer(1, Rule.Punctuation);
    if (c === '$') offer(longest([arcnetPattern], text, position), Rule.Arcnet);
    const address = addressMatchLengths(text, position);
    offer(address.mac, Rule.Mac);
    if (c >= '0' && c <= '9') offer(longest(numberPatterns, text, position), Rule.Number);
    offer(address.ipv4, Rule.IPv4);
    offer(address.ipv6, Rule.IPv6);
    offer(address.bogusMac, Rule.BogusMac);
    if (word !== undefined && T.namedConstants.has(word)) offer(word.length, Rule.Constant);
    if (word !== undefined) offer(word.length, Rule.Word);
    if (c === '\\') offer(longest([escapedPattern], text, position), Rule.Escaped);

    const span = { start: position, end: position + Math.max(best, 1) };
    if (rule < 0) {
      const shown = c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : c;
      throw new FilterError(c === '\\' ? 'a backslash must be followed by a name' : `unexpected character '${shown}'`, span, text);
    }
    const image = text.slice(position, position + best);
    let type: TokenType;
    let payload: unknown;
    switch (rule as Rule) {
      case Rule.Keyword: type = keyword!; break;
      case Rule.Punctuation: type = best === 2 ? twoCharOperators.get(image)! : oneCharOperators.get(image)!; break;
      case Rule.Arcnet: type = T.ArcnetAddress; break;
      case Rule.Mac: type = T.MacAddress; break;
      case Rule.Number: {
        const converted = numberValue(image);
        if ('error' in converted) throw new FilterError(converted.error, span, text);
        type = T.NumberLiteral;
        payload = { value: converted.value } satisfies NumberPayload;
        break;
      }
      case Rule.IPv4: type = T.IPv4Address; break;
      case Rule.IPv6: type = T.IPv6Address; break;
      case Rule.BogusMac: throw new FilterError(`bogus ethernet address ${shortened(image)}`, span, text);
      case Rule.Constant:
        type = T.NumberLiteral;
        payload = { value: T.namedConstants.get(image)!, name: image } satisfies NumberPayload;
        break;
      case Rule.Word: type = T.Name; break;
      case Rule.Escaped: type = T.Name; break;
    }
    const token = createTokenInstance(type, image, position, position + best - 1, 1, 1, position + 1, position + best);
    if (payload !== undefined) token.payload = payload;
    tokens.push(token);
    position += best;
  }
  return tokens;
}
