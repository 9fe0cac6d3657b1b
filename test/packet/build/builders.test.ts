/**
 * The builders on their own: lengths, type numbers and checksums they fill in (checked against the
 * RFC layouts by reading the bytes), fields given always win, address text round-trips, and bad
 * input fails with a PacketBuildError naming the layer and the field.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryGeneve, arbitraryGre, arbitraryIpv4, arbitraryIpv6Extension, arbitraryPacket, arbitraryTcp } from '../../../src/packet/arbitrary/index.js';
import { buildIpv4Fragments, buildPacket, buildPacketLayers, encodeGreHeader, greHeaderLength, internetChecksumOf, PacketBuildError, standaloneLayerContext } from '../../../src/packet/build/index.js';
import type { BuildLayerSpec } from '../../../src/packet/build/index.js';
import { formatIpv6Address, parseIpv4Address, parseIpv6Address } from '../../../src/packet/build/bytes.js';

const u16 = (data: Uint8Array, offset: number): number => (data[offset]! << 8) | data[offset + 1]!;

/** RFC 1071 written the plain way: add every 16-bit word into a wide sum, fold the carries once at the end. */
function referenceChecksum(data: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < data.length; i += 2) sum += (data[i]! << 8) + (i + 1 < data.length ? data[i + 1]! : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

describe('checksums', () => {
  it('internetChecksumOf matches RFC 1071 over any bytes split anywhere, and verifies to zero once inserted', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: 200 }), (data, cut) => {
      const at = Math.min(cut, data.length);
      expect(internetChecksumOf([data.subarray(0, at), data.subarray(at)])).toBe(referenceChecksum(data));
      const even = new Uint8Array(data.length + (data.length % 2) + 2);
      even.set(data);
      const sum = referenceChecksum(even);
      even[even.length - 2] = sum >> 8;
      even[even.length - 1] = sum & 0xff;
      expect(referenceChecksum(even)).toBe(0);
    }));
  });

  it('the IPv4 header checksum of every built IPv4 header verifies', () => {
    fc.assert(fc.property(arbitraryIpv4(), (ip) => {
      const data = buildPacket([ip, { type: 'payload', data: Uint8Array.of(1, 2, 3) }]);
      expect(referenceChecksum(data.subarray(0, (data[0]! & 0x0f) * 4))).toBe(0);
    }));
  });
});

