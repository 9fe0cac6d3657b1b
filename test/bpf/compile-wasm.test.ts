/**
 * compileToWasmBatch (classic BPF compiled to WebAssembly) against the interpreter on random valid
 * forward-only programs and random batches (empty and cut records, records past the buffer's end, wire
 * lengths above captured ones), against libpcap's bpf_filter on libpcap's own programs for the benchmark
 * filters, and what it refuses. Also the LEB128 encoder on the WebAssembly spec's examples.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BpfError, createInterpreter, parseProgram } from '../../src/bpf/index.js';
import type { RawInstruction } from '../../src/bpf/opcodes.js';
import { BpfWasmRecordArea, compileToWasmBatch, generateWasmBatchModule } from '../../src/bpf/compile-wasm.js';
import { wasmSigned, wasmUnsigned } from '../../src/bpf/wasm-encoder.js';
import { describeWithOracle } from '../support/oracle.js';
import { libpcapAvailable } from '../support/libpcap.js';
import { libpcapBenchmarkCase } from './libpcap-benchmark.js';
import { entryStepProgram, randomPacket, runnableProgram } from './program-arbitrary.js';

/** A batch: records packed after random gaps, some bent to claim bytes past the buffer's end. */
interface Batch { buffer: Uint8Array; offsets: Uint32Array; caps: Uint32Array; wires: Uint32Array }

const batchArbitrary: fc.Arbitrary<Batch> = fc.record({
  packets: fc.array(fc.tuple(randomPacket(70), fc.nat(5)), { minLength: 1, maxLength: 24 }),
  tail: fc.uint8Array({ maxLength: 6 }),
  bends: fc.array(fc.tuple(fc.nat(23), fc.constantFrom('offset-end', 'offset-past', 'offset-2^31', 'offset-max', 'cap-past', 'cap-max')), { maxLength: 3 }),
}).map(({ packets, tail, bends }) => {
  const size = packets.reduce((sum, [packet, gap]) => sum + gap + packet.data.length, 0) + tail.length;
  const buffer = new Uint8Array(size);
  const offsets: number[] = [];
  const caps: number[] = [];
  const wires: number[] = [];
  let at = 0;
  for (const [packet, gap] of packets) {
    buffer.fill(0xa5, at, at + gap);
    at += gap;
    buffer.set(packet.data, at);
    offsets.push(at);
    caps.push(packet.data.length);
    wires.push(packet.wireLength ?? packet.data.length);
    at += packet.data.length;
  }
  buffer.set(tail, at);
  for (const [index, bend] of bends) {
    if (index >= offsets.length) continue;
    if (bend === 'offset-end') offsets[index] = size;
    if (bend === 'offset-past') offsets[index] = size + 3;
    if (bend === 'offset-2^31') offsets[index] = 0x80000000;
    if (bend === 'offset-max') offsets[index] = 0xffffffff;
    if (bend === 'cap-past') caps[index] = size - offsets[index]! + 5;
    if (bend === 'cap-max') caps[index] = 0xffffffff;
  }
  return { buffer, offsets: Uint32Array.from(offsets), caps: Uint32Array.from(caps), wires: Uint32Array.from(wires) };
});

/** The interpreter's accepted record indices for a batch (one call per record). */
function interpreterMatches(program: readonly RawInstruction[], batch: Batch): number[] {
  const run = createInterpreter(program);
  const accepted: number[] = [];
  for (let r = 0; r < batch.offsets.length; r++) {
    if (run(batch.buffer, batch.caps[r]!, batch.wires[r]!, batch.offsets[r]!) !== 0) accepted.push(r);
  }
  return accepted;
}

/** The WebAssembly engine's accepted record indices for a batch (runBatch with a matches array). */
function wasmMatches(program: readonly RawInstruction[], batch: Batch): number[] {
  const engine = compileToWasmBatch(program);
  const matches = new Uint32Array(batch.offsets.length);
  const count = engine.runBatch(batch.buffer, batch.offsets, batch.caps, batch.wires, batch.offsets.length, matches);
  return Array.from(matches.subarray(0, count));
}

