/**
 * The direct batch loop's grouped path (groups of four or eight records behind one fused test) at its edges: records
 * that start or end at, just before or just past the end of the buffer, captured lengths just under and
 * over the fast path's threshold, and offsets / captured lengths at and past 2^31 (negative as int32), each
 * in every position of a group of whole records and then shuffled among the others. Every verdict must be
 * the -O0 BPF program's under the interpreter (libpcap's semantics: a record's length is its captured
 * length clamped to the bytes from its offset to the end of the buffer).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createInterpreter } from '../../src/bpf/index.js';
import { LinkType } from '../../src/capture/linktype.js';
import { compileFilter } from '../../src/compiler/index.js';
import { compileDirectFilter, generateDirectSources } from '../../src/direct/index.js';
import { buildPacket } from '../../src/packet/build/index.js';

/** Filters whose fast paths differ: constant reads only (no `len` in the group code), run-time offsets, the wire length, tunnels. */
const FILTERS = [
  'ip', 'ether[13] = 0', 'ether[0:4] != 0 and ether[20:2] > 3', 'tcp port 80', 'ip6 and tcp dst port 443', 'len > 60', 'vlan and tcp',
  'gre and ip host 10.5.5.5', 'proto gre and (ip[54:4] = 0x0a050505 or ip[58:4] = 0x0a050505)', 'arp or icmp', 'ip[6:2] & 0x1fff != 0',
];

interface Layout { offset: number; capturedLength: number; wireLength: number }

/** A buffer of real frames the filters accept and reject (IPv4 TCP to port 80, IPv6 TCP to 443, a GRE tunnel, ARP, 802.1Q, a fragment). */
function frameBuffer(): { buffer: Uint8Array; frames: Layout[] } {
  const frames = [
    buildPacket([{ type: 'ethernet' }, { type: 'ipv4' }, { type: 'tcp', destinationPort: 80 }, { type: 'payload', data: new Uint8Array(30) }]),
    buildPacket([{ type: 'ethernet' }, { type: 'ipv6' }, { type: 'tcp', destinationPort: 443 }]),
    buildPacket([{ type: 'ethernet' }, { type: 'ipv4' }, { type: 'gre', keyPresent: true, key: 7 }, { type: 'ethernet' }, { type: 'ipv4', source: '10.5.5.5' }, { type: 'icmp' }]),
    buildPacket([{ type: 'ethernet' }, { type: 'arp' }]),
    buildPacket([{ type: 'ethernet' }, { type: 'vlan' }, { type: 'ipv4' }, { type: 'tcp' }]),
    buildPacket([{ type: 'ethernet' }, { type: 'ipv4', fragOffset: 3 }, { type: 'payload', data: new Uint8Array(40) }]),
  ];
  const total = frames.reduce((sum, f) => sum + f.length, 0);
  const buffer = new Uint8Array(total);
  const layouts: Layout[] = [];
  let at = 0;
  for (const frame of frames) {
    buffer.set(frame, at);
    layouts.push({ offset: at, capturedLength: frame.length, wireLength: frame.length });
    at += frame.length;
  }
  return { buffer, frames: layouts };
}

