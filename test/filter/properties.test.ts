/**
 * Properties of the parser and printer: generated trees print and re-parse to the same tree, the printer
 * is a fixed point, random text never throws anything but FilterError, and deep nesting gets a clear error.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Arith, Expr, Id, ProtoQualifier, QualifiedPrimitive } from '../../src/filter/ast.js';
import { FilterError, filterTreesEqual, maximumFilterNesting, parseFilter, printFilter } from '../../src/filter/index.js';

const span = { start: 0, end: 0 };
const byte = fc.integer({ min: 0, max: 255 });
const u32 = fc.integer({ min: 0, max: 0xffffffff });

/** A number written in decimal, hex or octal, as the scanner reads it. */
const numberText = (value: number): fc.Arbitrary<string> => fc.constantFrom(String(value), `0x${value.toString(16)}`, value === 0 ? '0' : `0${value.toString(8)}`);

const numberArith: fc.Arbitrary<Arith> = u32.chain((value) => numberText(value).filter((t) => !/^0\d{11}$/.test(t)).map((text): Arith => ({ kind: 'number', value, text, span })));
const namedConstant: fc.Arbitrary<Arith> = fc.constantFrom<[string, number]>(['tcpflags', 13], ['tcp-syn', 2], ['tcp-ack', 16], ['icmp-echo', 8], ['icmptype', 0], ['icmp6-echo', 128])
  .map(([name, value]): Arith => ({ kind: 'number', value, name, text: name, span }));
const loadProto = fc.constantFrom('ether', 'ip', 'ip6', 'tcp', 'udp', 'icmp', 'arp', 'icmp6', 'sctp', 'link');

/** libpcap refuses a divisor whose leftmost leaf is the constant 0 (see the corpus); such trees are not generated. */
function leftmostIsZero(arith: Arith): boolean {
  if (arith.kind === 'number') return arith.value === 0;
  if (arith.kind === 'binary') return leftmostIsZero(arith.left);
  if (arith.kind === 'negate') return leftmostIsZero(arith.operand);
  if (arith.kind === 'load') return leftmostIsZero(arith.offset);
  return false;
}

const arith: fc.Arbitrary<Arith> = fc.letrec<{ arith: Arith }>((tie) => ({
  arith: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    numberArith,
    namedConstant,
    fc.constant<Arith>({ kind: 'len', span }),
    fc.record({ proto: loadProto, offset: tie('arith'), size: fc.constantFrom<1 | 2 | 4>(1, 2, 4), sizeWritten: fc.boolean() })
      .map((r): Arith => ({ kind: 'load', proto: r.proto as 'ip', offset: r.offset, size: r.sizeWritten ? r.size : 1, sizeWritten: r.sizeWritten, span })),
    fc.record({ op: fc.constantFrom('+', '-', '*', '/', '%', '&', '|', '^', '<<', '>>'), left: tie('arith'), right: tie('arith') })
      .filter((r) => !((r.op === '/' || r.op === '%') && leftmostIsZero(r.right)))
      .map((r): Arith => ({ kind: 'binary', op: r.op as '+', left: r.left, right: r.right, span })),
    tie('arith').map((operand): Arith => ({ kind: 'negate', operand, span })),
  ),
})).arith;

const ipv4Id: fc.Arbitrary<Id> = fc.tuple(byte, byte, byte, byte).map(([a, b, c, d]): Id => ({ kind: 'ipv4', value: ((a << 24) | (b << 16) | (c << 8) | d) >>> 0, octets: 4, text: `${a}.${b}.${c}.${d}`, span }));
const macId: fc.Arbitrary<Id> = fc.array(byte, { minLength: 6, maxLength: 6 }).map((bytes): Id => ({ kind: 'mac', bytes, text: bytes.map((b) => b.toString(16).padStart(2, '0')).join(':'), span }));
const portId: fc.Arbitrary<Id> = fc.integer({ min: 0, max: 65535 }).map((value): Id => ({ kind: 'number', value, text: String(value), span }));

const qualified: fc.Arbitrary<QualifiedPrimitive> = fc.oneof(
  fc.record({ proto: fc.constantFrom<ProtoQualifier | undefined>(undefined, 'ip', 'arp', 'rarp'), dir: fc.constantFrom(undefined, 'src', 'dst', 'src or dst', 'src and dst'), type: fc.constantFrom(undefined, 'host'), id: ipv4Id })
    .filter((r) => r.dir !== undefined || r.type !== undefined),
  fc.record({ proto: fc.constantFrom<ProtoQualifier | undefined>(undefined, 'tcp', 'udp', 'sctp'), dir: fc.constantFrom(undefined, 'src', 'dst'), type: fc.constant('port'), id: portId }),
  fc.record({ proto: fc.constantFrom<ProtoQualifier | undefined>('ether', 'link'), dir: fc.constantFrom(undefined, 'src', 'dst'), type: fc.constantFrom(undefined, 'host'), id: macId })
    .filter((r) => r.dir !== undefined || r.type !== undefined),
).map((r) => {
  const primitive: QualifiedPrimitive = { kind: 'qualified', id: r.id, inherited: false, span };
  if (r.proto !== undefined) primitive.proto = r.proto;
  if (r.dir !== undefined) primitive.dir = r.dir as 'src';
  if (r.type !== undefined) primitive.type = r.type as 'host';
  return primitive;
});

