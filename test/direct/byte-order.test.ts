/**
 * Little-endian loads in the direct engine's batch code (swappableLoads in src/direct/emit.ts): a 16- or
 * 32-bit field that every test, alone or masked with a constant, only compares for equality with a
 * constant (one that fits the field) or tests against a mask is read little-endian, and the constants are
 * swapped instead. Checked here: which
 * fields qualify, that the source shows it, and that the batch verdicts stay those of the -O0 BPF program
 * under the interpreter on frames whose fields match, miss by one byte, or are cut short.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createInterpreter } from '../../src/bpf/index.js';
import { compileFilter } from '../../src/compiler/index.js';
import { compileDirectFilter, generateDirectSources, prepareDirectFilter } from '../../src/direct/index.js';
import { swappableLoads } from '../../src/direct/emit.js';
import { directTests } from '../../src/direct/ir.js';
import { buildPacket } from '../../src/packet/build/index.js';

/** Keys of the loads a filter's tests allow to read little-endian. */
const swappable = (filter: string): string[] => [...swappableLoads(directTests(prepareDirectFilter(filter).program.root))].sort();

/** Filters mixing swappable tests with ordered comparisons, arithmetic and masks on the same fields. */
const FILTERS = [
  'ip', 'ether[12:2] = 0x800', 'ip[2:2] = 60 or ip[2:2] > 1000', 'ip[12:4] = 0x0a000001', 'ip[12:4] & 0xff000000 != 0',
  'ether[12:2] & 0x8000 != 0 or ether[12:2] = 0x86dd', 'ether[12:2] + 1 = 0x801', 'tcp port 80', 'ip6 and tcp dst port 443',
  'ip host 10.0.0.1 and ip[12:4] > 0x0a000000', 'ether[14:4] = 0x45000054', 'ip[2:2] = 0x10054', 'ip[6:2] & 0x1fff != 0',
  'ip[6:2] & 0x4000 = 0x4000', 'ip[12:4] & 0xffff0000 = 0x0a000000', 'ether[12:2] & 0xff00 = 0x10800', 'ip[2:2] & 0xff = 0x54 and ip[2:2] > 20',
];

describe('little-endian loads of the direct batch code', () => {
  it('swap a field only when every test compares it for equality with a fitting constant or masks it', () => {
    expect(swappable('ether[12:2] = 0x800')).toEqual(['[12:2]']);
    // Masked with a constant: the mask is swapped too.
    expect(swappable('ip[12:4] & 0xff000000 != 0')).toContain('[26:4]');
    expect(swappable('ip[6:2] & 0x1fff != 0')).toContain('[20:2]');
    expect(generateDirectSources('ip[6:2] & 0x1fff != 0').batch).toContain(`v.getUint16(o + 20, true) & ${0xff1f}`);
    // An ordered comparison or arithmetic on the field anywhere in the filter keeps it big-endian.
    expect(swappable('ip[2:2] = 60 or ip[2:2] > 1000')).not.toContain('[16:2]');
    expect(swappable('ether[12:2] + 1 = 0x801')).not.toContain('[12:2]');
    expect(swappable('ip host 10.0.0.1 and ip[12:4] > 0x0a000000')).not.toContain('[26:4]');
    // A halfword never equals a constant past 16 bits: not swapped.
    expect(swappable('ip[2:2] = 0x10054')).not.toContain('[16:2]');
    const batch = generateDirectSources('ether[12:2] = 0x800').batch;
    expect(batch).toContain('v.getUint16(o + 12, true)');
    expect(batch).toContain(`=== ${0x0008}`);
    // The per-packet function reads bytes, big-endian, with the constant as written.
    expect(generateDirectSources('ether[12:2] = 0x800').single).toContain('=== 2048');
  });

  const frames = [
    buildPacket([{ type: 'ethernet' }, { type: 'ipv4', source: '10.0.0.1', destination: '10.1.2.3' }, { type: 'tcp', destinationPort: 80 }, { type: 'payload', data: new Uint8Array(20) }]),
    buildPacket([{ type: 'ethernet' }, { type: 'ipv4', source: '10.0.0.2' }, { type: 'icmp' }]),
    buildPacket([{ type: 'ethernet' }, { type: 'ipv6' }, { type: 'tcp', destinationPort: 443 }]),
    buildPacket([{ type: 'ethernet' }, { type: 'arp' }]),
  ];

  it('give the -O0 verdicts on frames that match, miss by a byte, or are cut short', () => {
    fc.assert(fc.property(fc.constantFrom(...FILTERS), fc.nat(frames.length - 1), fc.nat(80), fc.integer({ min: 1, max: 255 }), fc.boolean(), (filter, which, at, xor, indices) => {
      const frame = frames[which]!;
      const changed = Uint8Array.from(frame);
      changed[at % changed.length] ^= xor;
      const packets = [frame, changed, ...Array.from({ length: 20 }, (_, n) => frame.subarray(0, Math.max(0, frame.length - n * 3)))];
      const buffer = new Uint8Array(packets.reduce((sum, p) => sum + p.length, 0));
      const offsets = new Uint32Array(packets.length);
      const caps = new Uint32Array(packets.length);
      let place = 0;
      packets.forEach((packet, n) => { buffer.set(packet, place); offsets[n] = place; caps[n] = packet.length; place += packet.length; });
      const wires = Uint32Array.from(caps);
      const reference = createInterpreter(compileFilter(filter, { optimize: false }));
      const expected = packets.flatMap((packet, n) => (reference(packet, packet.length, packet.length) !== 0 ? [n] : []));
      const direct = compileDirectFilter(filter);
      const matches = new Uint32Array(packets.length);
      const count = direct.batch(buffer, offsets, caps, wires, packets.length, indices ? matches : undefined);
      expect(count, filter).toBe(expected.length);
      if (indices) expect(Array.from(matches.subarray(0, count)), filter).toEqual(expected);
    }), { numRuns: 300 });
  });
});