describe('compileToWasmBatch agrees with the interpreter', () => {
  it('on random valid forward-only programs and random batches', () => {
    let pairs = 0;
    fc.assert(fc.property(runnableProgram(24), batchArbitrary, (program, batch) => {
      expect(wasmMatches(program, batch)).toEqual(interpreterMatches(program, batch));
      pairs += batch.offsets.length;
    }), { numRuns: 4000 });
    expect(pairs).toBeGreaterThan(20_000);
  });

  it('on programs starting with a load and a jump on it, and on long programs', () => {
    fc.assert(fc.property(entryStepProgram(16), batchArbitrary, (program, batch) => {
      expect(wasmMatches(program, batch)).toEqual(interpreterMatches(program, batch));
    }), { numRuns: 600 });
    fc.assert(fc.property(runnableProgram(300), batchArbitrary, (program, batch) => {
      expect(wasmMatches(program, batch)).toEqual(interpreterMatches(program, batch));
    }), { numRuns: 100 });
  });

  it('on long programs with thousands of nested jump targets', () => {
    // ldb [k]; then n pairs "jeq #v jt 0 jf 1; ja T_i" whose far targets T_i ("ld #i + 1; ret a") are all
    // distinct, so n blocks are open at once; then ret #0. Pair i < 256 matches byte value i when i has the
    // chosen parity, the others never (values >= 256).
    const nested = (k: number, parity: number): RawInstruction[] => {
      const n = 3000;
      const program: RawInstruction[] = [{ code: 0x30, jt: 0, jf: 0, k }];
      const tails = 1 + 2 * n + 1;
      for (let i = 0; i < n; i++) {
        program.push({ code: 0x15, jt: 0, jf: 1, k: i < 256 && i % 2 === parity ? i : 256 + i });
        program.push({ code: 0x05, jt: 0, jf: 0, k: tails + 2 * i - (program.length + 1) });
      }
      program.push({ code: 0x06, jt: 0, jf: 0, k: 0 });
      for (let i = 0; i < n; i++) program.push({ code: 0x00, jt: 0, jf: 0, k: i + 1 }, { code: 0x16, jt: 0, jf: 0, k: 0 });
      return program;
    };
    fc.assert(fc.property(fc.integer({ min: 0, max: 70 }), fc.nat(1), batchArbitrary, (k, parity, batch) => {
      const program = nested(k, parity);
      expect(wasmMatches(program, batch)).toEqual(interpreterMatches(program, batch));
    }), { numRuns: 5 });
    // 256 records of 40 bytes, record v filled with v: exactly the records of the chosen parity match.
    const buffer = new Uint8Array(256 * 40).map((_, i) => Math.floor(i / 40));
    const batch: Batch = {
      buffer, offsets: Uint32Array.from({ length: 256 }, (_, v) => 40 * v), caps: new Uint32Array(256).fill(40), wires: new Uint32Array(256).fill(60),
    };
    const program = nested(33, 1);
    const accepted = wasmMatches(program, batch);
    expect(accepted).toEqual(interpreterMatches(program, batch));
    expect(accepted).toEqual(Array.from({ length: 128 }, (_, i) => 2 * i + 1));
  });

  it('on the edge cases of the semantics, with the values bpf_filter gives', () => {
    // Each program returns a value computed from A; the expected value is worked out from the rule stated.
    const packet = Uint8Array.from([0x12, 0x34, 0x56, 0x78, 0x9a]);
    const cases: [string, number, number][] = [
      ['ld #1\nlsh #33\nret a', 2, 5], // a shift by constant k shifts by k mod 32
      ['ld #0x80000000\nrsh #63\nret a', 1, 5],
      ['ld #1\nldx #32\nlsh x\nadd #7\nret a', 7, 5], // by X >= 32: 0
      ['ld #9\nldx #0\ndiv x\nret #5', 0, 5], // division by X = 0 returns 0
      ['ld #9\nldx #0\nmod x\nret #5', 0, 5],
      ['ld #0xffffffff\nadd #2\nret a', 1, 5], // 32-bit wrap-around
      ['ld #7\nneg\nret a', 0xfffffff9, 5],
      ['ld [1]\nret a', 0x3456789a, 5], // big-endian word
      ['ldh [3]\nret a', 0x789a, 5],
      ['ld [2]\nret a', 0, 5], // past the end: 0
      ['ld [1]\nret a', 0, 4], // past the captured length (the wire length is larger)
      ['ldx #0xffffffff\nldb [x + 2]\nret #1', 0, 5], // X + k past 2^32 is past the end, not wrapped
      ['ldxb 4*([0]&0xf)\ntxa\nret a', 8, 5],
      ['ld len\nret a', 60, 5],
      ['ld #3\nst M[4]\nldx M[4]\nld M[0]\nadd x\nret a', 3, 5], // an unstored word reads 0
    ];
    for (const [text, expected, captured] of cases) {
      const program = parseProgram(text);
      const engine = compileToWasmBatch(program);
      const views = engine.area.reserve(1, packet.length);
      views.bytes.set(packet);
      views.offsets[0] = 0;
      views.capturedLengths[0] = captured;
      views.wireLengths[0] = 60;
      const accepted = engine.run(1);
      expect(createInterpreter(program)(packet, captured, 60), text).toBe(expected);
      expect(accepted, text).toBe(expected !== 0 ? 1 : 0);
    }
  });

  it('runs several programs over one shared record area, unclamped and clamped, whole and from a start', () => {
    fc.assert(fc.property(fc.array(runnableProgram(16), { minLength: 2, maxLength: 4 }), batchArbitrary, (programs, batch) => {
      // Records written through views are run with the clamp; after clampRecords, by the loops that trust it.
      const area = new BpfWasmRecordArea();
      const views = area.reserve(batch.offsets.length, batch.buffer.length);
      views.bytes.set(batch.buffer);
      views.offsets.set(batch.offsets);
      views.capturedLengths.set(batch.caps);
      views.wireLengths.set(batch.wires);
      const engines = programs.map((program) => compileToWasmBatch(program, { area }));
      const expected = programs.map((program) => interpreterMatches(program, batch));
      const start = Math.floor(batch.offsets.length / 2);
      for (const clamped of [false, true]) {
        if (clamped) area.clampRecords();
        expect(area.clamped).toBe(clamped);
        engines.forEach((engine, i) => {
          const count = engine.run();
          expect(Array.from(area.acceptedIndices(count))).toEqual(expected[i]);
          expect(engine.countAccepted()).toBe(count);
          // A sub-range from `start`: indices counted from it, written from matches[start] on.
          const part = engine.run(batch.offsets.length - start, start);
          expect(Array.from(area.acceptedIndices(part, start))).toEqual(expected[i]!.filter((r) => r >= start).map((r) => r - start));
          expect(engine.countAccepted(batch.offsets.length - start, start)).toBe(part);
        });
      }
      area.views();
      expect(area.clamped).toBe(false);
    }), { numRuns: 150 });
  });
});

