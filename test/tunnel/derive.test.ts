/** deriveStockExpression: field selection, offsets recomputed from builder specs, and clear errors for bad input. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryGre, arbitraryIpv4, arbitraryIpv4Options } from '../../src/packet/arbitrary/index.js';
import { buildPacket, greHeaderLength } from '../../src/packet/build/index.js';
import type { BuildLayerSpec } from '../../src/packet/build/index.js';
import { StockExpressionError, deriveStockExpression, parseStockFieldSelector } from '../../src/tunnel/index.js';
import { libpcapAvailable, libpcapCompile, libpcapRun } from '../support/libpcap.js';
import { describeWithOracle } from '../support/oracle.js';

const EN10MB = 1;
const RAW = 101;

/** Seed 001's shape: Ethernet / 802.1Q / IPv4 / GRE (key) / Ethernet / IPv4 / ICMP echo. */
const seedStack: BuildLayerSpec[] = [
  { type: 'ethernet' }, { type: 'vlan', vlanId: 102 },
  { type: 'ipv4', source: '172.20.0.11', destination: '172.20.0.12' },
  { type: 'gre', keyPresent: true, key: 1002 },
  { type: 'ethernet' }, { type: 'ipv4', source: '10.5.5.1', destination: '10.5.5.5' },
  { type: 'icmp', icmpType: 8, code: 0 }, { type: 'payload', data: new Uint8Array(8) },
];
const seedFrame = buildPacket(seedStack);

describe('field selectors', () => {
  it('parses NAME, NAME@LAYER and NAME[OCCURRENCE]', () => {
    expect(parseStockFieldSelector('ipv4.destination')).toEqual({ name: 'ipv4.destination' });
    expect(parseStockFieldSelector('ipv4.destination@5')).toEqual({ name: 'ipv4.destination', layerIndex: 5 });
    expect(parseStockFieldSelector('ipv4.destination[0]')).toEqual({ name: 'ipv4.destination', occurrence: 0 });
    expect(parseStockFieldSelector('geneve.option.class@4[-1]')).toEqual({ name: 'geneve.option.class', layerIndex: 4, occurrence: -1 });
  });

  it.each(['ipv4', 'ipv4.', '.destination', 'ipv4.destination@x', 'ipv4.destination[', '', 'ip v4.destination'])('refuses %j with a message naming the expected form', (text) => {
    expect(() => parseStockFieldSelector(text)).toThrow(StockExpressionError);
    expect(() => parseStockFieldSelector(text)).toThrow(/LAYER\.FIELD/);
  });

  it('picks the innermost by default, the outermost with [0], a layer with @N', () => {
    expect(deriveStockExpression(seedFrame, EN10MB, 'ipv4.destination').expression).toBe('ip[58:4]');
    expect(deriveStockExpression(seedFrame, EN10MB, 'ipv4.destination[0]').expression).toBe('ip[16:4]');
    expect(deriveStockExpression(seedFrame, EN10MB, 'ipv4.destination@2').expression).toBe('ip[16:4]');
    expect(deriveStockExpression(seedFrame, EN10MB, { name: 'ipv4.destination', layerIndex: 5 }).value).toBe('10.5.5.5');
    expect(deriveStockExpression(seedFrame, EN10MB, 'gre.key').filter).toBe('vlan and proto gre and ip[24:4] = 0x000003ea');
  });
});

