/**
 * `gateway NAME` (libpcap's meaning without INET6: `ether host MAC and not host IP...`), checked against
 * libpcap compiling that spelled-out expression, over packets aimed at the gateway's MAC and addresses.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createInterpreter } from '../../src/bpf/interpreter.js';
import { LinkType } from '../../src/capture/linktype.js';
import { compileFilter } from '../../src/compiler/index.js';
import type { HostResolver } from '../../src/filter/index.js';
import { buildPacket } from '../../src/packet/build/index.js';
import { libpcapAvailable, libpcapCompile, libpcapRun } from '../support/libpcap.js';
import { describeWithOracle } from '../support/oracle.js';

const GATEWAY_MAC = '02:00:00:00:00:99';
const resolver: HostResolver = (name) => {
  if (name === 'gw') return { ipv4: ['10.0.0.1', '10.0.0.2'], ipv6: ['2001:db8::1'], mac: [GATEWAY_MAC] };
  if (name === 'nomac') return { ipv4: ['10.0.0.3'], ipv6: [] };
  return undefined;
};

/** Ethernet frames (some VLAN-tagged) with the gateway's MAC or another on each side, carrying IPv4 or ARP with the gateway's addresses or others. */
function gatewayPackets(): Uint8Array[] {
  const mac = fc.constantFrom(GATEWAY_MAC, '02:00:00:00:00:01', 'ff:ff:ff:ff:ff:ff');
  const ip = fc.constantFrom('10.0.0.1', '10.0.0.2', '10.0.0.3', '192.0.2.7');
  const frame = fc.tuple(mac, mac, ip, ip, fc.boolean(), fc.boolean()).map(([destination, source, sourceIp, destinationIp, arp, tagged]) => buildPacket([
    { type: 'ethernet', destination, source },
    ...(tagged ? [{ type: 'vlan' as const, vlanId: 5 }] : []),
    arp
      ? { type: 'arp', senderProtocolAddress: sourceIp, targetProtocolAddress: destinationIp }
      : { type: 'ipv4', source: sourceIp, destination: destinationIp },
    ...(arp ? [] : [{ type: 'udp' as const, sourcePort: 53, destinationPort: 53 }]),
  ]));
  return fc.sample(frame, { numRuns: 300, seed: 42 });
}

describe('gateway NAME', () => {
  it('is refused with a clear message without a MAC, off Ethernet, with a bad qualifier, and in strict mode', () => {
    expect(() => compileFilter('gateway nomac', { resolver })).toThrow(/'gateway' needs both an Ethernet and an IPv4 address for 'nomac'/);
    expect(() => compileFilter('gateway gw', { resolver, linkType: LinkType.LINUX_SLL })).toThrow(/'gateway' supported only on ethernet/);
    expect(() => compileFilter('gateway gw', { resolver, linkType: LinkType.RAW })).toThrow(/'gateway' supported only on ethernet/);
    expect(() => compileFilter('tcp gateway gw', { resolver })).toThrow(/illegal modifier of 'gateway'/);
    expect(() => compileFilter('gateway gw', { resolver, strict: true })).toThrow(/'gateway' not supported in this configuration/);
  });

  it('accepts frames through the gateway MAC whose IPv4/ARP addresses are not the gateway\'s', () => {
    const run = createInterpreter(compileFilter('gateway gw', { resolver }));
    const through = buildPacket([{ type: 'ethernet', destination: GATEWAY_MAC, source: '02:00:00:00:00:01' }, { type: 'ipv4', source: '192.0.2.7', destination: '198.51.100.1' }, { type: 'udp', sourcePort: 1, destinationPort: 2 }]);
    const toGateway = buildPacket([{ type: 'ethernet', destination: GATEWAY_MAC, source: '02:00:00:00:00:01' }, { type: 'ipv4', source: '192.0.2.7', destination: '10.0.0.2' }, { type: 'udp', sourcePort: 1, destinationPort: 2 }]);
    const elsewhere = buildPacket([{ type: 'ethernet', destination: '02:00:00:00:00:02', source: '02:00:00:00:00:01' }, { type: 'ipv4', source: '192.0.2.7', destination: '198.51.100.1' }, { type: 'udp', sourcePort: 1, destinationPort: 2 }]);
    expect(run(through, through.length, through.length)).not.toBe(0);
    expect(run(toGateway, toGateway.length, toGateway.length)).toBe(0);
    expect(run(elsewhere, elsewhere.length, elsewhere.length)).toBe(0);
  });
});

describeWithOracle('gateway NAME against libpcap 1.10.3 (spelled out)', libpcapAvailable(), 'gcc and libpcap-dev', () => {
  it('gives the verdicts of libpcap\'s `ether host MAC and not (host A or host B)`, and is no longer', () => {
    const pairs: [string, string][] = [
      ['gateway gw', `ether host ${GATEWAY_MAC} and not (host 10.0.0.1 or host 10.0.0.2)`],
      ['ip gateway gw', `ether host ${GATEWAY_MAC} and not (ip host 10.0.0.1 or ip host 10.0.0.2)`],
      ['arp gateway gw', `ether host ${GATEWAY_MAC} and not (arp host 10.0.0.1 or arp host 10.0.0.2)`],
      ['vlan and gateway gw', `vlan and ether host ${GATEWAY_MAC} and not (host 10.0.0.1 or host 10.0.0.2)`],
    ];
    const packets = gatewayPackets().map((data) => ({ data, wireLength: data.length }));
    const theirs = libpcapCompile(pairs.map(([, spelled]) => spelled), { linkType: LinkType.EN10MB });
    const programs = theirs.map((r) => { if (!r.ok) throw new Error(r.error); return r.program; });
    const verdicts = libpcapRun(programs, packets, LinkType.EN10MB);
    pairs.forEach(([expression], i) => {
      const program = compileFilter(expression, { resolver });
      expect(program.length, expression).toBeLessThanOrEqual(programs[i]!.length);
      const run = createInterpreter(program);
      expect(packets.map((p) => run(p.data, p.data.length, p.wireLength) !== 0), expression).toEqual(verdicts[i]!.map((v) => v !== 0));
      expect(verdicts[i]!.some((v) => v !== 0) && verdicts[i]!.some((v) => v === 0), `${expression} splits the packets`).toBe(true);
    });
  });
});