const primitive: fc.Arbitrary<Expr> = fc.oneof(
  qualified,
  fc.constantFrom<Expr>({ kind: 'proto', proto: 'tcp', span }, { kind: 'proto', proto: 'ip6', span }, { kind: 'broadcast', span }, { kind: 'multicast', proto: 'ip6', span }, { kind: 'vlan', span }, { kind: 'pppoed', span }, { kind: 'llc', subtype: 'ui', span }),
  fc.record({ kind: fc.constantFrom('vlan', 'mpls', 'geneve', 'gre'), value: fc.integer({ min: 0, max: 4095 }) }).map((r): Expr => ({ kind: r.kind as 'vlan', value: r.value, span })),
  fc.record({ kind: fc.constantFrom('less', 'greater'), value: u32 }).map((r): Expr => ({ kind: r.kind as 'less', value: r.value, span })),
  fc.record({ op: fc.constantFrom('>', '<', '>=', '<=', '=', '==', '!='), left: arith, right: arith }).map((r): Expr => ({ kind: 'relation', op: r.op as '>', left: r.left, right: r.right, span })),
);

const expr: fc.Arbitrary<Expr> = fc.letrec<{ expr: Expr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    primitive,
    fc.record({ kind: fc.constantFrom('and', 'or'), left: tie('expr'), right: tie('expr') }).map((r): Expr => ({ kind: r.kind as 'and', left: r.left, right: r.right, span })),
    tie('expr').map((operand): Expr => ({ kind: 'not', operand, span })),
  ),
})).expr;

describe('printer and parser', () => {
  it('generated trees print and re-parse to the same tree', () => {
    fc.assert(fc.property(expr, (tree) => {
      const text = printFilter(tree);
      fc.pre(!/\bmpls\b[\s\S]*\bvlan\b/.test(text)); // libpcap refuses `vlan` after `mpls` (tested in the corpus)
      const reparsed = parseFilter(text);
      expect(filterTreesEqual(reparsed, tree), text).toBe(true);
      expect(printFilter(reparsed)).toBe(text);
    }), { numRuns: 1500 });
  });

  it('random text never throws anything but FilterError', () => {
    const alphabet = fc.constantFrom(...'abcdefhiklmnoprstuvx0123456789.:-/ ()[]!<>=&|^%*+\\$@,\t'.split(''), 'host ', 'net ', 'port ', 'tcp', 'ip', 'and ', 'or ', 'not ', 'len', 'src ', 'vlan ', 'gre', '[0]', 'ether ', 'mask ', 'proto ', '\\tcp');
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 30 }).map((parts) => parts.join('')), (text) => {
      try { parseFilter(text); } catch (error) {
        expect(error).toBeInstanceOf(FilterError);
        const filterError = error as FilterError;
        expect(filterError.expression).toBe(text);
        expect(filterError.span.start).toBeGreaterThanOrEqual(0);
        expect(filterError.span.start).toBeLessThanOrEqual(text.length);
      }
    }), { numRuns: 4000 });
  });

  it('any string at all never throws anything but FilterError', () => {
    fc.assert(fc.property(fc.string({ maxLength: 40, unit: 'binary' }), (text) => {
      try { parseFilter(text); } catch (error) { expect(error).toBeInstanceOf(FilterError); }
    }), { numRuns: 3000 });
  });
});

describe('deep nesting', () => {
  const refusesClearly = (text: string): void => {
    let caught: unknown;
    try { parseFilter(text); } catch (error) { caught = error; }
    expect(caught).toBeInstanceOf(FilterError);
    expect((caught as FilterError).reason).toMatch(/nested too deeply/);
  };

  it('refuses ten thousand parentheses with a clear error', () => refusesClearly(`${'('.repeat(10000)}tcp${')'.repeat(10000)}`));
  it('refuses ten thousand nots with a clear error', () => refusesClearly(`${'not '.repeat(10000)}tcp`));
  it('refuses ten thousand unary minuses with a clear error', () => refusesClearly(`${'-'.repeat(10000)}len = 0`));
  it('refuses ten thousand arithmetic parentheses with a clear error', () => refusesClearly(`${'('.repeat(10000)}len${')'.repeat(10000)} > 0`));
  it('refuses a ten-thousand-long % chain with a clear error', () => refusesClearly(`len${' % 3'.repeat(10000)} = 0`));
  it('refuses loads nested ten thousand deep with a clear error', () => refusesClearly(`${'ip['.repeat(10000)}0${']'.repeat(10000)} = 0`));
  it('refuses ten thousand nested operand lists with a clear error', () => refusesClearly(`host 1.2.3.4 and ${'(not '.repeat(10000)}1.2.3.5${')'.repeat(10000)}`));

  it('accepts nesting up to the limit', () => {
    const depth = maximumFilterNesting - 1;
    const tree = parseFilter(`${'('.repeat(depth)}tcp${')'.repeat(depth)}`);
    expect(tree.kind).toBe('proto');
    const nots = parseFilter(`${'not '.repeat(depth)}tcp`);
    expect(nots.kind).toBe('not');
    expect(parseFilter(`${'('.repeat(depth)}len${')'.repeat(depth)} > 0`).kind).toBe('relation');
    expect(parseFilter(`${'-'.repeat(depth)}len = 0`).kind).toBe('relation');
    expect(parseFilter(`len${' % 3'.repeat(depth)} = 0`).kind).toBe('relation');
    expect(parseFilter(`${'ip['.repeat(depth)}0${']'.repeat(depth)} = 0`).kind).toBe('relation');
  });

  it('parses and prints ten thousand alternatives (a long host list) without recursion trouble', () => {
    const hosts = Array.from({ length: 10000 }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.1`);
    const text = `host ${hosts.join(' or ')}`;
    const tree = parseFilter(text);
    expect(tree.kind).toBe('or');
    const printed = printFilter(tree);
    expect(printed.startsWith('host 10.0.0.1 or host 10.0.1.1')).toBe(true);
    expect(printed.split(' or ').length).toBe(10000);
  });
});