describe('offsets against the builder specs', () => {
  it('the inner IPv4 destination over GRE is IHL x 4 + GRE length (C/K/S) + 14 + 16 bytes into the outer IPv4 header', () => {
    fc.assert(fc.property(arbitraryGre(), fc.option(arbitraryIpv4Options(), { nil: undefined }), fc.boolean(), (gre, options, tagged) => {
      const outer: BuildLayerSpec = { type: 'ipv4' };
      if (options !== undefined) outer.options = options;
      const stack: BuildLayerSpec[] = [{ type: 'ethernet' }, ...(tagged ? [{ type: 'vlan' } as BuildLayerSpec] : []), outer, gre, { type: 'ethernet' }, { type: 'ipv4', destination: '10.5.5.5' }, { type: 'udp' }];
      const derived = deriveStockExpression(buildPacket(stack), EN10MB, 'ipv4.destination');
      const offset = 20 + (options?.length ?? 0) + greHeaderLength(gre.checksumPresent ?? false, gre.keyPresent ?? false, gre.sequencePresent ?? false) + 14 + 16;
      expect(derived.expression).toBe(`ip[${offset}:4]`);
      expect(derived.filter).toBe(`${tagged ? 'vlan and ' : ''}proto gre and ip[${offset}:4] = 0x0a050505`);
      expect(derived.guards).toContain(`ip[0] & 0x0f = ${5 + (options?.length ?? 0) / 4}`);
    }), { numRuns: 200 });
  });

  it('VXLAN fields are relative to udp (libpcap skips the IPv4 options itself) after `udp port 4789`', () => {
    const frame = buildPacket([{ type: 'ethernet' }, { type: 'ipv4' }, { type: 'udp', sourcePort: 40000, destinationPort: 4789 }, { type: 'vxlan', vni: 5000 }, { type: 'ethernet' }, { type: 'ipv4', destination: '10.0.0.1' }, { type: 'tcp' }]);
    const derived = deriveStockExpression(frame, EN10MB, 'ipv4.destination');
    expect(derived.expression).toBe(`udp[${8 + 8 + 14 + 16}:4]`);
    expect(derived.filter).toBe('udp port 4789 and udp[46:4] = 0x0a000001');
    expect(deriveStockExpression(frame, EN10MB, 'vxlan.vni').filter).toBe('udp port 4789 and udp[12:4] & 0xffffff00 = 0x00138800');
  });

  it('Geneve with options pins the option length and refuses port 4789 (which the decoder reads as VXLAN)', () => {
    const frame = buildPacket([{ type: 'ethernet' }, { type: 'ipv4' }, { type: 'udp', destinationPort: 6081 }, { type: 'geneve', options: [{ optionClass: 0x0101, type: 1, data: new Uint8Array(8) }] }, { type: 'ipv4', destination: '10.0.0.1' }, { type: 'udp' }]);
    const derived = deriveStockExpression(frame, EN10MB, 'ipv4.destination');
    expect(derived.expression).toBe(`udp[${8 + 8 + 12 + 16}:4]`);
    expect(derived.guards).toEqual(expect.arrayContaining(['udp[8] & 0x3f = 3', 'udp[10:2] = 0x0800', 'not udp port 4789']));
  });

  it('an IPv6 outer header with an extension header keeps ip6 offsets and pins the chain', () => {
    const frame = buildPacket([{ type: 'ethernet' }, { type: 'ipv6' }, { type: 'ipv6Extension', headerType: 60 }, { type: 'gre' }, { type: 'ipv4', destination: '10.0.0.1' }, { type: 'udp' }]);
    const derived = deriveStockExpression(frame, EN10MB, 'ipv4.destination');
    expect(derived.accessor).toBe('ip6');
    expect(derived.expression).toBe(`ip6[${40 + 8 + 4 + 16}:4]`);
    expect(derived.prerequisites).toEqual([]);
    expect(derived.guards).toEqual(expect.arrayContaining(['ip6[6] = 60', 'ip6[40] = 47', 'ip6[41] = 0', 'ip6[48:2] & 0xf007 = 0x0000', 'ip6[50:2] = 0x0800']));
  });
});

