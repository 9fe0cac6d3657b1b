/**
 * The direct engine against our unoptimized BPF program run by the interpreter (libpcap's -O0 semantics):
 * every corpus expression the engine compiles, on every link type, over the compiler harness's packets
 * (fast-check stacks with every kind of damage, the corpus captures, aimed stacks cut every 4 bytes), each
 * also cut at several captured lengths; then arbitraryPacket stacks with truncation as a fast-check property
 * on the scenario filters. Per-packet and batch forms must both agree.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createInterpreter } from '../../src/bpf/index.js';
import type { RawInstruction } from '../../src/bpf/opcodes.js';
import { CompileError, compileFilter } from '../../src/compiler/index.js';
import { compileDirectFilter } from '../../src/direct/index.js';
import type { DirectFilterOptions } from '../../src/direct/index.js';
import { LinkType, linkTypeName } from '../../src/capture/linktype.js';
import { arbitraryPacket } from '../../src/packet/arbitrary/index.js';
import { harnessPackets } from '../compiler/support/packets.js';
import { DIRECT_LINK_TYPES, cutPoints, directCases, directCoverage } from './support/cases.js';

const PACKETS_PER_LINK_TYPE = 120;

/** Runs every covered corpus expression of `linkType` against the -O0 program over the harness packets (every `stride`-th); returns the mismatches. */
function compareOnCorpus(linkType: number, packetCount: number, options: DirectFilterOptions, stride = 1): { mismatches: string[]; pairs: number; compiled: number } {
  const cases = directCases(linkType, options);
  const packets = harnessPackets(linkType, packetCount).filter((_, i) => i % stride === 0);
  // One batch buffer holding every (packet, cut) pair, so the batch form sees the same records. Packets the
  // harness already cut (its aimed stacks snapped every 4 bytes) are not cut again.
  const records: { data: Uint8Array; captured: number; wire: number; label: string }[] = [];
  packets.forEach((packet, index) => {
    const cuts = packet.label.includes('snapped at') ? [packet.data.length] : cutPoints(packet.data.length, index + linkType);
    for (const cut of cuts) records.push({ data: packet.data, captured: cut, wire: packet.wireLength, label: `${packet.label} cut ${cut}` });
  });
  const total = records.reduce((sum, r) => sum + r.data.length, 0);
  const buffer = new Uint8Array(total);
  const offsets = new Uint32Array(records.length);
  const captured = new Uint32Array(records.length);
  const wire = new Uint32Array(records.length);
  let at = 0;
  records.forEach((r, i) => { buffer.set(r.data, at); offsets[i] = at; captured[i] = r.captured; wire[i] = r.wire; at += r.data.length; });
  const matches = new Uint32Array(records.length);
  // The same packets whole and in a row, so the batch loop's path for groups of records runs too.
  const wholeIndices = records.flatMap((r, i) => (r.captured === r.data.length ? [i] : []));
  const wholeOffsets = Uint32Array.from(wholeIndices.map((i) => offsets[i]!));
  const wholeCaptured = Uint32Array.from(wholeIndices.map((i) => captured[i]!));
  const wholeWire = Uint32Array.from(wholeIndices.map((i) => wire[i]!));
  let pairs = 0;
  let compiled = 0;
  const mismatches: string[] = [];
  for (const c of cases) {
    // The direct engine refuses exactly what the compiler refuses (plus what it marks unsupported).
    if (c.refusal?.kind === 'compile') {
      if (c.program) mismatches.push(`${c.expression}: direct refused (${c.refusal.message}), compileFilter did not`);
      continue;
    }
    if (!c.program) { mismatches.push(`${c.expression}: compileFilter refused what the direct engine took`); continue; }
    if (!c.direct) continue;
    compiled++;
    const interpret = createInterpreter(c.program);
    const expected = records.map((r) => interpret(r.data, r.captured, r.wire));
    records.forEach((r, i) => {
      const got = c.direct!.match(buffer, r.captured, r.wire, offsets[i]);
      pairs++;
      if (got !== expected[i] && mismatches.length < 10) mismatches.push(`${c.expression} on ${r.label}: direct ${got}, BPF ${expected[i]}`);
    });
    const wantIndices = expected.flatMap((v, i) => (v !== 0 ? [i] : []));
    const accepted = c.direct.batch(buffer, offsets, captured, wire, records.length, matches);
    if (accepted !== wantIndices.length || wantIndices.some((v, i) => matches[i] !== v)) mismatches.push(`${c.expression}: batch with indices accepted ${accepted}, expected ${wantIndices.length}`);
    const counted = c.direct.batch(buffer, offsets, captured, wire, records.length);
    if (counted !== wantIndices.length) mismatches.push(`${c.expression}: batch counted ${counted}, expected ${wantIndices.length}`);
    const wantWhole = wholeIndices.filter((i) => expected[i] !== 0).length;
    const countedWhole = c.direct.batch(buffer, wholeOffsets, wholeCaptured, wholeWire, wholeIndices.length);
    if (countedWhole !== wantWhole) mismatches.push(`${c.expression}: batch of whole packets counted ${countedWhole}, expected ${wantWhole}`);
  }
  process.stderr.write(`direct ${linkTypeName(linkType)}${options.treeLimit === 0 ? ' (tree form)' : ''}: ${compiled} expressions x ${records.length} records = ${pairs} pairs\n`);
  return { mismatches, pairs, compiled };
}

