/** The scanner: libpcap's longest-match rules, number conversion, and refusals with a caret at the right place. */
import { describe, expect, it } from 'vitest';
import { FilterError, parseFilter } from '../../src/filter/index.js';
import { numberValue, scanFilter } from '../../src/filter/scanner.js';

const kinds = (text: string): string[] => scanFilter(text).map((t) => `${t.tokenType.name}:${t.image}`);

function refusal(text: string): FilterError {
  try { parseFilter(text); } catch (error) {
    if (error instanceof FilterError) return error;
    throw error;
  }
  throw new Error(`accepted: ${text}`);
}

describe('scanner', () => {
  it('takes the longest match, as flex does', () => {
    expect(kinds('len-1')).toEqual(['Name:len-1']);
    expect(kinds('len - 1')).toEqual(['Len:len', 'Minus:-', 'NumberLiteral:1']);
    expect(kinds('1-512')).toEqual(['Name:1-512']);
    expect(kinds('tcp-syn')).toEqual(['NumberLiteral:tcp-syn']);
    expect(kinds('tcpdump')).toEqual(['Name:tcpdump']);
    expect(kinds('aabb.ccdd.eeff')).toEqual(['MacAddress:aabb.ccdd.eeff']);
    expect(kinds('aabbccddeeff')).toEqual(['MacAddress:aabbccddeeff']);
    expect(kinds('1.2.3.4')).toEqual(['IPv4Address:1.2.3.4']);
    expect(kinds('1.2.3.4.5.6')).toEqual(['MacAddress:1.2.3.4.5.6']);
    expect(kinds('1.2.3.4.5')).toEqual(['Name:1.2.3.4.5']);
    expect(kinds('fe80::1')).toEqual(['IPv6Address:fe80::1']);
    expect(kinds('::ffff:1.2.3.4')).toEqual(['IPv6Address:::ffff:1.2.3.4']);
    expect(kinds('es-is')).toEqual(['ProtocolName:es-is']);
    expect(kinds('\\tcp')).toEqual(['Name:\\tcp']);
    expect(kinds('a&&b||!c')).toEqual(['Name:a', 'And:&&', 'Name:b', 'Or:||', 'Not:!', 'Name:c']);
    expect(kinds('>=<=!===<<>>')).toEqual(['GreaterEqual:>=', 'LessEqual:<=', 'NotEqual:!=', 'Equal:==', 'ShiftLeft:<<', 'ShiftRight:>>']);
    expect(kinds('ip[6:2]')).toEqual(['ProtocolName:ip', 'LBracket:[', 'NumberLiteral:6', 'Colon::', 'NumberLiteral:2', 'RBracket:]']);
  });

  it('records where every token is', () => {
    const tokens = scanFilter('  tcp  port\t80');
    expect(tokens.map((t) => [t.startOffset, t.image.length])).toEqual([[2, 3], [7, 4], [12, 2]]);
  });

  it('converts numbers as libpcap does, refusing more than 32 bits', () => {
    expect(numberValue('0')).toEqual({ value: 0 });
    expect(numberValue('4294967295')).toEqual({ value: 4294967295 });
    expect(numberValue('0xffffffff')).toEqual({ value: 4294967295 });
    expect(numberValue('037777777777')).toEqual({ value: 4294967295 });
    expect(numberValue('010')).toEqual({ value: 8 });
    expect(numberValue('4294967296')).toEqual({ error: 'number 4294967296 overflows 32 bits' });
    expect(numberValue('0x100000000')).toEqual({ error: 'number 0x100000000 overflows 32 bits' });
    expect(numberValue('08')).toEqual({ error: 'number 08 contains non-octal digit' });
  });
});