describe('lengths and offsets filled in', () => {
  it('GRE: 4 bytes plus 4 for each of C, K, S; the checksum (when C) covers header and payload', () => {
    fc.assert(fc.property(arbitraryGre(), fc.uint8Array({ maxLength: 40 }), (gre, inner) => {
      const { header } = encodeGreHeader(gre, standaloneLayerContext('gre', inner));
      const bits = (gre.checksumPresent ? 1 : 0) + (gre.keyPresent ? 1 : 0) + (gre.sequencePresent ? 1 : 0);
      expect(header.length).toBe(4 + 4 * bits);
      expect(greHeaderLength(!!gre.checksumPresent, !!gre.keyPresent, !!gre.sequencePresent)).toBe(header.length);
      expect(header[0]! & 0x80).toBe(gre.checksumPresent ? 0x80 : 0);
      expect(header[0]! & 0x20).toBe(gre.keyPresent ? 0x20 : 0);
      expect(header[0]! & 0x10).toBe(gre.sequencePresent ? 0x10 : 0);
      if (gre.keyPresent) expect(new DataView(header.buffer).getUint32(gre.checksumPresent ? 8 : 4)).toBe(gre.key);
      if (gre.checksumPresent) {
        const all = new Uint8Array(header.length + inner.length);
        all.set(header);
        all.set(inner, header.length);
        expect(referenceChecksum(all)).toBe(0);
      }
    }));
  });

  it('IPv4: ihl counts the options, total length the whole datagram; TCP: data offset counts the padded options', () => {
    fc.assert(fc.property(arbitraryIpv4({ fragments: false }), arbitraryTcp(), fc.uint8Array({ maxLength: 30 }), (ip, tcp, data) => {
      const built = buildPacket([ip, tcp, { type: 'payload', data }]);
      const ihl = built[0]! & 0x0f;
      expect(ihl * 4).toBe(20 + ip.options!.length);
      expect(u16(built, 2)).toBe(built.length);
      expect(built[9]).toBe(6);
      const tcpStart = ihl * 4;
      const dataOffset = built[tcpStart + 12]! >> 4;
      expect(built.length - tcpStart - dataOffset * 4).toBe(data.length);
      const optionBytes = tcp.options!.reduce((sum, o) => sum + (o.kind <= 1 ? 1 : 2 + o.data.length), 0);
      expect(dataOffset * 4).toBe(20 + Math.ceil(optionBytes / 4) * 4);
    }));
  });

  it('IPv6 payload length and extension header lengths: (len + 1) * 8, AH (len + 2) * 4', () => {
    fc.assert(fc.property(fc.array(arbitraryIpv6Extension(), { maxLength: 3 }), fc.uint8Array({ maxLength: 20 }), (extensions, data) => {
      const built = buildPacket([{ type: 'ipv6' }, ...extensions, { type: 'payload', data }]);
      expect(u16(built, 4)).toBe(built.length - 40);
      let offset = 40;
      let nextHeader = built[6]!;
      for (const extension of extensions) {
        expect(nextHeader).toBe(extension.headerType);
        const length = nextHeader === 51 ? (built[offset + 1]! + 2) * 4 : (built[offset + 1]! + 1) * 8;
        expect(length).toBe(2 + extension.body!.length);
        nextHeader = built[offset]!;
        offset += length;
      }
      expect(nextHeader).toBe(59);
      expect(built.length - offset).toBe(data.length);
    }));
  });

  it('Geneve: options length in 4-byte units, each option its own length, critical when an option type has its high bit', () => {
    fc.assert(fc.property(arbitraryGeneve(), (geneve) => {
      const built = buildPacket([geneve, { type: 'ethernet' }]);
      const optionBytes = geneve.options!.reduce((sum, o) => sum + 4 + o.data.length, 0);
      expect((built[0]! & 0x3f) * 4).toBe(optionBytes);
      expect(u16(built, 2)).toBe(0x6558);
      expect((built[1]! & 0x40) !== 0).toBe(geneve.options!.some((o) => (o.type & 0x80) !== 0));
      let offset = 8;
      for (const option of geneve.options!) { expect((built[offset + 3]! & 0x1f) * 4).toBe(option.data.length); offset += 4 + option.data.length; }
      expect(built.length).toBe(8 + optionBytes + 14);
    }));
  });

  it('fills type numbers from the next layer: EtherTypes, 802.3 length before LLC, IP protocols, PPP protocol, tunnel ports', () => {
    const etherTypeBefore = (next: BuildLayerSpec[]): number => u16(buildPacket([{ type: 'ethernet' }, ...next]), 12);
    expect(etherTypeBefore([{ type: 'ipv4' }])).toBe(0x0800);
    expect(etherTypeBefore([{ type: 'ipv6' }])).toBe(0x86dd);
    expect(etherTypeBefore([{ type: 'arp' }])).toBe(0x0806);
    expect(etherTypeBefore([{ type: 'arp', operation: 3 }])).toBe(0x8035);
    expect(etherTypeBefore([{ type: 'mpls' }, { type: 'ipv4' }])).toBe(0x8847);
    expect(etherTypeBefore([{ type: 'pppoe' }, { type: 'ipv4' }])).toBe(0x8864);
    expect(etherTypeBefore([{ type: 'pppoe', code: 0x09 }])).toBe(0x8863);
    for (const tpid of [0x8100, 0x88a8, 0x9100]) expect(etherTypeBefore([{ type: 'vlan', tpid }, { type: 'ipv4' }])).toBe(tpid);
    expect(etherTypeBefore([{ type: 'llc' }, { type: 'payload', data: new Uint8Array(10) }])).toBe(3 + 10);
    const qinq = buildPacket([{ type: 'ethernet' }, { type: 'vlan', tpid: 0x88a8 }, { type: 'vlan' }, { type: 'ipv6' }]);
    expect([u16(qinq, 12), u16(qinq, 16), u16(qinq, 20)]).toEqual([0x88a8, 0x8100, 0x86dd]);
    const protocolBefore = (next: BuildLayerSpec): number => buildPacket([{ type: 'ipv4' }, next])[9]!;
    expect([protocolBefore({ type: 'icmp' }), protocolBefore({ type: 'tcp' }), protocolBefore({ type: 'udp' }), protocolBefore({ type: 'gre' }), protocolBefore({ type: 'ipv4' }), protocolBefore({ type: 'ipv6' })]).toEqual([1, 6, 17, 47, 4, 41]);
    const pppoe = buildPacket([{ type: 'pppoe' }, { type: 'ipv6' }]);
    expect(u16(pppoe, 6)).toBe(0x0057);
    expect(u16(pppoe, 4)).toBe(2 + 40);
    expect(u16(buildPacket([{ type: 'udp' }, { type: 'vxlan' }]), 2)).toBe(4789);
    expect(u16(buildPacket([{ type: 'udp' }, { type: 'geneve' }]), 2)).toBe(6081);
    expect(u16(buildPacket([{ type: 'gre' }, { type: 'ethernet' }]), 2)).toBe(0x6558);
    expect(u16(buildPacket([{ type: 'gre' }, { type: 'ipv6' }]), 2)).toBe(0x86dd);
    const mpls = buildPacket([{ type: 'mpls' }, { type: 'mpls' }, { type: 'ipv4' }]);
    expect([mpls[2]! & 1, mpls[6]! & 1]).toEqual([0, 1]);
    expect(new DataView(buildPacket([{ type: 'null' }, { type: 'ipv6' }]).buffer).getUint32(0, true)).toBe(24);
    expect(new DataView(buildPacket([{ type: 'loop' }, { type: 'ipv4' }]).buffer).getUint32(0, false)).toBe(2);
    expect(u16(buildPacket([{ type: 'linuxSll' }, { type: 'arp' }]), 14)).toBe(0x0806);
    expect(u16(buildPacket([{ type: 'linuxSll2' }, { type: 'ipv6' }]), 0)).toBe(0x86dd);
  });

  it('an ICMP error quotes the packet that follows it; the checksum covers the quote', () => {
    const built = buildPacketLayers([{ type: 'ipv4' }, { type: 'icmp', icmpType: 3, code: 4, restOfHeader: 1500 }, { type: 'ipv4', protocol: 17, totalLength: 1400 }, { type: 'payload', data: new Uint8Array(8) }]);
    const icmp = built.data.subarray(20);
    expect(icmp.length).toBe(8 + 20 + 8);
    expect(referenceChecksum(icmp)).toBe(0);
    expect(u16(icmp, 6)).toBe(1500);
    expect(u16(icmp, 8 + 2)).toBe(1400);
  });
});

