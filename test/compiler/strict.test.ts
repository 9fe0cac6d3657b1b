/**
 * Strict mode (`compileFilter(e, { strict: true })`, `parseFilter(e, { strict: true })`, `pktfilter compile
 * --strict`): every expression libpcap 1.10 compiles is still accepted with the same program, and every use
 * of our extensions (`gre [key]`, `vxlan [vni]`) is refused with a message naming it and the span of its text.
 */
import { spawnSync, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { CompileError, compileFilter } from '../../src/compiler/index.js';
import { FilterError, parseFilter } from '../../src/filter/index.js';
import { libpcapAvailable, libpcapCompile } from '../support/libpcap.js';
import { describeWithOracle } from '../support/oracle.js';
import { loadCompilerCorpus, repositoryRoot } from './support/corpus.js';

/** Compiles or returns the refusal. */
function attempt(expression: string, strict: boolean): { program?: unknown; error?: CompileError } {
  try {
    return { program: compileFilter(expression, { strict }) };
  } catch (error) {
    if (error instanceof CompileError) return { error };
    throw error;
  }
}

/** Expressions without any extension, joined with primitives of our own at random places. */
const libpcapPrimitive = fc.constantFrom('ip', 'tcp port 22', 'ip host 10.5.5.5', 'vlan 100', 'arp', 'proto gre', 'ip proto gre', 'udp', 'geneve', 'ip6 and tcp');
const extension = fc.oneof(
  fc.constant('gre'), fc.integer({ min: 0, max: 0xffffffff }).map((key) => `gre ${key}`),
  fc.constant('vxlan'), fc.integer({ min: 0, max: 0xffffff }).map((vni) => `vxlan ${vni}`),
);

describe('strict mode refuses pktfilter extensions, naming them and their span', () => {
  it('refuses the first gre or vxlan wherever it is, with its text under the span', () => {
    fc.assert(fc.property(fc.array(libpcapPrimitive, { maxLength: 4 }), extension, fc.array(fc.oneof(libpcapPrimitive, extension), { maxLength: 3 }), fc.constantFrom(' and ', ' or '), fc.boolean(),
      (before, ours, after, joiner, negate) => {
        // Parenthesized: a bare `gre` right after a qualified primitive is an inherited operand (`proto gre and gre`).
        const prefix = before.map((p) => p + joiner).join('') + (negate ? 'not (' : '(');
        const expression = prefix + ours + ')' + after.map((p) => joiner + (p.startsWith('gre') || p.startsWith('vxlan') ? `(${p})` : p)).join('');
        // Not strict: never refused as an extension; strict: refused at our primitive.
        expect(attempt(expression, false).error?.message ?? '').not.toMatch(/extension|strict/);
        const { error } = attempt(expression, true);
        expect(error, expression).toBeInstanceOf(CompileError);
        const keyword = ours.split(' ')[0]!;
        expect(error!.message).toContain(`'${keyword}' is a pktfilter extension`);
        expect(error!.message).toContain('strict');
        expect(error!.origin).toBe('parse');
        const start = prefix.length;
        expect(error!.span).toEqual({ start, end: start + ours.length });
        // The parser says the same.
        expect(() => parseFilter(expression, { strict: true })).toThrow(FilterError);
        try { parseFilter(expression, { strict: true }); } catch (e) { expect((e as FilterError).span).toEqual(error!.span); }
      }), { numRuns: 150, seed: 47 });
  });

  it('refuses an extension in an already parsed tree too', () => {
    const tree = parseFilter('ip and not (tcp or vxlan 7)');
    expect(() => compileFilter(tree, { strict: true })).toThrow(/'vxlan' is a pktfilter extension/);
    expect(compileFilter(tree).length).toBeGreaterThan(0);
  });

  it('gives the same program as without strict for every corpus expression without an extension', () => {
    let same = 0;
    for (const { expression } of loadCompilerCorpus()) {
      const usesExtension = /(^|[\s(!])(gre|vxlan)(?=$|[\s()])/.test(expression) && !/proto\s+\\?gre/.test(expression);
      const loose = attempt(expression, false);
      const strict = attempt(expression, true);
      if (usesExtension) continue;
      expect(strict.error?.message, expression).toBe(loose.error?.message);
      expect(strict.program, expression).toEqual(loose.program);
      same++;
    }
    expect(same).toBeGreaterThan(400);
  });
});

describeWithOracle('strict mode against libpcap 1.10', libpcapAvailable(), 'gcc and libpcap-dev', () => {
  it('accepts every corpus expression libpcap compiles and that we compile, and libpcap refuses everything strict refuses as an extension', () => {
    const corpus = loadCompilerCorpus().map((e) => e.expression);
    const extended = ['gre', 'gre 42 and tcp port 22', 'vxlan', 'vxlan 7 and ip host 10.5.5.5', 'vlan and gre and vlan 100 and arp', 'ip and (udp or gre 1)'];
    const theirs = libpcapCompile([...corpus, ...extended], { linkType: 1 });
    let accepted = 0;
    [...corpus, ...extended].forEach((expression, i) => {
      const loose = attempt(expression, false);
      const strict = attempt(expression, true);
      if (theirs[i]!.ok && loose.program) {
        expect(strict.error?.message, expression).toBeUndefined();
        accepted++;
      }
      if (strict.error && /pktfilter extension/.test(strict.error.message)) expect(theirs[i]!.ok, `libpcap compiles ${expression}`).toBe(false);
    });
    expect(accepted).toBeGreaterThan(300);
    for (let i = corpus.length; i < corpus.length + extended.length; i++) expect(theirs[i]!.ok).toBe(false);
  });
});

describe('pktfilter compile --strict (CLI)', () => {
  const cli = join(repositoryRoot, 'bin/pktfilter.js');
  const pktfilter = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  beforeAll(() => { execFileSync(process.execPath, [join(repositoryRoot, 'scripts/build.mjs')], { cwd: repositoryRoot, stdio: 'ignore' }); });

  it('refuses gre with exit status 1, the reason and a caret under it', () => {
    const result = pktfilter(['compile', '--strict', 'tcp', 'and', 'gre', '42']);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/'gre' is a pktfilter extension/);
    const lines = result.stderr.split('\n');
    const at = lines.findIndex((line) => line.includes('tcp and gre 42'));
    expect(at).toBeGreaterThanOrEqual(0);
    const caretLine = lines[at + 1]!;
    expect(caretLine.indexOf('^') - lines[at]!.indexOf('tcp and gre 42')).toBe('tcp and '.length);
  });

  it('compiles the same program with and without --strict when there is no extension, and gre without it', () => {
    const strict = pktfilter(['compile', '--strict', '-dd', 'vlan 100 and ip host 10.5.5.5']);
    const loose = pktfilter(['compile', '-dd', 'vlan 100 and ip host 10.5.5.5']);
    expect(strict.status).toBe(0);
    expect(strict.stdout).toBe(loose.stdout);
    expect(pktfilter(['compile', 'gre 42']).status).toBe(0);
    const vxlan = pktfilter(['compile', '--strict', 'vxlan']);
    expect(vxlan.status).toBe(1);
    expect(vxlan.stderr).toMatch(/'vxlan' is a pktfilter extension/);
  });

  it('filter --strict refuses extensions with the caret display and still filters libpcap expressions', () => {
    const capture = join(repositoryRoot, 'corpus/01-gre-overlay.pcap');
    const refused = pktfilter(['filter', '--strict', '--count', '-r', capture, 'vlan and gre']);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.split('\n').slice(0, 3)).toEqual([
      expect.stringMatching(/'gre' is a pktfilter extension/),
      '  vlan and gre',
      '           ^^^',
    ]);
    const stock = 'vlan and proto gre and ip[58:4] = 0x0a050505';
    const strict = pktfilter(['filter', '--strict', '--count', '-r', capture, stock]);
    expect(strict.status).toBe(0);
    expect(strict.stdout).toBe(pktfilter(['filter', '--count', '-r', capture, stock]).stdout);
    expect(Number(strict.stdout.trim())).toBeGreaterThan(0);
  });
});