describe('error display', () => {
  it('puts the caret under the offending token', () => {
    const error = refusal('tcp port 99999');
    expect(error.reason).toBe('illegal port number 99999 > 65535');
    expect(error.span).toEqual({ start: 9, end: 14 });
    expect(error.message).toBe('illegal port number 99999 > 65535\n  tcp port 99999\n           ^^^^^');
    expect(error.expression).toBe('tcp port 99999');
  });

  it('points at an unexpected character', () => {
    const error = refusal('tcp @ udp');
    expect(error.reason).toBe("unexpected character '@'");
    expect(error.span.start).toBe(4);
  });

  it('points past the end for an expression that stops too early', () => {
    const error = refusal('tcp and');
    expect(error.reason).toBe("syntax error: unexpected end of expression after 'and' (expected a primitive)");
    expect(refusal('tcp port').reason).toBe("syntax error: unexpected end of expression after 'port' (expected a port number or name)");
    expect(error.span.start).toBe(7);
    expect(error.message.endsWith('\n  tcp and\n         ^')).toBe(true);
  });

  it('names unbalanced parentheses', () => {
    expect(refusal('(tcp or udp').reason).toBe("syntax error: '(' is never closed");
    expect(refusal('(tcp or udp').span.start).toBe(0);
    expect(refusal('tcp or udp)').reason).toBe("syntax error: ')' without a matching '('");
    expect(refusal('tcp or udp)').span.start).toBe(10);
  });

  it('names the host it cannot resolve, and says why', () => {
    const error = refusal('src host gateway1');
    expect(error.reason).toMatch(/^unknown host 'gateway1'/);
    expect(error.span).toEqual({ start: 9, end: 17 });
  });

  it('shows tabs and newlines as spaces so the caret lines up', () => {
    const error = refusal('tcp\tport\n99999');
    expect(error.message.split('\n').slice(1)).toEqual(['  tcp port 99999', '           ^^^^^']);
  });

  it('resolves names through the resolver it is given', () => {
    const resolver = (name: string) => (name === 'router' ? { ipv4: ['10.0.0.1'], ipv6: ['fe80::1'], mac: ['00:11:22:33:44:55'] } : undefined);
    expect(parseFilter('host router', { resolver }).kind).toBe('qualified');
    expect(parseFilter('ip6 host router', { resolver }).kind).toBe('qualified');
    expect(parseFilter('ether host router', { resolver }).kind).toBe('qualified');
    expect(parseFilter('gateway router', { resolver }).kind).toBe('qualified');
    expect(() => parseFilter('ip6 host router', { resolver: () => ({ ipv4: ['10.0.0.1'], ipv6: [] }) })).toThrow(/for specified address family/);
    expect(() => parseFilter('ether host router', { resolver: () => ({ ipv4: ['10.0.0.1'], ipv6: [] }) })).toThrow(/unknown ether host 'router'/);
  });
});

