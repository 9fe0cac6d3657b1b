/** Network names (`net NAME`) through a NetworkResolver, and the /etc/networks reader. */
import { describe, expect, it } from 'vitest';
import { FilterError, networksFileResolver, parseFilter } from '../../src/filter/index.js';

const networks = networksFileResolver([
  '# networks(5)',
  'default\t0.0.0.0',
  'loopback 127.0.0.0   # one address',
  'corp 10 corpnet',
  'lab 192.168.7',
  'broken 300.1',
].join('\n'));

function reason(text: string, options: Parameters<typeof parseFilter>[1] = { networkResolver: networks }): string {
  try { parseFilter(text, options); } catch (error) { if (error instanceof FilterError) return error.reason; throw error; }
  return 'accepted';
}

describe('networksFileResolver', () => {
  it('reads names and aliases, right-aligned as inet_network gives them, skipping bad numbers', () => {
    expect(networks('loopback')).toBe(0x7f000000);
    expect(networks('corp')).toBe(10);
    expect(networks('corpnet')).toBe(10);
    expect(networks('lab')).toBe(0xc0a807);
    expect(networks('default')).toBe(0);
    expect(networks('broken')).toBeUndefined();
    expect(networks('one')).toBeUndefined();
  });
});

describe('net NAME', () => {
  it('records the resolved network on the operand', () => {
    expect(parseFilter('src net corp', { networkResolver: networks })).toMatchObject({ type: 'net', dir: 'src', id: { kind: 'name', name: 'corp', network: 10 } });
    expect(parseFilter('decnet net lab', { networkResolver: networks })).toMatchObject({ proto: 'decnet', id: { network: 0xc0a807 } });
  });

  it('refuses unknown names, network 0, and the qualifiers libpcap refuses, naming the operand', () => {
    expect(reason('net nowhere')).toBe("unknown network 'nowhere'");
    expect(reason('net default')).toBe("unknown network 'default'");
    expect(reason('net loopback', {})).toMatch(/^unknown network 'loopback' \(no network resolver given/);
    expect(reason('ip6 net corp')).toBe("'ip6' modifier applied to ip host");
    expect(reason('tcp net corp')).toBe("'tcp' modifier applied to net");
    expect(reason('ether net corp')).toBe('link-layer modifier applied to net');
    for (const ok of ['net corp', 'ip net corp', 'arp src net lab', 'rarp dst net loopback', 'net corp or lab', 'decnet net corp']) expect(reason(ok), ok).toBe('accepted');
  });
});

describe('deferLinkRangeChecks', () => {
  it('leaves vlan and mpls ranges to the compiler only when asked, never the other encapsulations', () => {
    expect(reason('vlan 4096', {})).toBe('VLAN tag 4096 greater than maximum 4095');
    expect(reason('mpls 1048576', {})).toBe('MPLS label 1048576 greater than maximum 1048575');
    expect(parseFilter('vlan 4096', { deferLinkRangeChecks: true })).toMatchObject({ kind: 'vlan', value: 4096 });
    expect(parseFilter('mpls 1048576', { deferLinkRangeChecks: true })).toMatchObject({ kind: 'mpls', value: 1048576 });
    expect(reason('pppoes 65536', { deferLinkRangeChecks: true })).toBe('PPPoE session number 65536 greater than maximum 65535');
  });
});