describe('IPv4 fragmentation', () => {
  it('cuts a datagram into fragments that fit the MTU and put the payload back together', () => {
    fc.assert(fc.property(arbitraryIpv4({ fragments: false }), arbitraryTcp(), fc.uint8Array({ minLength: 0, maxLength: 600 }), fc.integer({ min: 68, max: 700 }), (ip, tcp, data, mtu) => {
      const stack: BuildLayerSpec[] = [{ type: 'ethernet' }, { ...ip, dontFragment: false }, tcp, { type: 'payload', data }];
      const whole = buildPacket(stack);
      const fragments = buildIpv4Fragments(stack, { mtu });
      const wholeIhl = (whole[14]! & 0x0f) * 4;
      if (whole.length - 14 <= mtu) { expect(fragments).toHaveLength(1); expect(fragments[0]!.data).toEqual(whole); return; }
      let expectedOffset = 0;
      const pieces: Uint8Array[] = [];
      fragments.forEach((f, i) => {
        const ipBytes = f.data.subarray(14);
        const ihl = (ipBytes[0]! & 0x0f) * 4;
        expect(u16(ipBytes, 2)).toBe(ipBytes.length);
        expect(ipBytes.length).toBeLessThanOrEqual(mtu);
        expect(referenceChecksum(ipBytes.subarray(0, ihl))).toBe(0);
        expect(u16(ipBytes, 4)).toBe(u16(whole, 14 + 4));
        expect(ipBytes[9]).toBe(6);
        const flags = u16(ipBytes, 6);
        expect((flags & 0x1fff) * 8).toBe(expectedOffset);
        expect((flags & 0x2000) !== 0).toBe(i < fragments.length - 1);
        if (i < fragments.length - 1) expect((ipBytes.length - ihl) % 8).toBe(0);
        if (i === 0) expect(ihl).toBe(wholeIhl);
        pieces.push(ipBytes.subarray(ihl));
        expectedOffset += ipBytes.length - ihl;
      });
      expect(Buffer.concat(pieces).equals(Buffer.from(whole.subarray(14 + wholeIhl)))).toBe(true);
    }), { numRuns: 200 });
  });

  it('refuses to fragment a DF datagram or to use an MTU without room for 8 bytes', () => {
    const big: BuildLayerSpec[] = [{ type: 'ipv4', dontFragment: true }, { type: 'payload', data: new Uint8Array(100) }];
    expect(() => buildIpv4Fragments(big, { mtu: 68 })).toThrow(PacketBuildError);
    expect(() => buildIpv4Fragments([{ type: 'ipv4' }, { type: 'payload', data: new Uint8Array(100) }], { mtu: 27 })).toThrow(/mtu 27/);
    expect(() => buildIpv4Fragments([{ type: 'ethernet' }, { type: 'arp' }], { mtu: 1500 })).toThrow(/not an IPv4 header/);
  });
});