describe('the doc comment\'s example', () => {
  it('a user property-tests their own offset guess against the decoder with our arbitraries', () => {
    fc.assert(fc.property(arbitraryGre(), arbitraryIpv4(), (gre, inner) => {
      const frame = buildPacket([{ type: 'ethernet' }, { type: 'ipv4' }, gre, { type: 'ethernet' }, inner, { type: 'payload', data: new Uint8Array(4) }]);
      const derived = deriveStockExpression(frame, 1, 'ipv4.destination');
      const greLength = 4 + (gre.checksumPresent ? 4 : 0) + (gre.keyPresent ? 4 : 0) + (gre.sequencePresent ? 4 : 0);
      return derived.expression === `ip[${20 + greLength + 14 + 16}:4]`;
    }), { numRuns: 100 });
  });

  it('a wrong guess (GRE carries IP, not Ethernet) is caught', () => {
    expect(() => fc.assert(fc.property(arbitraryGre(), (gre) => {
      const frame = buildPacket([{ type: 'ethernet' }, { type: 'ipv4' }, gre, { type: 'ethernet' }, { type: 'ipv4' }, { type: 'udp' }]);
      const greLength = 4 + (gre.checksumPresent ? 4 : 0) + (gre.keyPresent ? 4 : 0) + (gre.sequencePresent ? 4 : 0);
      return deriveStockExpression(frame, 1, 'ipv4.destination').expression === `ip[${20 + greLength + 16}:4]`;
    }), { numRuns: 20 })).toThrow();
  });
});

describe('bad input', () => {
  it('an unknown field names the frame\'s layers and the layer\'s fields', () => {
    expect(() => deriveStockExpression(seedFrame, EN10MB, 'ipv4.destinaton')).toThrow(/'ipv4\.destinaton' is not in this frame, which decodes as ethernet\/vlan\/ipv4\/gre\/ethernet\/ipv4\/icmp\/payload \(its ipv4 fields: .*ipv4\.destination/);
  });

  it('a field the frame does not have', () => {
    expect(() => deriveStockExpression(seedFrame, EN10MB, 'vxlan.vni')).toThrow(/'vxlan\.vni' is not in this frame/);
    expect(() => deriveStockExpression(seedFrame, EN10MB, 'ipv4.destination@3')).toThrow(/at layer #3 is not in this frame/);
    expect(() => deriveStockExpression(seedFrame, EN10MB, 'ipv4.destination[2]')).toThrow(/occurs 2 time\(s\).*occurrence 2 is out of range/);
  });

  it('a truncated frame says where decoding stopped', () => {
    const cut = seedFrame.subarray(0, 70);
    expect(() => deriveStockExpression(cut, EN10MB, 'ipv4.destination@5')).toThrow(/decoding stopped at ipv4\.\w+ \(byte \d+\): ipv4 header needs 20 bytes, 10 captured/);
    expect(() => deriveStockExpression(new Uint8Array(0), EN10MB, 'ipv4.destination')).toThrow(StockExpressionError);
  });

  it('a layout stock expressions cannot pin (through an ICMP error\'s quote) is refused by name', () => {
    const frame = buildPacket([{ type: 'ethernet' }, { type: 'ipv4' }, { type: 'icmp', icmpType: 3, code: 4 }, { type: 'ipv4', destination: '10.0.0.1' }, { type: 'udp' }]);
    expect(() => deriveStockExpression(frame, EN10MB, 'ipv4.destination')).toThrow(/cannot pin the layout through icmp at byte 34 \(layer #2\)/);
  });
});

describeWithOracle('other link types against libpcap', libpcapAvailable(), 'gcc and libpcap-dev', () => {
  it('raw IP (LINKTYPE_RAW): GRE carrying IPv6, guarded filter matches the frame and not a sibling with another value', () => {
    const make = (destination: string): Uint8Array => buildPacket([{ type: 'ipv4' }, { type: 'gre', sequencePresent: true, sequenceNumber: 7 }, { type: 'ipv6', destination }, { type: 'udp' }]);
    const frames = [make('2001:db8::5'), make('2001:db8::6')];
    const derived = deriveStockExpression(frames[0]!, RAW, 'ipv6.destination');
    expect(derived.expression).toBe(`ip[${20 + 8 + 24}:4] ip[${20 + 8 + 28}:4] ip[${20 + 8 + 32}:4] ip[${20 + 8 + 36}:4]`);
    expect(derived.prerequisites).toEqual(['proto gre']);
    const [compiled] = libpcapCompile([derived.guardedFilter], { linkType: RAW });
    if (!compiled!.ok) throw new Error(compiled!.error);
    expect(libpcapRun([compiled!.program], frames.map((data) => ({ data })), RAW)[0]!.map((verdict) => verdict > 0)).toEqual([true, false]);
  });
});
