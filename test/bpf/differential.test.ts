/**
 * Differential test of the interpreter and the BPF-to-JavaScript compiler (both forms) against libpcap's
 * bpf_filter: thousands of random programs times tens of random packets, in one helper run. The batch
 * engines (batch interpreter; batch JavaScript in its auto (unrolled when small), loop, wide-buffer, byte-load
 * and one-record-per-step variants) run
 * over the same packets laid out in one buffer at random offsets, and must accept exactly the packets
 * libpcap accepts (their verdict is accept / reject, not the return value).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { compileToJs, compileToJsBatch, createBatchInterpreter, createInterpreter, formatCommaForm } from '../../src/bpf/index.js';
import { buildJsBatchLoop } from '../../src/bpf/compile-js-batch.js';
import type { RawInstruction } from '../../src/bpf/opcodes.js';
import { describeWithOracle } from '../support/oracle.js';
import { libpcapAvailable, libpcapCompile, libpcapRun } from '../support/libpcap.js';
import type { OraclePacket } from '../support/libpcap.js';
import { entryStepProgram, randomPacket, runnableProgram } from './program-arbitrary.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** The packets in one buffer, each after a gap of 0-7 filler bytes, with the batch arrays describing them. */
function layOut(packets: OraclePacket[], seed: number): { buffer: Uint8Array; offsets: Uint32Array; caps: Uint32Array; wires: Uint32Array } {
  const gaps = packets.map((_, i) => (seed + i * 7) % 8);
  const buffer = new Uint8Array(packets.reduce((sum, packet, i) => sum + gaps[i]! + packet.data.length, 0) + 8).fill(0xa5);
  const offsets = new Uint32Array(packets.length);
  const caps = new Uint32Array(packets.length);
  const wires = new Uint32Array(packets.length);
  let at = 0;
  packets.forEach((packet, i) => {
    at += gaps[i]!;
    buffer.set(packet.data, at);
    offsets[i] = at;
    caps[i] = packet.data.length;
    wires[i] = packet.wireLength ?? packet.data.length;
    at += packet.data.length;
  });
  return { buffer, offsets, caps, wires };
}

/** Runs every program over every packet with our engines and compares with libpcap's answers. */
function compareWithLibpcap(programs: RawInstruction[][], packets: OraclePacket[], seed: number, withTree = true): number {
  const expected = libpcapRun(programs, packets);
  expect(expected.length).toBe(programs.length);
  const { buffer, offsets, caps, wires } = layOut(packets, seed);
  const matches = new Uint32Array(packets.length);
  let pairs = 0;
  programs.forEach((program, p) => {
    const accepted = expected[p]!.flatMap((value, q) => (value !== 0 ? [q] : []));
    const batches: Record<string, (indices: Uint32Array) => number> = {
      'interp batch': (indices) => createBatchInterpreter(program)(buffer, offsets, caps, wires, packets.length, indices),
      'js batch': (indices) => compileToJsBatch(program)(buffer, offsets, caps, wires, packets.length, indices),
      'js batch loop': (indices) => buildJsBatchLoop(program, { form: 'loop', indices: true })(buffer, offsets, caps, wires, packets.length, indices),
      'js batch wide': (indices) => buildJsBatchLoop(program, { wideBuffer: true, indices: true })(buffer, offsets, caps, wires, packets.length, indices),
      'js batch bytes': (indices) => buildJsBatchLoop(program, { dataView: false, indices: true })(buffer, offsets, caps, wires, packets.length, indices),
      'js batch one-record': (indices) => buildJsBatchLoop(program, { unroll: false, indices: true })(buffer, offsets, caps, wires, packets.length, indices),
    };
    for (const [name, run] of Object.entries(batches)) {
      const count = run(matches);
      const got = Array.from(matches.subarray(0, count));
      if (got.join() !== accepted.join()) {
        const differs = packets.findIndex((_, q) => got.includes(q) !== accepted.includes(q));
        throw new Error(`seed ${seed}: ${name} ${got.includes(differs) ? 'accepted' : 'rejected'} packet ${hex(packets[differs]!.data)} (wire length ${packets[differs]!.wireLength ?? packets[differs]!.data.length}) where libpcap returned ${expected[p]![differs]}, program ${formatCommaForm(program)}`);
      }
    }
    expect(compileToJsBatch(program)(buffer, offsets, caps, wires, packets.length)).toBe(accepted.length);
    const engines: Record<string, (bytes: Uint8Array, capturedLength: number, wireLength: number) => number> = {
      interp: createInterpreter(program),
      loop: compileToJs(program, { form: 'loop' }),
      auto: compileToJs(program),
    };
    const backward = program.some((insn) => insn.code === 0x05 && (insn.k | 0) < 0);
    if (withTree && !backward) engines.tree = compileToJs(program, { form: 'tree', treeLimit: 1 << 20 });
    packets.forEach((packet, q) => {
      const wire = packet.wireLength ?? packet.data.length;
      for (const [name, run] of Object.entries(engines)) {
        const got = run(packet.data, packet.data.length, wire);
        if (got !== expected[p]![q]) {
          throw new Error(`seed ${seed}: ${name} returned ${got}, libpcap ${expected[p]![q]} for program ${formatCommaForm(program)} on packet ${hex(packet.data)} (wire length ${wire})`);
        }
      }
      pairs++;
    });
  });
  return pairs;
}

