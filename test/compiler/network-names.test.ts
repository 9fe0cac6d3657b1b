/** `net NAME` compiled from a resolved network name, against the numeric form and against libpcap reading /etc/networks. */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LinkType } from '../../src/capture/linktype.js';
import { compileFilter, CompileError } from '../../src/compiler/index.js';
import { networksFileResolver, parseFilter } from '../../src/filter/index.js';
import { libpcapAvailable, libpcapCompile } from '../support/libpcap.js';
import { describeWithOracle } from '../support/oracle.js';

const compileWithNetworks = (text: string, networksText: string, linkType: number = LinkType.EN10MB) =>
  compileFilter(parseFilter(text, { networkResolver: networksFileResolver(networksText) }), { linkType });

describe('net NAME', () => {
  it('compiles like the network number the name stands for', () => {
    const table = 'corp 10\nlab 192.168.7\nhostnet 10.1.2.3\n';
    expect(compileWithNetworks('net corp', table)).toEqual(compileFilter('net 10'));
    expect(compileWithNetworks('src net lab', table)).toEqual(compileFilter('src net 192.168.7'));
    expect(compileWithNetworks('ip dst net hostnet', table)).toEqual(compileFilter('ip dst net 10.1.2.3'));
    expect(compileWithNetworks('net corp', table, LinkType.LINUX_SLL2)).toEqual(compileFilter('net 10', { linkType: LinkType.LINUX_SLL2 }));
  });

  it('refuses a tree whose network name was never resolved', () => {
    const tree = parseFilter('net 10');
    const unresolved = { ...tree, id: { kind: 'name' as const, name: 'corp', escaped: false, text: 'corp', span: { start: 4, end: 8 } } };
    expect(() => compileFilter(unresolved)).toThrow(CompileError);
    expect(() => compileFilter(unresolved)).toThrow(/unknown network 'corp'/);
  });
});

const systemNetworks = existsSync('/etc/networks') ? readFileSync('/etc/networks', 'utf8') : '';
const systemNames = systemNetworks.split('\n').map((l) => l.replace(/#.*/, '').trim().split(/\s+/)[0]).filter((n): n is string => !!n);

describeWithOracle('net NAME against libpcap 1.10.3 (both read /etc/networks)', libpcapAvailable() && systemNames.length > 0, 'gcc, libpcap-dev and /etc/networks', () => {
  it('accepts and refuses the same expressions, compiling accepted ones to the same instructions', () => {
    const heads = ['net', 'src net', 'ip net', 'arp dst net', 'rarp net', 'decnet net', 'decnet src net', 'ip6 net', 'tcp net', 'ether net'];
    const expressions = systemNames.flatMap((name) => heads.map((head) => `${head} ${name}`));
    const resolver = networksFileResolver(systemNetworks);
    for (const linkType of [LinkType.EN10MB, LinkType.LINUX_SLL, LinkType.RAW]) {
      const theirs = libpcapCompile(expressions, { linkType });
      expect(theirs).toHaveLength(expressions.length);
      expressions.forEach((expression, i) => {
        const result = theirs[i]!;
        let mine: ReturnType<typeof compileFilter> | string;
        try { mine = compileFilter(parseFilter(expression, { networkResolver: resolver }), { linkType }); } catch (error) { mine = (error as Error).message; }
        if (!result.ok) { expect(typeof mine, `${expression} on ${linkType}: libpcap refuses (${result.error})`).toBe('string'); return; }
        expect(typeof mine, `${expression} on ${linkType}: we refuse (${String(mine)})`).not.toBe('string');
        const shape = (program: readonly { code: number; k: number }[]): string[] => program.map((x) => `${x.code}:${x.k}`).sort();
        if (typeof mine !== 'string') expect(shape(mine).length, expression).toBeLessThanOrEqual(result.program.length);
        if (typeof mine !== 'string' && mine.length === result.program.length) expect(shape(mine), expression).toEqual(shape(result.program));
      });
    }
  });
});

describeWithOracle('vlan/mpls range refusals in libpcap\'s order', libpcapAvailable(), 'gcc and libpcap-dev', () => {
  it('names the link type before the range when the tree is parsed with deferLinkRangeChecks', () => {
    const expressions = ['vlan 4096', 'mpls 1048576', 'vlan 5000 or tcp'];
    for (const linkType of [LinkType.EN10MB, LinkType.RAW, LinkType.LINUX_SLL, LinkType.NULL]) {
      const theirs = libpcapCompile(expressions, { linkType });
      expressions.forEach((expression, i) => {
        const result = theirs[i]!;
        expect(result.ok).toBe(false);
        expect(() => compileFilter(parseFilter(expression, { deferLinkRangeChecks: true }), { linkType }), `${expression} on ${linkType}`)
          .toThrow(result.ok ? 'accepted' : result.error);
      });
    }
  });
});
