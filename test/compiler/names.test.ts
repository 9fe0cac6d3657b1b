/**
 * Names in expressions: host names through the caller's resolver, services, IP protocols and EtherTypes
 * through the filter language's tables; each compiles to exactly what the number or address would.
 */
import { describe, expect, it } from 'vitest';
import { CompileError, compileFilter } from '../../src/compiler/index.js';

const resolver = (name: string): { ipv4: string[]; ipv6: string[] } | undefined =>
  name === 'anchor' ? { ipv4: ['10.18.0.26'], ipv6: [] }
    : name === 'dual' ? { ipv4: ['10.5.5.5'], ipv6: ['2001:db8::5'] }
      : undefined;

describe('compiler names', () => {
  it('resolves host names through the resolver', () => {
    expect(compileFilter('host anchor', { resolver })).toEqual(compileFilter('host 10.18.0.26'));
    expect(compileFilter('src host anchor and udp', { resolver })).toEqual(compileFilter('src host 10.18.0.26 and udp'));
    expect(compileFilter('ip6 host dual', { resolver })).toEqual(compileFilter('ip6 host 2001:db8::5'));
    expect(compileFilter('host dual', { resolver })).toEqual(compileFilter('host 10.5.5.5 or ip6 host 2001:db8::5'));
  });

  it('refuses an unknown host name with a clear error', () => {
    expect(() => compileFilter('host nowhere', { resolver })).toThrow(CompileError);
    expect(() => compileFilter('host nowhere', { resolver })).toThrow(/nowhere/);
    expect(() => compileFilter('host anchor')).toThrow(/anchor/);
  });

  it('resolves services, protocols and EtherTypes like their numbers', () => {
    expect(compileFilter('tcp port http')).toEqual(compileFilter('tcp port 80'));
    expect(compileFilter('udp port domain')).toEqual(compileFilter('udp port 53'));
    expect(compileFilter('port domain')).toEqual(compileFilter('port 53'));
    expect(compileFilter('udp portrange bootps-bootpc')).toEqual(compileFilter('udp portrange 67-68'));
    expect(compileFilter('ip proto \\tcp')).toEqual(compileFilter('ip proto 6'));
    expect(compileFilter('proto \\gre')).toEqual(compileFilter('proto 47'));
    expect(compileFilter('ether proto \\arp')).toEqual(compileFilter('ether proto 0x806'));
    expect(compileFilter('ether proto \\stp')).toEqual(compileFilter('ether proto 0x42'));
    expect(compileFilter('ip6 protochain \\udp')).toEqual(compileFilter('ip6 protochain 17'));
  });

  it('refuses a name that is not known', () => {
    expect(() => compileFilter('port nosuchservice')).toThrow(CompileError);
    expect(() => compileFilter('ip proto \\nosuchproto')).toThrow(CompileError);
  });
});