describe('fields given always win', () => {
  it('every field of every spec appears unchanged in the built layer (addresses in canonical form)', () => {
    fc.assert(fc.property(arbitraryPacket({ mutations: ['none', 'corrupted'] }), (p) => {
      p.specs.forEach((spec, i) => {
        const built = p.stack[i] as Record<string, unknown>;
        for (const [key, value] of Object.entries(spec)) {
          if (value === undefined) continue;
          if (key === 'options' && spec.type === 'tcp') continue; // EOL padding may follow the options given
          const got = built[key];
          if (typeof value === 'string' && value.includes(':') && parseIpv6Address(value)) expect(got).toBe(formatIpv6Address(parseIpv6Address(value)!));
          else expect(got, `${spec.type}.${key}`).toEqual(value);
        }
      });
    }), { numRuns: 200 });
  });
});

describe('address text', () => {
  it('IPv6 formatting is RFC 5952 canonical (as WHATWG URL hosts print it) and parses back', () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 }), (words) => {
      const bytes = new Uint8Array(16);
      words.forEach((w, i) => { bytes[2 * i] = w >> 8; bytes[2 * i + 1] = w & 0xff; });
      const text = formatIpv6Address(bytes);
      expect(parseIpv6Address(text)).toEqual(bytes);
      const mapped = words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff;
      if (!mapped) expect(text).toBe(new URL(`http://[${words.map((w) => w.toString(16)).join(':')}]/`).hostname.slice(1, -1));
    }));
  });

  it('rejects malformed addresses', () => {
    for (const bad of ['1.2.3', '256.1.1.1', '1.2.3.4.5', 'a.b.c.d', '']) expect(parseIpv4Address(bad)).toBeUndefined();
    for (const bad of ['1::2::3', '12345::', ':::', '1:2:3:4:5:6:7:8:9', 'g::1', '1:2:3:4:5:6:7']) expect(parseIpv6Address(bad)).toBeUndefined();
  });
});

