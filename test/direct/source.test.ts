/**
 * The direct engine's generated JavaScript: built only from numbers and fixed templates (no text of the
 * filter, of a name or of an option reaches it), the fallback where `new Function` is refused, and the
 * refusal of what the direct form lacks.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LinkType } from '../../src/capture/linktype.js';
import { CompileError } from '../../src/compiler/index.js';
import { DirectUnsupportedError, compileDirectFilter, directLiteral, generateDirectSources } from '../../src/direct/index.js';
import { loadCompilerCorpus } from '../compiler/support/corpus.js';
import { harnessPackets } from '../compiler/support/packets.js';

/** Identifiers the emitter writes: fixed words, and names made of a fixed prefix and a number. */
const fixedWords = new Set([
  'const', 'let', 'if', 'return', 'for', 'break', 'continue', 'new', 'DataView', 'Math', 'imul', 'floor', 'max', 'min', 'buffer', 'byteOffset', 'length',
  'getUint8', 'getUint16', 'getUint32', 'p', 'v', 'o', 'c', 'len', 'w', 'r', 'room', 'size', 'count', 'accepted', 'stop', 'records', 'matches', 'offsets',
  'capturedLengths', 'wireLengths', 'capturedLength', 'wireLength', 'a', 'x', 'true', 'false', 'limit', 'last', 'g', 'stretch',
  'k', 'tooShort', 'else', 'try', 'catch', 'error', 'instanceof', 'RangeError', 'throw', 'groupCount', 'leadingReadFailed',
]);
const numberedWord = /^(?:[sbkulme]\d+|o\d+|c\d+|room\d+|record\d+)$/;

