/** printFilter on hand-built trees: parentheses only where re-parsing would otherwise build another tree. */
import { describe, expect, it } from 'vitest';
import type { Arith, Expr } from '../../src/filter/ast.js';
import { filterTreesEqual, parseFilter, printFilter } from '../../src/filter/index.js';

const span = { start: 0, end: 0 };
const num = (value: number): Arith => ({ kind: 'number', value, text: String(value), span });
const len: Arith = { kind: 'len', span };
const bin = (op: '+' | '-' | '*' | '/' | '%' | '^' | '&' | '|' | '<<', left: Arith, right: Arith): Arith => ({ kind: 'binary', op, left, right, span });
const rel = (left: Arith, right: Arith = num(0)): Expr => ({ kind: 'relation', op: '=', left, right, span });
const host = (text: string): Expr => ({
  kind: 'qualified', type: 'host', inherited: false, span,
  id: { kind: 'ipv4', value: text.split('.').reduce((v, part) => v * 256 + Number(part), 0), octets: 4, text, span },
});
const tcp: Expr = { kind: 'proto', proto: 'tcp', span };
const gre: Expr = { kind: 'gre', span };

function roundTrip(tree: Expr): string {
  const text = printFilter(tree);
  expect(filterTreesEqual(parseFilter(text), tree), text).toBe(true);
  return text;
}

describe('printFilter', () => {
  it('writes arithmetic with the fewest parentheses that keep the tree', () => {
    expect(roundTrip(rel(bin('-', len, bin('-', num(4), num(2)))))).toBe('len - (4 - 2) = 0');
    expect(roundTrip(rel(bin('-', bin('-', len, num(4)), num(2))))).toBe('len - 4 - 2 = 0');
    expect(roundTrip(rel(bin('*', bin('+', len, num(4)), num(2))))).toBe('(len + 4) * 2 = 0');
    expect(roundTrip(rel(bin('+', len, bin('*', num(4), num(2)))))).toBe('len + 4 * 2 = 0');
    expect(roundTrip(rel(bin('&', bin('|', len, num(1)), num(255))))).toBe('(len | 1) & 255 = 0');
    expect(roundTrip(rel(bin('<<', len, bin('+', num(1), num(1)))))).toBe('len << 1 + 1 = 0');
  });

  it('keeps % and ^ (which libpcap gives no precedence) from swallowing what follows', () => {
    expect(roundTrip(rel(bin('*', bin('%', len, num(3)), num(2))))).toBe('(len % 3) * 2 = 0');
    expect(roundTrip(rel(bin('%', len, bin('*', num(3), num(2)))))).toBe('len % 3 * 2 = 0');
    expect(roundTrip(rel(bin('%', bin('+', len, num(1)), num(3))))).toBe('(len + 1) % 3 = 0');
    expect(roundTrip(rel(bin('+', bin('^', len, num(1)), num(2))))).toBe('(len ^ 1) + 2 = 0');
    expect(roundTrip(rel({ kind: 'negate', operand: bin('%', len, num(3)), span }))).toBe('-(len % 3) = 0');
    expect(roundTrip(rel(bin('%', { kind: 'negate', operand: len, span }, num(3))))).toBe('(-len) % 3 = 0');
  });

  it('writes and/or left to right, parenthesizing a right-hand group', () => {
    const and = (left: Expr, right: Expr): Expr => ({ kind: 'and', left, right, span });
    const or = (left: Expr, right: Expr): Expr => ({ kind: 'or', left, right, span });
    expect(roundTrip(or(and(tcp, host('1.2.3.4')), host('1.2.3.5')))).toBe('tcp and host 1.2.3.4 or host 1.2.3.5');
    expect(roundTrip(and(tcp, or(host('1.2.3.4'), host('1.2.3.5'))))).toBe('tcp and (host 1.2.3.4 or host 1.2.3.5)');
    expect(roundTrip({ kind: 'not', operand: or(tcp, tcp), span })).toBe('not (tcp or tcp)');
  });

  it('keeps our `gre` primitive from reading as an inherited host name', () => {
    const and = (left: Expr, right: Expr): Expr => ({ kind: 'and', left, right, span });
    expect(roundTrip(and(tcp, gre))).toBe('tcp and gre');
    expect(roundTrip(and(host('1.2.3.4'), gre))).toBe('host 1.2.3.4 and (gre)');
    expect(roundTrip(and(host('1.2.3.4'), { kind: 'not', operand: gre, span }))).toBe('host 1.2.3.4 and not (gre)');
    expect(roundTrip(and(host('1.2.3.4'), { kind: 'gre', value: 7, span }))).toBe('host 1.2.3.4 and gre 7');
  });
});