describe('compileToWasmBatch refuses', () => {
  it('programs with a backward jump, naming the instruction', () => {
    // ld #1; ja -2 (k = 2^32 - 2 lands on instruction 0, which bpf_validate accepts); ret #0
    const program: RawInstruction[] = [{ code: 0x00, jt: 0, jf: 0, k: 1 }, { code: 0x05, jt: 0, jf: 0, k: 0xfffffffe }, { code: 0x06, jt: 0, jf: 0, k: 0 }];
    expect(() => compileToWasmBatch(program)).toThrow(BpfError);
    expect(() => compileToWasmBatch(program)).toThrow(/instruction 1: ja jumps backward/);
    try { generateWasmBatchModule(program); } catch (error) { expect((error as BpfError).rule).toBe('backward-jump'); }
  });

  it('invalid programs, and bad batch arguments', () => {
    expect(() => compileToWasmBatch([])).toThrow(BpfError);
    expect(() => compileToWasmBatch([{ code: 0x00, jt: 0, jf: 0, k: 0 }])).toThrow(/last instruction is not a ret/);
    const engine = compileToWasmBatch(parseProgram('ret #1'));
    expect(() => engine.run(1)).toThrow(/0 records reserved/);
    engine.area.reserve(3, 0);
    expect(() => engine.run(2, 2)).toThrow(/within the 3 records reserved/);
    expect(() => engine.run(1, -1)).toThrow(/start -1/);
    expect(() => engine.runBatch(new Uint8Array(4), new Uint32Array(1), new Uint32Array(1), new Uint32Array(1), 2)).toThrow(BpfError);
    expect(() => engine.area.reserve(2 ** 28, 2 ** 31)).toThrow(/4 GiB/);
  });
});

describe('the WebAssembly encoder', () => {
  it('writes LEB128 as the WebAssembly spec and DWARF examples do', () => {
    expect(wasmUnsigned(0)).toEqual([0x00]);
    expect(wasmUnsigned(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(wasmUnsigned(0xffffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(wasmSigned(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(wasmSigned(-1)).toEqual([0x7f]);
    expect(wasmSigned(63)).toEqual([0x3f]);
    expect(wasmSigned(64)).toEqual([0xc0, 0x00]);
    expect(wasmSigned(-64)).toEqual([0x40]);
    expect(wasmSigned(-65)).toEqual([0xbf, 0x7f]);
  });

  it('round-trips unsigned and signed values through a decoder', () => {
    const decode = (bytes: number[], signed: boolean): number => {
      let value = 0;
      let scale = 1;
      for (const byte of bytes) { value += (byte & 0x7f) * scale; scale *= 128; }
      return signed && (bytes[bytes.length - 1]! & 0x40) !== 0 ? value - scale : value;
    };
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (n) => decode(wasmUnsigned(n), false) === n));
    fc.assert(fc.property(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), (n) => decode(wasmSigned(n), true) === n));
  });
});

describeWithOracle('compileToWasmBatch agrees with libpcap bpf_filter', libpcapAvailable(), 'gcc with libpcap-dev', () => {
  it('on libpcap\'s programs for the benchmark filters over the harness packets', () => {
    const { stock, programs, packets, expected } = libpcapBenchmarkCase();
    // All packets packed into one area, each program run over it.
    const total = packets.reduce((sum, p) => sum + p.data.length, 0);
    const area = new BpfWasmRecordArea();
    const views = area.reserve(packets.length, total);
    let at = 0;
    packets.forEach((p, r) => {
      views.bytes.set(p.data, at);
      views.offsets[r] = at;
      views.capturedLengths[r] = p.data.length;
      views.wireLengths[r] = p.wireLength ?? p.data.length;
      at += p.data.length;
    });
    let accepting = 0;
    programs.forEach((program, i) => {
      const count = compileToWasmBatch(program, { area }).run(packets.length);
      const accepted = new Set(area.acceptedIndices(count));
      const verdicts = packets.map((_, r) => accepted.has(r));
      expect(verdicts, stock[i]!).toEqual(expected[i]!.map((v) => v !== 0));
      if (count > 0 && count < packets.length) accepting++;
    });
    // The packets exercise the programs: most filters accept some and reject others.
    expect(accepting).toBeGreaterThanOrEqual(programs.length - 3);
  });
});
