/**
 * The built-in name tables against libpcap 1.10.3: for every name we know, libpcap must compile the
 * filter written with the name to the same program as the filter written with our number; and a few
 * names we do not know must be refused by libpcap too.
 */
import { describe, expect, it } from 'vitest';
import {
  etherTypeNames, ipProtocolNames, lookupEtherType, lookupIpProtocol, lookupLlcSap, lookupService, parseFilter,
  resolveServiceName, serviceNames,
} from '../../../src/filter/index.js';
import { describeWithOracle } from '../../support/oracle.js';
import { libpcapAvailable, libpcapCompile, toCommaForm } from '../../support/libpcap.js';

/** Compiles pairs with libpcap (one batch) and lists the pairs whose programs differ or fail. */
function comparePairs(pairs: readonly [string, string][]): string[] {
  const results = libpcapCompile(pairs.flat(), { linkType: 1, optimize: false });
  const failures: string[] = [];
  pairs.forEach(([named, numbered], index) => {
    const a = results[2 * index]!;
    const b = results[2 * index + 1]!;
    if (!a.ok) failures.push(`${named}: libpcap refuses: ${a.error}`);
    else if (!b.ok) failures.push(`${numbered}: libpcap refuses: ${b.error}`);
    else if (toCommaForm(a.program) !== toCommaForm(b.program)) failures.push(`${named} is not ${numbered}`);
  });
  return failures;
}

describe('name tables', () => {
  it('knows the common names with their registered numbers', () => {
    expect(lookupService('http', 'tcp')).toBe(80);
    expect(lookupService('domain', 'udp')).toBe(53);
    expect(lookupService('tftp', 'tcp')).toBeUndefined();
    expect(lookupService('nosuchservice', 'tcp')).toBeUndefined();
    expect(resolveServiceName('http')).toEqual({ port: 80, onlyFor: 'tcp' });
    expect(resolveServiceName('domain')).toEqual({ port: 53 });
    expect(lookupIpProtocol('tcp')).toBe(6);
    expect(lookupIpProtocol('gre')).toBe(47);
    expect(lookupIpProtocol('ipv6-icmp')).toBe(58);
    expect(lookupEtherType('ip')).toBe(0x0800);
    expect(lookupEtherType('ip6')).toBe(0x86dd);
    expect(lookupEtherType('stp')).toBe(lookupLlcSap('stp'));
    expect(lookupEtherType('ipv6')).toBeUndefined();
  });

  it('lets the parser refuse what the tables do not know', () => {
    expect(() => parseFilter('port nosuchservice')).toThrow(/unknown port 'nosuchservice'/);
    expect(() => parseFilter('ip proto \\nosuchproto')).toThrow(/unknown ip proto/);
    expect(() => parseFilter('ether proto \\nosuchproto')).toThrow(/unknown ether proto/);
  });
});

describeWithOracle('name tables against libpcap 1.10.3', libpcapAvailable(), 'gcc and libpcap-dev (libpcap-helper)', () => {
  it('every service name means what libpcap makes of it, per protocol and without one', () => {
    const pairs: [string, string][] = [];
    for (const name of serviceNames()) {
      for (const proto of ['tcp', 'udp'] as const) {
        const port = lookupService(name, proto);
        if (port !== undefined) pairs.push([`${proto} port \\${name}`, `${proto} port ${port}`]);
      }
      const resolved = resolveServiceName(name);
      if (resolved) pairs.push([`port \\${name}`, `${resolved.onlyFor ? `${resolved.onlyFor} ` : ''}port ${resolved.port}`]);
    }
    expect(pairs.length).toBeGreaterThan(300);
    expect(comparePairs(pairs)).toEqual([]);
  });

  it('every IP protocol name means what libpcap makes of it', () => {
    const pairs = ipProtocolNames().map((name): [string, string] => [`ip proto \\${name}`, `ip proto ${lookupIpProtocol(name)}`]);
    expect(comparePairs(pairs)).toEqual([]);
  });

  it('every EtherType and LLC name means what libpcap makes of it', () => {
    const pairs = etherTypeNames().map((name): [string, string] => [`ether proto \\${name}`, `ether proto ${lookupEtherType(name)}`]);
    expect(comparePairs(pairs)).toEqual([]);
  });

  it('libpcap refuses the names we refuse', () => {
    const unknown = ['port nosuchservice', 'ip proto \\nosuchproto', 'ether proto \\ipv6', 'ether proto \\tcp', 'tcp port tftp', 'udp port http'];
    for (const text of unknown) expect(() => parseFilter(text), text).toThrow();
    const results = libpcapCompile(unknown, { linkType: 1 });
    expect(results.map((r) => r.ok)).toEqual(unknown.map(() => false));
  });
});