describe('direct JS engine = -O0 BPF program (interpreter) on every corpus expression', () => {
  for (const linkType of DIRECT_LINK_TYPES) {
    it(`agrees on ${linkTypeName(linkType)}, per packet and in batches`, () => {
      const { mismatches, pairs } = compareOnCorpus(linkType, PACKETS_PER_LINK_TYPE, {});
      expect(mismatches).toEqual([]);
      expect(pairs).toBeGreaterThan(100_000);
    });
  }
  // The emitter's other form (labeled blocks over the boolean tree, for graphs too big to write out as nested ifs).
  for (const linkType of [LinkType.EN10MB, LinkType.LINUX_SLL]) {
    it(`agrees on ${linkTypeName(linkType)} in the tree form too`, () => {
      const { mismatches, pairs } = compareOnCorpus(linkType, 60, { treeLimit: 0 }, 5);
      expect(mismatches).toEqual([]);
      expect(pairs).toBeGreaterThan(50_000);
    });
  }
});

describe('direct JS engine = -O0 BPF on arbitrary packets with truncation (fast-check)', () => {
  const filters = [
    'tcp port 80', 'udp port 53 or udp port 67 or udp port 68', 'vlan and tcp', 'ip[6:2] & 0x1fff != 0', 'tcp[tcpflags] & (tcp-syn|tcp-fin) != 0',
    'gre and ip host 10.5.5.5', 'vxlan and tcp', 'host 10.1.2.3 and not port 22', 'ip6 and tcp dst port 443', 'arp or icmp', 'len - 14 > ip[2:2]',
    'tcp[12] >> 4 > 5 and ip[0] & 0xf > 5', 'vlan 10 or vlan 20 and udp', 'icmp[icmptype] = icmp-unreach and icmp[icmpcode] = 4',
  ];
  for (const linkType of DIRECT_LINK_TYPES) {
    it(`agrees on ${linkTypeName(linkType)}`, () => {
      // Filters the link type refuses (`vlan` off Ethernet) are left out, after checking both engines refuse them.
      const engines = filters.flatMap((expression) => {
        const program = compileFilterOrUndefined(expression, linkType);
        if (!program) {
          expect(() => compileDirectFilter(expression, { linkType }), expression).toThrow(CompileError);
          return [];
        }
        return [{ expression, interpret: createInterpreter(program), direct: compileDirectFilter(expression, { linkType }) }];
      });
      expect(engines.length).toBeGreaterThan(5);
      fc.assert(fc.property(arbitraryPacket({ linkType }), fc.nat(), (packet, cutSeed) => {
        const cut = cutSeed % (packet.data.length + 1);
        for (const { expression, interpret, direct } of engines) {
          for (const captured of [packet.data.length, cut]) {
            const want = interpret(packet.data, captured, packet.wireLength);
            const got = direct.match(packet.data, captured, packet.wireLength);
            if (got !== want) throw new Error(`${expression} cut ${captured}: direct ${got}, BPF ${want}`);
          }
        }
      }), { numRuns: 400, seed: 7 + linkType });
    });
  }
});

/** The -O0 program, or undefined where the compiler refuses the expression on this link type. */
function compileFilterOrUndefined(expression: string, linkType: number): RawInstruction[] | undefined {
  try { return compileFilter(expression, { linkType, optimize: false }); } catch (error) { if (error instanceof CompileError) return undefined; throw error; }
}

describe('direct JS engine = -O0 BPF on random combinations of corpus expressions (fast-check)', () => {
  for (const linkType of [LinkType.EN10MB, LinkType.LINUX_SLL2]) {
    it(`agrees on ${linkTypeName(linkType)}`, () => {
      // Expressions without encapsulation primitives, so that any combination compiles on this link type.
      const pool = directCoverage(linkType).filter((c) => c.outcome === 'direct' && !/\b(vlan|mpls|pppoes|geneve|gre|vxlan)\b/.test(c.expression)).map((c) => c.expression);
      const packets = harnessPackets(linkType, 80).filter((_, i) => i % 3 === 0);
      const combination = fc.tuple(
        fc.array(fc.constantFrom(...pool), { minLength: 2, maxLength: 4 }),
        fc.array(fc.constantFrom(' and ', ' or ', ' and not ', ' or not '), { minLength: 3, maxLength: 3 }),
      ).map(([parts, ops]) => parts.map((p, i) => (i === 0 ? `(${p})` : `${ops[i - 1]}(${p})`)).join(''));
      fc.assert(fc.property(combination, fc.nat(), (expression, cutSeed) => {
        const program = compileFilterOrUndefined(expression, linkType);
        if (!program) return;
        const interpret = createInterpreter(program);
        const direct = compileDirectFilter(expression, { linkType });
        for (const packet of packets) {
          for (const captured of [packet.data.length, cutSeed % (packet.data.length + 1)]) {
            const want = interpret(packet.data, captured, packet.wireLength);
            const got = direct.match(packet.data, captured, packet.wireLength);
            if (got !== want) throw new Error(`${expression} on ${packet.label} cut ${captured}: direct ${got}, BPF ${want}`);
          }
        }
      }), { numRuns: 120, seed: 42 + linkType });
    });
  }
});