describeWithOracle('BPF engines agree with libpcap bpf_filter', libpcapAvailable(), 'gcc with libpcap-dev', () => {
  it('on 6000 random programs times 60 packets (360,000 pairs)', () => {
    const seed = Date.now() % 0x7fffffff;
    const programs = fc.sample(runnableProgram(24), { numRuns: 6000, seed });
    const packets = [
      { data: new Uint8Array(0), wireLength: 0 },
      { data: new Uint8Array(0), wireLength: 60 },
      ...fc.sample(randomPacket(80), { numRuns: 58, seed: seed + 1 }),
    ];
    const pairs = compareWithLibpcap(programs, packets, seed);
    expect(pairs).toBe(6000 * 60);
  });

  it('on libpcap\'s programs for the format corpus filters', () => {
    const filters = readFileSync(resolve(import.meta.dirname, '../../corpus/filters/bpf-formats.txt'), 'utf8')
      .split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    const programs = libpcapCompile(filters, { linkType: 1 }).flatMap((r) => (r.ok ? [r.program] : []));
    expect(programs.length).toBe(filters.length);
    const seed = Date.now() % 0x7fffffff;
    const packets = fc.sample(randomPacket(120), { numRuns: 80, seed });
    expect(compareWithLibpcap(programs, packets, seed)).toBe(programs.length * 80);
  });

  it('on programs starting with a load and a jump on it (the interpreter\'s entry step)', () => {
    const seed = (Date.now() + 3) % 0x7fffffff;
    const programs = fc.sample(entryStepProgram(16), { numRuns: 1500, seed });
    const packets = [
      { data: new Uint8Array(0), wireLength: 60 },
      ...fc.sample(randomPacket(80), { numRuns: 39, seed: seed + 1 }),
    ];
    expect(compareWithLibpcap(programs, packets, seed)).toBe(1500 * 40);
  });

  it('on programs starting with a chain of jeq on one halfword (the interpreter entry\'s chained tests)', () => {
    // ldh [12], then two to four `jeq #k` whose targets are the next test, the program's `ret`s or anywhere
    // in a random rest (the rest's scratch reads excluded: a jump may skip its stores); on packets whose
    // type field holds one of the tested values, or another.
    const seed = (Date.now() + 5) % 0x7fffffff;
    const types = [0x8100, 0x88a8, 0x9100, 0x0800, 0x86dd, 0x0806];
    const chain = fc.record({
      rest: runnableProgram(12).filter((program) => !program.some((insn) => insn.code === 0x60 || insn.code === 0x61)),
      tests: fc.array(fc.tuple(fc.constantFrom(...types), fc.nat(255), fc.nat(255), fc.boolean(), fc.boolean()), { minLength: 2, maxLength: 4 }),
    }).map(({ rest, tests }) => {
      const n = tests.length;
      // Jump offsets from test i (at index 1 + i): to the next test (0) or into the rest.
      const target = (i: number, next: boolean, spread: number): number => (next && i + 1 < n ? 0 : n - 1 - i + (spread % rest.length));
      return [
        { code: 0x28, jt: 0, jf: 0, k: 12 },
        ...tests.map(([k, jt, jf, nextTrue, nextFalse], i) => ({ code: 0x15, jt: target(i, nextTrue, jt), jf: target(i, nextFalse, jf), k })),
        ...rest,
      ];
    });
    const programs = fc.sample(chain, { numRuns: 400, seed });
    const packets = fc.sample(fc.tuple(randomPacket(80), fc.constantFrom(...types, 0x1234)), { numRuns: 40, seed: seed + 1 }).map(([packet, type]) => {
      const data = Uint8Array.from(packet.data);
      if (data.length >= 14) { data[12] = type >> 8; data[13] = type & 0xff; }
      return { ...packet, data };
    });
    expect(compareWithLibpcap(programs, packets, seed)).toBe(400 * 40);
  });

  it('on long random programs', () => {
    const seed = (Date.now() + 7) % 0x7fffffff;
    const programs = fc.sample(runnableProgram(300), { numRuns: 300, seed });
    const packets = fc.sample(randomPacket(120), { numRuns: 40, seed: seed + 1 });
    expect(compareWithLibpcap(programs, packets, seed)).toBe(300 * 40);
  });

  it('on programs with backward jumps (loops that terminate), in the interpreter and the loop form', () => {
    // A counts up to a limit taken from the packet: ld #0; st M[0]; ld M[0]; add #1; st M[0]; jge x ... ; ja back.
    const counting = (limit: number): RawInstruction[] => [
      { code: 0x01, jt: 0, jf: 0, k: limit },            // 0: ldx #limit
      { code: 0x00, jt: 0, jf: 0, k: 0 },                // 1: ld #0
      { code: 0x04, jt: 0, jf: 0, k: 1 },                // 2: add #1
      { code: 0x3d, jt: 1, jf: 0, k: 0 },                // 3: jge x -> 5
      { code: 0x05, jt: 0, jf: 0, k: (-3 >>> 0) },       // 4: ja 2 (backward)
      { code: 0x16, jt: 0, jf: 0, k: 0 },                // 5: ret a
    ];
    const programs = [1, 2, 17, 1000].map(counting);
    const packets = [{ data: new Uint8Array(4) }];
    expect(compareWithLibpcap(programs, packets, 0, false)).toBe(4);
  });
});