describe('bad input', () => {
  const failure = (stack: unknown): PacketBuildError => {
    try { buildPacket(stack as BuildLayerSpec[]); } catch (error) { expect(error).toBeInstanceOf(PacketBuildError); return error as PacketBuildError; }
    throw new Error('no error thrown');
  };

  it('names the layer and the field of a value that does not fit', () => {
    const cases: [BuildLayerSpec[], number, string][] = [
      [[{ type: 'ethernet', source: 'zz:00:00:00:00:00' }], 0, 'source'],
      [[{ type: 'ethernet' }, { type: 'ipv4', ttl: 256 }], 1, 'ttl'],
      [[{ type: 'ethernet' }, { type: 'vlan', vlanId: 4096 }], 1, 'vlanId'],
      [[{ type: 'ipv4', destination: '10.0.0.256' }], 0, 'destination'],
      [[{ type: 'ipv6', source: '2001:db8:acme::1' }], 0, 'source'],
      [[{ type: 'ipv4', options: new Uint8Array(3) }], 0, 'options'],
      [[{ type: 'tcp', flags: 1.5 }], 0, 'flags'],
      [[{ type: 'tcp', options: [{ kind: 8, data: new Uint8Array(40) }] }], 0, 'options'],
      [[{ type: 'udp', sourcePort: -1 }], 0, 'sourcePort'],
      [[{ type: 'geneve', options: [{ optionClass: 1, type: 1, data: new Uint8Array(3) }] }], 0, 'options[0].data'],
      [[{ type: 'ipv6Extension', headerType: 60, body: new Uint8Array(5) }], 0, 'body'],
      [[{ type: 'arp', hardwareSize: 6, senderHardwareAddress: '00:11' }], 0, 'senderHardwareAddress'],
      [[{ type: 'ethernet' }, { type: 'llc', control: 0x0303 }], 1, 'control'],
      [[{ type: 'ethernet' }, { type: 'pppoe', code: 0x09, pppProtocol: 0x0021 }], 1, 'pppProtocol'],
      [[{ type: 'tcp', options: [null as never] }], 0, 'options[0]'],
      [[{ type: 'geneve', options: [7 as never] }], 0, 'options[0]'],
      [[{ type: 'ethernet' }, { type: 'llc' }, { type: 'payload', data: new Uint8Array(1600) }], 0, 'etherType'],
    ];
    for (const [stack, index, field] of cases) {
      const error = failure(stack);
      expect(error.layerIndex, error.message).toBe(index);
      expect(error.field, error.message).toBe(field);
      expect(error.message).toContain(`layer ${index} (${stack[index]!.type}) field ${field}`);
    }
  });

  it('any out-of-range number in any numeric field is refused with the field named', () => {
    const numeric: [BuildLayerSpec['type'], string, number][] = [
      ['ethernet', 'etherType', 16], ['vlan', 'priority', 3], ['mpls', 'label', 20], ['mpls', 'ttl', 8], ['pppoe', 'sessionId', 16],
      ['ipv4', 'fragOffset', 13], ['ipv4', 'dscp', 6], ['ipv6', 'flowLabel', 20], ['ipv6', 'trafficClass', 8], ['gre', 'key', 32],
      ['udp', 'length', 16], ['tcp', 'dataOffset', 4], ['tcp', 'window', 16], ['icmp', 'icmpType', 8], ['icmpv6', 'code', 8],
      ['vxlan', 'vni', 24], ['geneve', 'vni', 24], ['linuxSll', 'packetType', 16], ['linuxSll2', 'interfaceIndex', 32], ['null', 'family', 32],
    ];
    fc.assert(fc.property(fc.constantFrom(...numeric), fc.oneof(fc.integer({ min: 1, max: 2 ** 20 }), fc.constant(0.5)), ([type, field, bits], excess) => {
      const value = excess === 0.5 ? 1.5 : 2 ** bits + excess - 1;
      const error = failure([{ type, [field]: value }]);
      expect(error.field).toBe(field);
      expect(error.message).toContain(String(value));
    }));
  });

  it('refuses what is not a stack of layer specs', () => {
    expect(failure('ethernet').message).toMatch(/array/);
    expect(failure([null]).message).toMatch(/layer 0/);
    expect(failure([{ type: 'ethernet' }, { type: 'token-ring' }]).message).toMatch(/layer 1: unknown layer type "token-ring"/);
    expect(failure([{ type: 'ethernet', destination: 42 }]).field).toBe('destination');
  });
});

describe('any input', () => {
  const layerTypes = ['ethernet', 'llc', 'vlan', 'mpls', 'pppoe', 'arp', 'ipv4', 'ipv6', 'ipv6Extension', 'ipv6Fragment', 'gre', 'udp', 'tcp', 'icmp', 'icmpv6', 'vxlan', 'geneve', 'linuxSll', 'linuxSll2', 'null', 'loop', 'payload'];
  const fieldNames = ['source', 'destination', 'etherType', 'tpid', 'vlanId', 'label', 'code', 'pppProtocol', 'operation', 'hardwareSize', 'senderHardwareAddress', 'options', 'body', 'headerType', 'data', 'key', 'checksumPresent', 'flags', 'address', 'family', 'ihl', 'control', 'snapOui'];
  const junk = fc.oneof(fc.anything(), fc.uint8Array({ maxLength: 50 }), fc.array(fc.oneof(fc.anything(), fc.record({ kind: fc.anything(), data: fc.anything() }), fc.record({ optionClass: fc.anything(), type: fc.anything(), data: fc.anything() })), { maxLength: 3 }));
  const junkSpec = fc.tuple(fc.constantFrom(...layerTypes), fc.dictionary(fc.constantFrom(...fieldNames), junk, { maxKeys: 3 })).map(([type, fields]) => ({ ...fields, type }));

  it('either builds or throws a PacketBuildError, never anything else', () => {
    fc.assert(fc.property(fc.array(junkSpec, { maxLength: 5 }), (stack) => {
      try {
        const data = buildPacket(stack as BuildLayerSpec[]);
        expect(data).toBeInstanceOf(Uint8Array);
      } catch (error) {
        expect(error, String(error)).toBeInstanceOf(PacketBuildError);
      }
    }), { numRuns: 3000 });
  });
});