describe('tree shape', () => {
  it('records qualifier inheritance and spans', () => {
    const tree = parseFilter('tcp dst port 80 or 443');
    expect(tree).toMatchObject({
      kind: 'or',
      span: { start: 0, end: 22 },
      left: { kind: 'qualified', proto: 'tcp', dir: 'dst', type: 'port', inherited: false, id: { kind: 'number', value: 80 }, span: { start: 0, end: 15 } },
      right: { kind: 'qualified', proto: 'tcp', dir: 'dst', type: 'port', inherited: true, id: { kind: 'number', value: 443, span: { start: 19, end: 22 } } },
    });
  });

  it('keeps escapes, named constants and partial addresses as written', () => {
    expect(parseFilter('ip proto \\tcp')).toMatchObject({ id: { kind: 'name', name: 'tcp', escaped: true, text: '\\tcp' } });
    expect(parseFilter('tcp[tcpflags] = tcp-syn')).toMatchObject({ kind: 'relation', op: '=', left: { kind: 'load', proto: 'tcp', size: 1, sizeWritten: false, offset: { kind: 'number', value: 13, name: 'tcpflags' } }, right: { value: 2, name: 'tcp-syn' } });
    expect(parseFilter('net 192.168')).toMatchObject({ type: 'net', id: { kind: 'ipv4', value: 0xc0a8, octets: 2 } });
    expect(parseFilter('net 10')).toMatchObject({ type: 'net', id: { kind: 'number', value: 10 } });
    expect(parseFilter('net 10.0.0.0/8')).toMatchObject({ id: { kind: 'prefix', prefixLength: 8, address: { kind: 'ipv4', value: 0x0a000000, octets: 4 } } });
    expect(parseFilter('net 10.0.0.0 mask 255.0.0.0')).toMatchObject({ id: { kind: 'prefix', mask: { kind: 'ipv4', value: 0xff000000 } } });
    expect(parseFilter('portrange 1-512')).toMatchObject({ id: { kind: 'range', low: { kind: 'number', value: 1 }, high: { kind: 'number', value: 512 } } });
    expect(parseFilter('tcp portrange 1-http')).toMatchObject({ id: { kind: 'range', low: { kind: 'number', value: 1 }, high: { kind: 'name', name: 'http', span: { start: 16, end: 20 } } } });
    expect(() => parseFilter('tcp portrange ftp-data-80')).toThrow(/unknown port in range 'ftp-data-80'/);
    expect(parseFilter('ether host aabb.ccdd.eeff')).toMatchObject({ id: { kind: 'mac', bytes: [0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff] } });
    expect(parseFilter('host ::ffff:1.2.3.4')).toMatchObject({ id: { kind: 'ipv6', bytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4] } });
  });

  it('gives % and ^ libpcap\'s missing precedence: they take everything to their right', () => {
    expect(parseFilter('len % 3 * 2 = 1')).toMatchObject({ left: { kind: 'binary', op: '%', left: { kind: 'len' }, right: { kind: 'binary', op: '*' } } });
    expect(parseFilter('len * 3 % 2 = 1')).toMatchObject({ left: { kind: 'binary', op: '*', right: { kind: 'binary', op: '%' } } });
    expect(parseFilter('- len % 3 = 0')).toMatchObject({ left: { kind: 'negate', operand: { kind: 'binary', op: '%' } } });
    expect(parseFilter('len - 4 - 2 = 0')).toMatchObject({ left: { kind: 'binary', op: '-', left: { kind: 'binary', op: '-' }, right: { value: 2 } } });
  });
});

describe('long expressions', () => {
  it('shows a window of a long expression around the caret', () => {
    const text = `${'tcp or '.repeat(100)}port 99999${' or udp'.repeat(100)}`;
    const error = refusal(text);
    const [, shown, carets] = error.message.split('\n');
    expect(shown!.length).toBeLessThan(110);
    expect(shown!.slice(carets!.indexOf('^'), carets!.lastIndexOf('^') + 1)).toBe('99999');
    expect(error.span.start).toBe(text.indexOf('99999'));
  });

  it('shortens a huge token in the reason', () => {
    const error = refusal(`host 1.2.3.4 ${'x'.repeat(100000)}`);
    expect(error.reason.length).toBeLessThan(100);
    expect(error.message.length).toBeLessThan(400);
  });
});

describe('resolver', () => {
  it('may itself parse filters (the shared parser is not reused while busy)', () => {
    const resolver = (name: string) => {
      parseFilter('tcp port 80 or udp');
      return name === 'inner' ? { ipv4: ['10.0.0.1'], ipv6: [] } : undefined;
    };
    expect(parseFilter('host inner and tcp', { resolver }).kind).toBe('and');
    expect(parseFilter('udp').kind).toBe('proto');
  });

  it('passes its own exceptions through untouched', () => {
    const failure = new Error('resolver down');
    expect(() => parseFilter('host somewhere', { resolver: () => { throw failure; } })).toThrow(failure);
    expect(parseFilter('tcp').kind).toBe('proto');
  });
});