describe('direct batch loop, grouped path', () => {
  const { buffer, frames } = frameBuffer();
  const size = buffer.length;

  it('runs the grouped path for these filters', () => {
    for (const filter of FILTERS) expect(generateDirectSources(filter).batch, filter).toContain('record3');
  });

  it('gives the -O0 verdicts at every edge of a group, in every position', () => {
    fc.assert(fc.property(fc.constantFrom(...FILTERS), fc.constantFrom(0, 1, 13, 14, 15, 34, 54, 60, 62, 72, 76), fc.boolean(), fc.integer({ min: 0, max: 1000 }), (filter, least, indices, shuffle) => {
      const records: Layout[] = [];
      for (const frame of frames) {
        for (const offset of [frame.offset, size - least - 1, size - least, size - least + 1, size - 1, size, size + 1, 0x7fffffff, 0x80000000, 0xffffffff].filter((o) => o >= 0)) {
          for (const capturedLength of [0, least - 1, least, least + 1, frame.capturedLength, size - offset - 1, size - offset, size - offset + 1, 0x7fffffff, 0x80000000, 0x80000001, 0xffffffff]) {
            if (capturedLength >= 0 && capturedLength <= 0xffffffff) records.push({ offset, capturedLength, wireLength: (offset + capturedLength + frame.wireLength) % 200 });
          }
        }
      }
      // Each record in each position of a group of whole frames, then all of them shuffled (groups mixing
      // records the fused test passes and fails).
      const grouped = records.flatMap((record, n) => Array.from({ length: 8 }, (_, position) => (position === n % 8 ? record : frames[(n + position) % frames.length]!)));
      const shuffled = [...records];
      for (let n = shuffled.length - 1; n > 0; n--) { const m = (n * 7919 + shuffle) % (n + 1); [shuffled[n], shuffled[m]] = [shuffled[m]!, shuffled[n]!]; }
      const all = [...frames, ...frames, ...grouped, ...shuffled];
      const reference = createInterpreter(compileFilter(filter, { linkType: LinkType.EN10MB, optimize: false }));
      const expected = all.flatMap((r, index) => (reference(buffer, r.capturedLength, r.wireLength, r.offset) !== 0 ? [index] : []));
      const offsets = Uint32Array.from(all, (r) => r.offset);
      const caps = Uint32Array.from(all, (r) => r.capturedLength);
      const wires = Uint32Array.from(all, (r) => r.wireLength);
      const direct = compileDirectFilter(filter);
      const matches = new Uint32Array(all.length);
      const count = direct.batch(buffer, offsets, caps, wires, all.length, indices ? matches : undefined);
      expect(count, filter).toBe(expected.length);
      if (indices) expect(Array.from(matches.subarray(0, count)), filter).toEqual(expected);
      // The whole frames alone, so that at least some groups take the grouped path and some records are accepted.
      const whole = [...frames, ...frames, ...frames, ...frames];
      const wholeExpected = whole.filter((r) => reference(buffer, r.capturedLength, r.wireLength, r.offset) !== 0).length;
      expect(direct.batch(buffer, Uint32Array.from(whole, (r) => r.offset), Uint32Array.from(whole, (r) => r.capturedLength), Uint32Array.from(whole, (r) => r.wireLength), whole.length), filter).toBe(wholeExpected);
    }), { numRuns: 120 });
  });

  it('leaves the offsets to a leading read for `ip`, exactly, also in optimized code and after the read threw', () => {
    // `ip`'s record code starts by reading bytes 12-13 through the DataView: the group loop takes offsets
    // unchecked and catches that read's RangeError. Hot on whole frames first (V8 optimizes the loop), then
    // records past the buffer's end or at 2^31 and more in every position of a group, then whole frames again.
    expect(generateDirectSources('ip').batch).toContain('catch');
    expect(generateDirectSources('ether[0] = 1 and ip').batch).not.toContain('catch');
    const reference = createInterpreter(compileFilter('ip', { linkType: LinkType.EN10MB, optimize: false }));
    const direct = compileDirectFilter('ip');
    const check = (records: readonly Layout[], indices: boolean): void => {
      const expected = records.flatMap((r, index) => (reference(buffer, r.capturedLength, r.wireLength, r.offset) !== 0 ? [index] : []));
      const matches = new Uint32Array(records.length);
      const count = direct.batch(buffer, Uint32Array.from(records, (r) => r.offset), Uint32Array.from(records, (r) => r.capturedLength), Uint32Array.from(records, (r) => r.wireLength), records.length, indices ? matches : undefined);
      expect(count).toBe(expected.length);
      if (indices) expect(Array.from(matches.subarray(0, count))).toEqual(expected);
    };
    const whole = Array.from({ length: 3000 }, (_, n) => frames[n % frames.length]!);
    for (let n = 0; n < 50; n++) check(whole, n % 2 === 1);
    for (const offset of [size - 14, size - 13, size - 1, size, 0x80000000, 0xfffffff4]) {
      for (let position = 0; position < 9; position++) {
        const records = whole.slice(0, 2100);
        records[1024 + position] = { offset, capturedLength: 60, wireLength: 60 };
        check(records, position % 2 === 0);
      }
    }
    check(whole, false);
    check(whole, true);
  });

  it('accepts some and rejects some of the whole frames for every filter (the test above is not vacuous)', () => {
    for (const filter of FILTERS) {
      const reference = createInterpreter(compileFilter(filter, { linkType: LinkType.EN10MB, optimize: false }));
      const verdicts = frames.map((r) => reference(buffer, r.capturedLength, r.wireLength, r.offset) !== 0);
      expect(verdicts.some((v) => v) && verdicts.some((v) => !v), `${filter}: ${verdicts.join(' ')}`).toBe(true);
    }
  });

  it('counts and lists every record of long runs (stretches of the grouped loop, and their ends)', () => {
    fc.assert(fc.property(fc.constantFrom(...FILTERS), fc.integer({ min: 1000, max: 3100 }), fc.integer({ min: 0, max: 3100 }), (filter, length, cut) => {
      // `length` whole frames in a row, one of them (at `cut`) cut short so that one group leaves the grouped loop.
      const all = Array.from({ length }, (_, n) => frames[(n * 5) % frames.length]!);
      if (cut < length) all[cut] = { ...all[cut]!, capturedLength: 10 };
      const reference = createInterpreter(compileFilter(filter, { linkType: LinkType.EN10MB, optimize: false }));
      const expected = all.flatMap((r, index) => (reference(buffer, r.capturedLength, r.wireLength, r.offset) !== 0 ? [index] : []));
      const matches = new Uint32Array(length);
      const direct = compileDirectFilter(filter);
      const arrays = [Uint32Array.from(all, (r) => r.offset), Uint32Array.from(all, (r) => r.capturedLength), Uint32Array.from(all, (r) => r.wireLength)] as const;
      expect(direct.batch(buffer, ...arrays, length, matches), filter).toBe(expected.length);
      expect(Array.from(matches.subarray(0, expected.length)), filter).toEqual(expected);
      expect(direct.batch(buffer, ...arrays, length), filter).toBe(expected.length);
    }), { numRuns: 40 });
  });
});
