/**
 * The offsets of /work/shared/SCENARIOS.md, checked rather than trusted: the field table names the
 * expression, and real libpcap agrees that the scenario filters read those fields.
 */
import { describe, expect, it } from 'vitest';
import { LinkType } from '../../src/capture/linktype.js';
import { buildPacket } from '../../src/packet/build/index.js';
import type { BuildLayerSpec } from '../../src/packet/build/index.js';
import { packetFieldOffsets } from '../../src/packet/index.js';
import type { PacketField } from '../../src/packet/index.js';
import { libpcapAvailable, libpcapCompile, libpcapRun } from '../support/libpcap.js';
import { describeWithOracle } from '../support/oracle.js';

/** The field `name` of the `occurrence`-th layer that has it. */
function field(fields: readonly PacketField[], name: string, occurrence = 0): PacketField {
  const found = fields.filter((f) => f.name === name)[occurrence];
  if (!found) throw new Error(`no field ${name} #${occurrence}`);
  return found;
}

// §1: Ethernet / 802.1Q / IPv4 (GRE, DF) / GRE with key, 0x6558 / inner Ethernet / IPv4 10.5.5.5 -> 10.6.6.6 / ICMP echo.
const greInner: BuildLayerSpec[] = [
  { type: 'gre', keyPresent: true, key: 0x1234 },
  { type: 'ethernet' },
  { type: 'ipv4', source: '10.5.5.5', destination: '10.6.6.6', dontFragment: true },
  { type: 'icmp' },
];
const tagged = buildPacket([{ type: 'ethernet' }, { type: 'vlan', vlanId: 10 }, { type: 'ipv4', dontFragment: true }, ...greInner]);
const untagged = buildPacket([{ type: 'ethernet' }, { type: 'ipv4', dontFragment: true }, ...greInner]);

describe('SCENARIOS.md offsets', () => {
  it('§1: the inner source of GRE-with-key carrying Ethernet is ip[54:4], the destination ip[58:4] (20 + 8 + 14 + 12)', () => {
    const fields = packetFieldOffsets(tagged);
    const innerSource = field(fields, 'ipv4.source', 1);
    expect(innerSource.value).toBe('10.5.5.5');
    expect(innerSource.expression).toBe('ip[54:4]');
    expect(innerSource.anchor.prerequisites).toEqual(['vlan']);
    expect(innerSource.filter).toBe('vlan and ip[54:4] = 0xa050505');
    expect(field(fields, 'ipv4.destination', 1).expression).toBe('ip[58:4]');
    // Offsets relative to every enclosing layer: ethernet, vlan, outer ip, gre, inner ethernet, inner ip.
    expect(innerSource.relativeOffsets).toEqual([72, 58, 54, 34, 26, 12]);
    expect(field(fields, 'ipv4.dontFragment').expression).toBe('(ip[6] & 0x40) >> 6');
    expect(field(fields, 'ipv4.fragOffset').expression).toBe('(ip[6:2] & 0x1fff)');
    expect(field(fields, 'gre.keyPresent').value).toBe(true);
    expect(field(fields, 'gre.key').expression).toBe('ip[24:4]');
  });

  it('§1: ICMP right over the first IPv4 is addressed as icmp[]', () => {
    const fields = packetFieldOffsets(buildPacket([{ type: 'ethernet' }, { type: 'ipv4' }, { type: 'icmp', icmpType: 3, code: 4, restOfHeader: 1400 }, { type: 'ipv4' }, { type: 'tcp' }]));
    expect(field(fields, 'icmp.type').expression).toBe('icmp[0]');
    expect(field(fields, 'icmp.code').filter).toBe('icmp[1] = 0x4');
    // The quoted header is only addressable relative to the ICMP header.
    expect(field(fields, 'ipv4.source', 1).expression).toBe('icmp[20:4]');
  });

  it('§2: the VRRP virtual MAC is ether[6:4] and ether[10:2]; a 2-byte UDP payload makes udp[4:2] = 10', () => {
    const fields = packetFieldOffsets(buildPacket([{ type: 'ethernet', source: '00:00:5e:00:01:6e' }, { type: 'ipv4', destination: '10.18.0.5' }, { type: 'udp', destinationPort: 1234 }, { type: 'payload', data: new Uint8Array([1, 2]) }]));
    const source = field(fields, 'ethernet.source');
    expect([source.offset, source.size, source.expression]).toEqual([6, 6, 'ether[6:4] ether[10:2]']);
    expect(source.filter).toBe('ether[6:4] = 0x5e00 and ether[10:2] = 0x16e');
    expect(field(fields, 'udp.length')).toMatchObject({ value: 10, expression: 'udp[4:2]' });
  });

  it('§3, §4, §5: arp[6:2] is the ARP operation, udp[8] the first payload byte, tcp[12:2] & 0xfff the flags and tcp[14:2] the window', () => {
    expect(field(packetFieldOffsets(buildPacket([{ type: 'ethernet' }, { type: 'arp', operation: 2 }])), 'arp.operation')).toMatchObject({ value: 2, expression: 'arp[6:2]' });
    const dhcp = packetFieldOffsets(buildPacket([{ type: 'ethernet' }, { type: 'ipv4' }, { type: 'udp', sourcePort: 67, destinationPort: 68 }, { type: 'payload', data: new Uint8Array([2, 1, 6, 0]) }]));
    expect(field(dhcp, 'payload.data').expression).toBe('udp[8:4]');
    const tcp = packetFieldOffsets(buildPacket([{ type: 'ethernet' }, { type: 'ipv4' }, { type: 'tcp', flags: 0x12, window: 0 }]));
    expect(field(tcp, 'tcp.flags')).toMatchObject({ value: 0x12, expression: '(tcp[12:2] & 0xfff)' });
    expect(field(tcp, 'tcp.window')).toMatchObject({ value: 0, expression: 'tcp[14:2]' });
  });

  it('§6: on a raw-IP link, the protocol of a GRE without options is ip[22:2]', () => {
    const fields = packetFieldOffsets(buildPacket([{ type: 'ipv4' }, { type: 'gre' }, { type: 'ipv4' }, { type: 'tcp', flags: 0x02, destinationPort: 443 }]), LinkType.RAW);
    expect(field(fields, 'gre.protocolType')).toMatchObject({ value: 0x0800, expression: 'ip[22:2]' });
  });
});

describeWithOracle('SCENARIOS.md filters in libpcap', libpcapAvailable(), 'gcc with libpcap-dev', () => {
  it('§1: the inner-address filter matches the tagged frame only with `vlan and`, and the untagged frame as written', () => {
    const filters = [
      'vlan and proto gre and (ip[54:4] = 0x0a050505 or ip[58:4] = 0x0a050505)',
      'proto gre and (ip[54:4] = 0x0a050505 or ip[58:4] = 0x0a050505)',
      'vlan and proto gre',
      'vlan and ip[6] & 0x40 != 0',
      // The guesses the scenario warns about read the wrong bytes.
      'vlan and proto gre and (ip[58:4] = 0x0a050505 or ip[62:4] = 0x0a050505)',
    ];
    const programs = libpcapCompile(filters, { linkType: LinkType.EN10MB }).map((r) => { if (!r.ok) throw new Error(r.error); return r.program; });
    const results = libpcapRun(programs, [{ data: tagged }, { data: untagged }]);
    expect(results).toEqual([[262144, 0], [0, 262144], [262144, 0], [262144, 0], [0, 0]]);
  });
});