function checkTemplateOnly(source: string, context: string): void {
  expect(source, context).not.toMatch(/["'`\\]/);
  for (const word of source.match(/[A-Za-z_$][\w$]*/g) ?? []) {
    if (!fixedWords.has(word) && !numberedWord.test(word)) expect.fail(`${context}: unexpected identifier ${word}`);
  }
}

describe('direct JS source', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('is built only from numbers and fixed templates for every corpus expression, in both forms', () => {
    const expressions = [...new Set(loadCompilerCorpus().map((e) => e.expression))];
    let checked = 0;
    for (const linkType of [LinkType.EN10MB, LinkType.LINUX_SLL2]) {
      for (const expression of expressions) {
        for (const treeLimit of [undefined, 0]) {
          let sources;
          try { sources = generateDirectSources(expression, { linkType, treeLimit }); } catch (error) {
            if (error instanceof CompileError || error instanceof DirectUnsupportedError) continue;
            throw error;
          }
          checkTemplateOnly(sources.single, expression);
          checkTemplateOnly(sources.batch, expression);
          checkTemplateOnly(sources.batchWide, expression);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(2000);
  });

  it('keeps names and option values out of the source', () => {
    // A host name is resolved to numbers by the compiler's lowering; the name never reaches the code.
    const resolver = (name: string) => (name === 'gateway-one' ? { ipv4: ['10.0.0.1'], ipv6: ['2001:db8::1'] } : undefined);
    const named = generateDirectSources('host gateway-one and port http', { resolver });
    checkTemplateOnly(named.single, 'named');
    expect(named.single).not.toContain('gateway');
    // A hostile snaplen is a number once converted (here NaN -> 0): nothing of the text survives.
    const hostile = { snaplen: '1; globalThis.pwned = 1' as unknown as number };
    const filter = compileDirectFilter('ip', hostile);
    expect(filter.match(new Uint8Array(20).fill(8), 20, 20)).toBe(0);
    checkTemplateOnly(generateDirectSources('ip', hostile).single, 'hostile snaplen');
    expect((globalThis as Record<string, unknown>).pwned).toBeUndefined();
    expect(() => directLiteral('1; evil()' as unknown as number)).toThrow(/not a number/);
    expect(() => directLiteral(1.5)).toThrow(/not a number/);
    expect(() => directLiteral(Number.NaN)).toThrow(/not a number/);
  });

  it('gives the same records from the loop for buffers of 2 GiB or more (run here on a small buffer)', () => {
    const packets = harnessPackets(LinkType.EN10MB, 60);
    const buffer = new Uint8Array(packets.reduce((n, p) => n + p.data.length, 0));
    const offsets = new Uint32Array(packets.length);
    const captured = new Uint32Array(packets.length);
    const wire = new Uint32Array(packets.length);
    let at = 0;
    packets.forEach((p, i) => { buffer.set(p.data, at); offsets[i] = at; captured[i] = Math.max(0, p.data.length - (i % 7) * 3); wire[i] = p.wireLength; at += p.data.length; });
    for (const expression of ['tcp port 80', 'gre and ip host 10.5.5.5', 'vlan and udp', 'len - 14 > ip[2:2] or arp', 'ip[6:2] & 0x1fff != 0']) {
      const wide = new Function('p', 'offsets', 'capturedLengths', 'wireLengths', 'count', 'matches', generateDirectSources(expression).batchWide) as
        (...args: unknown[]) => number;
      const indices = new Uint32Array(packets.length);
      const accepted = wide(buffer, offsets, captured, wire, packets.length, indices);
      const { match } = compileDirectFilter(expression);
      const expected = packets.flatMap((_, i) => (match(buffer, captured[i]!, wire[i]!, offsets[i]) !== 0 ? [i] : []));
      expect([...indices.subarray(0, accepted)], expression).toEqual(expected);
    }
  });

  it('writes the tree form with labeled blocks and the graph form without them', () => {
    const expression = 'udp port 53 or udp port 67';
    expect(generateDirectSources(expression, { treeLimit: 0 }).single).toMatch(/\bl0: \{/);
    expect(generateDirectSources(expression).single).not.toMatch(/\bl0: \{/);
  });

  it('falls back to the -O0 BPF program in the interpreter where new Function is refused (CSP), and says so', () => {
    vi.stubGlobal('Function', function refused() { throw new EvalError('Refused to evaluate a string as JavaScript (CSP)'); });
    const filter = compileDirectFilter('ip[100] = 1 or ip');
    expect(filter.engine).toBe('bpf-interpreter');
    const ipv4 = new Uint8Array(20); ipv4[12] = 0x08;
    // The -O0 program reads ip[100] first: a 20-byte packet ends the whole filter with 0, even though it is IPv4.
    expect(filter.match(ipv4, 20, 20)).toBe(0);
    const long = new Uint8Array(120); long[12] = 0x08;
    expect(filter.match(long, 120, 120)).toBe(262144);
    expect(filter.batch(long, new Uint32Array([0]), new Uint32Array([120]), new Uint32Array([120]), 1)).toBe(1);
  });

  it('refuses protochain by name (callers fall back to BPF) and refuses what the compiler refuses, as the compiler does', () => {
    expect(() => compileDirectFilter('ip protochain 6')).toThrow(DirectUnsupportedError);
    expect(() => compileDirectFilter('ip protochain 6')).toThrow(/protochain/);
    expect(() => compileDirectFilter('port 70000')).toThrow(CompileError);
    expect(() => compileDirectFilter('vlan', { linkType: LinkType.RAW })).toThrow(/no VLAN support/);
  });

  it('turns an expression too deep for its passes into DirectUnsupportedError, never a stack overflow', () => {
    const huge = Array.from({ length: 6000 }, (_, i) => `tcp port ${i + 1}`).join(' or ');
    let outcome: unknown;
    try { outcome = compileDirectFilter(huge); } catch (error) { outcome = error; }
    if (outcome instanceof Error) {
      expect(outcome).toBeInstanceOf(DirectUnsupportedError);
      expect(outcome.message).toMatch(/too deeply nested/);
    } else {
      // Should it compile one day, it must still be right: port 1 over IPv4/TCP.
      const frame = new Uint8Array(54); frame[12] = 0x08; frame[14] = 0x45; frame[23] = 6; frame[37] = 1;
      expect((outcome as ReturnType<typeof compileDirectFilter>).match(frame, 54, 54)).toBe(262144);
    }
  });
});
