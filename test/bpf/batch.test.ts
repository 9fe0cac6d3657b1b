/**
 * The batch engines (createBatchInterpreter, compileToJsBatch and the generated loop's variants) against the
 * single-packet interpreter, on records laid out anywhere in a buffer, including records that run past the
 * buffer's end, offsets and captured lengths of 2^31 or more, and a buffer shared with other data. Also
 * the arguments they refuse, the step budget, the CSP fallback and what the generated source may contain.
 * (Agreement with libpcap itself is in differential.test.ts.)
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BpfError, BpfStepBudgetError, compileToJs, compileToJsBatch, createBatchInterpreter, createInterpreter, generateJsBatchSource, parseProgram } from '../../src/bpf/index.js';
import { boundedReadEnd, buildJsBatchLoop } from '../../src/bpf/compile-js-batch.js';
import { leadingReadSwitch } from '../../src/bpf/batch-groups.js';
import { randomPacket, runnableProgram } from './program-arbitrary.js';

/** One record of a batch: where its bytes start (possibly past the buffer) and the lengths it claims. */
interface RecordLayout { offset: number; capturedLength: number; wireLength: number }

/**
 * A buffer and records in it: each packet after a random gap; then some records are bent to lie about
 * their place (an offset at or past the end, 2^31 or more, a captured length running past the end or of
 * 2^31 or more).
 */
const batchArbitrary = fc.record({
  packets: fc.array(fc.tuple(randomPacket(60), fc.nat(6)), { minLength: 0, maxLength: 12 }),
  tail: fc.uint8Array({ maxLength: 8 }),
  bends: fc.array(fc.tuple(fc.nat(11), fc.constantFrom('offset-end', 'offset-past', 'offset-2^31', 'offset-max', 'cap-past', 'cap-2^31', 'cap-max')), { maxLength: 4 }),
}).map(({ packets, tail, bends }) => {
  const size = packets.reduce((sum, [packet, gap]) => sum + gap + packet.data.length, 0) + tail.length;
  const buffer = new Uint8Array(size);
  const records: RecordLayout[] = [];
  let at = 0;
  for (const [packet, gap] of packets) {
    buffer.fill(0x5a, at, at + gap);
    at += gap;
    buffer.set(packet.data, at);
    records.push({ offset: at, capturedLength: packet.data.length, wireLength: packet.wireLength ?? packet.data.length });
    at += packet.data.length;
  }
  buffer.set(tail, at);
  for (const [index, bend] of bends) {
    const record = records[index];
    if (!record) continue;
    if (bend === 'offset-end') record.offset = size;
    if (bend === 'offset-past') record.offset = size + 3;
    if (bend === 'offset-2^31') record.offset = 0x80000000;
    if (bend === 'offset-max') record.offset = 0xffffffff;
    if (bend === 'cap-past') record.capturedLength = size - record.offset + 5;
    if (bend === 'cap-2^31') record.capturedLength = 0x80000000;
    if (bend === 'cap-max') record.capturedLength = 0xffffffff;
  }
  return { buffer, records };
});

/** Loads that accept exactly when the record has more than k bytes, so a wrong record length shows. */
const lengthProbe = fc.tuple(fc.nat(64), fc.constantFrom('ldb [K]', 'ldh [K]', 'ld [K]', 'ldx #K\nldb [x + 0]', 'ldx #1\nldh [x + K]'))
  .map(([k, load]) => parseProgram(`${load.replace('K', String(k))}\nret #1`));

function arrays(records: readonly RecordLayout[]): { offsets: Uint32Array; caps: Uint32Array; wires: Uint32Array } {
  return {
    offsets: Uint32Array.from(records, (r) => r.offset),
    caps: Uint32Array.from(records, (r) => r.capturedLength),
    wires: Uint32Array.from(records, (r) => r.wireLength),
  };
}

describe('batch engines', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('accept exactly the records the single-packet interpreter accepts, wherever the records lie', () => {
    fc.assert(fc.property(fc.oneof(runnableProgram(30), lengthProbe), batchArbitrary, (program, { buffer, records }) => {
      const single = createInterpreter(program);
      const expected = records.flatMap((r, index) => (single(buffer, r.capturedLength, r.wireLength, r.offset) !== 0 ? [index] : []));
      const { offsets, caps, wires } = arrays(records);
      const n = records.length;
      const engines = {
        interp: createBatchInterpreter(program),
        js: compileToJsBatch(program),
        loop: compileToJsBatch(program, { form: 'loop' }),
      };
      for (const [name, run] of Object.entries(engines)) {
        const matches = new Uint32Array(n).fill(77);
        expect(run(buffer, offsets, caps, wires, n, matches), name).toBe(expected.length);
        expect(Array.from(matches.subarray(0, expected.length)), name).toEqual(expected);
        expect(run(buffer, offsets, caps, wires, n), name).toBe(expected.length);
      }
      // The wide-buffer form (chosen for buffers of 2 GiB or more) and the byte-load form, on the same records.
      for (const options of [{ wideBuffer: true }, { dataView: false }, { wideBuffer: true, dataView: false }, { unroll: false }]) {
        const matches = new Uint32Array(n);
        const count = buildJsBatchLoop(program, { ...options, indices: true })(buffer, offsets, caps, wires, n, matches);
        expect(Array.from(matches.subarray(0, count)), JSON.stringify(options)).toEqual(expected);
      }
    }), { numRuns: 400 });
  });

  it('count and list every record of long runs (stretches of the unrolled loop, and their ends)', () => {
    const runLength = fc.integer({ min: 1000, max: 3100 });
    fc.assert(fc.property(fc.oneof(runnableProgram(30), lengthProbe), batchArbitrary, runLength, fc.integer({ min: 0, max: 3100 }), (program, { buffer, records }, length, cut) => {
      if (records.length === 0) return;
      // `length` records cycling through the generated ones, one of them (at `cut`) cut short so that its group leaves the unrolled loop.
      const all = Array.from({ length }, (_, n) => records[n % records.length]!);
      if (cut < length) all[cut] = { ...all[cut]!, capturedLength: Math.min(all[cut]!.capturedLength, 3) };
      const single = createInterpreter(program);
      const expected = all.flatMap((r, index) => (single(buffer, r.capturedLength, r.wireLength, r.offset) !== 0 ? [index] : []));
      const { offsets, caps, wires } = arrays(all);
      const run = compileToJsBatch(program);
      const matches = new Uint32Array(length);
      expect(run(buffer, offsets, caps, wires, length, matches)).toBe(expected.length);
      expect(Array.from(matches.subarray(0, expected.length))).toEqual(expected);
      expect(run(buffer, offsets, caps, wires, length)).toBe(expected.length);
    }), { numRuns: 60 });
  });

  it('check every captured length of a stretch in the prepass, wherever the one short record sits', () => {
    // A stretch whose lengths all pass the prepass runs a group loop that loads no lengths; one record of
    // 13 bytes (one short of the program's 14) must send its stretch to the checking loop. The short record
    // takes every position around the prepass's eight-record steps, its four-record tail and the stretch
    // ends, in runs that end on and off a group boundary. (The first load reads one byte, so the loop does not
    // leave the offsets to it, which would take the lengths into the group loop instead of a prepass.)
    const program = parseProgram('ldb [0]\nldh [12]\njeq #0x800, yes, no\nyes: ret #1\nno: ret #0');
    const frame = new Uint8Array(60);
    frame[12] = 0x08;
    const buffer = new Uint8Array(120);
    buffer.set(frame, 0);
    buffer.set(frame, 60);
    buffer[60 + 13] = 1; // the frame at 60 has type 0x0801 (rejected); the one at 0 is IPv4 (accepted when whole)
    const run = compileToJsBatch(program);
    const single = createInterpreter(program);
    for (const length of [1024, 1027, 1030, 2051, 2056]) {
      const positions = [...Array.from({ length: 16 }, (_, n) => n), ...Array.from({ length: 16 }, (_, n) => 1016 + n), ...Array.from({ length: 9 }, (_, n) => length - 9 + n)];
      for (const cut of positions.filter((n) => n >= 0 && n < length)) {
        const offsets = Uint32Array.from({ length }, (_, n) => (n % 3 === 0 ? 60 : 0));
        const caps = new Uint32Array(length).fill(60);
        caps[cut] = 13;
        offsets[cut] = 0; // an IPv4 frame: only its captured length rejects it
        const wires = new Uint32Array(length).fill(60);
        const expected = Array.from({ length }, (_, n) => n).filter((n) => single(buffer, caps[n]!, 60, offsets[n]!) !== 0);
        const matches = new Uint32Array(length);
        expect(run(buffer, offsets, caps, wires, length, matches), `${length} records, short at ${cut}`).toBe(expected.length);
        expect(Array.from(matches.subarray(0, expected.length))).toEqual(expected);
      }
    }
    expect(generateJsBatchSource(program).body).toContain('tooShort');
  });

  it('know how far a program can read when X is only loaded with constants or IPv4 header lengths', () => {
    // X is 0 or what the last ldx put there: `ldxb 4*([14]&0xf)` is at most 60, so `ldh [x + 16]` ends by 78.
    expect(boundedReadEnd(parseProgram('ldxb 4*([14]&0xf)\nldh [x + 16]\njeq #80, yes, no\nyes: ret #1\nno: ret #0'))).toBe(78);
    expect(boundedReadEnd(parseProgram('ldx #5\nld [x + 10]\nldb [30]\nret a'))).toBe(31);
    expect(boundedReadEnd(parseProgram('ldx #100\nldxb 4*([14]&0xf)\nldb [x + 0]\nret a'))).toBe(101);
    // X from A, the scratch memory or the wire length: unknown. Past 4096 bytes: not vouched for.
    expect(boundedReadEnd(parseProgram('ldb [0]\ntax\nldb [x + 0]\nret a'))).toBeUndefined();
    expect(boundedReadEnd(parseProgram('ldx M[0]\nldb [x + 0]\nret a'))).toBeUndefined();
    expect(boundedReadEnd(parseProgram('ldx len\nldb [x + 0]\nret a'))).toBeUndefined();
    expect(boundedReadEnd(parseProgram('ldb [5000]\nret a'))).toBeUndefined();
    expect(generateJsBatchSource(parseProgram('ldxb 4*([14]&0xf)\nldh [x + 16]\njeq #80, yes, no\nyes: ret #1\nno: ret #0')).body).toContain('size - 78');
  });

  it('turn the leading read off for good after it first threw, dropping the variants built with it', () => {
    const variants: (string | undefined)[] = ['counting', 'indices', undefined, 'wide'];
    const leadingRead = leadingReadSwitch(variants);
    expect(leadingRead.on).toBe(true);
    leadingRead.failed();
    expect(leadingRead.on).toBe(false);
    expect(variants).toEqual([undefined, undefined, undefined, undefined]);
    // Variants built afterwards (without the leading read) stay: a later call changes nothing.
    variants[0] = 'rebuilt';
    leadingRead.failed();
    expect(leadingRead.on).toBe(false);
    expect(variants).toEqual(['rebuilt', undefined, undefined, undefined]);
  });

  it('leave the offsets to a leading read that throws outside the buffer, and give the exact verdicts when it throws, in optimized code too', () => {
    // `ldh [12]` first reads the 14 bytes the group asks for: the group loop reads offsets unchecked and
    // catches the RangeError of a record lying partly or wholly outside the buffer (or at 2^31 and more).
    // The loop is first made hot on whole frames (so that V8 optimizes it), then meets such records in every
    // position of a group, and must still count and list exactly what the one-record interpreter accepts,
    // and then run whole frames again.
    const program = parseProgram('ldh [12]\njeq #0x800, yes, no\nyes: ret #1\nno: ret #0');
    const shortFirst = parseProgram('ldb [0]\nldh [12]\njeq #0x800, yes, no\nyes: ret #1\nno: ret #0');
    expect(generateJsBatchSource(program).body).toContain('catch');
    expect(generateJsBatchSource(shortFirst).body).not.toContain('catch');
    const frames = 40;
    const buffer = new Uint8Array(60 * frames);
    for (let n = 0; n < frames; n++) { buffer[60 * n + 12] = 0x08; buffer[60 * n + 13] = n % 3 === 0 ? 1 : 0; }
    const size = buffer.length;
    const single = createInterpreter(program);
    for (const indices of [false, true]) {
      const run = compileToJsBatch(program);
      const batch = (records: readonly RecordLayout[]): void => {
        const { offsets, caps, wires } = arrays(records);
        const expected = records.flatMap((r, index) => (single(buffer, r.capturedLength, r.wireLength, r.offset) !== 0 ? [index] : []));
        const matches = new Uint32Array(records.length);
        const count = run(buffer, offsets, caps, wires, records.length, indices ? matches : undefined);
        expect(count, `${records.length} records`).toBe(expected.length);
        if (indices) expect(Array.from(matches.subarray(0, count))).toEqual(expected);
      };
      const whole = Array.from({ length: 4000 }, (_, n): RecordLayout => ({ offset: 60 * (n % frames), capturedLength: 60, wireLength: 60 }));
      for (let n = 0; n < 60; n++) batch(whole);
      for (const offset of [size - 15, size - 14, size - 13, size - 2, size, size + 1, 0x7fffffff, 0x80000000, 0xfffffff4, 0xffffffff]) {
        for (const capturedLength of [14, 60, 0x80000000]) {
          for (let position = 0; position < 9; position++) {
            const records = whole.slice(0, 2048 + 24);
            records[1024 + position] = { offset, capturedLength, wireLength: 60 };
            records[2048 + position] = { offset, capturedLength, wireLength: 60 };
            batch(records);
          }
        }
      }
      batch(whole);
    }
  });

  it('unrolled in groups of four or eight records, send every record the fused length test cannot vouch for to the exact one-record loop', () => {
    // Loads that accept exactly when the record has more than k bytes, alone (the fused test covers the
    // load's check) or after a first 4-byte test that every path passes (the fused test covers four bytes
    // and the load keeps its check of the record's length); on records whose offsets and captured lengths
    // sit on every edge of those tests: around both lengths, around the end of the buffer, and at and just
    // past 2^31 and at 2^32 - 1; in every order, so that each position of a group of four meets each kind.
    const size = 96;
    fc.assert(fc.property(fc.constantFrom(0, 1, 13, 14, 15, 40, 95, 96, 97), fc.constantFrom('ldb', 'ldh', 'ld', 'ldxb', 'len'), fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 1000 }),
      (k, load, firstWord, indices, shuffle) => {
        const test = load === 'ldxb' ? `ldxb 4*([${k}]&0xf)\ntxa\njeq #0, no, yes` : load === 'len' ? `ld len\njgt #${k}, yes, no` : `${load} [${k}]\njeq #0, no, yes`;
        const text = `${firstWord ? 'ld [0]\njset #0, no, more\nmore: ' : ''}${test}\nyes: ret #1\nno: ret #0`;
        const program = parseProgram(text);
        const buffer = Uint8Array.from({ length: size }, (_, n) => (n * 7 + 1) & 0xff || 1);
        const end = k + (load === 'ld' ? 4 : load === 'ldh' ? 2 : 1);
        const records: RecordLayout[] = [];
        for (const least of [4, end]) {
          for (const offset of [0, 1, size - least - 1, size - least, size - least + 1, size - 1, size, 0x7fffffff, 0x80000000, 0xffffffff].filter((o) => o >= 0)) {
            for (const capturedLength of [0, least - 1, least, least + 1, size - offset - 1, size - offset, size - offset + 1, 0x7fffffff, 0x80000000, 0x80000001, 0x80000003, 0xffffffff]) {
              if (capturedLength >= 0 && capturedLength <= 0xffffffff) records.push({ offset, capturedLength, wireLength: (offset + capturedLength) % 200 });
            }
          }
        }
        // Each record in each position of a group whose other records pass the fused test (a whole record at
        // the start of the buffer), then all of them in a deterministic shuffle, so that groups also mix records
        // the fused test passes and fails.
        const whole: RecordLayout = { offset: 0, capturedLength: size, wireLength: size };
        const grouped = records.flatMap((record, n) => Array.from({ length: 8 }, (_, position) => (position === n % 8 ? record : whole)));
        const shuffled = [...records];
        for (let n = shuffled.length - 1; n > 0; n--) { const m = (n * 7919 + shuffle) % (n + 1); [shuffled[n], shuffled[m]] = [shuffled[m]!, shuffled[n]!]; }
        records.splice(0, records.length, ...grouped, ...shuffled);
        const single = createInterpreter(program);
        const expected = records.flatMap((r, index) => (single(buffer, r.capturedLength, r.wireLength, r.offset) !== 0 ? [index] : []));
        const { offsets: o, caps, wires } = arrays(records);
        for (const unroll of [true, false]) {
          const matches = new Uint32Array(records.length);
          const count = buildJsBatchLoop(program, { unroll, indices })(buffer, o, caps, wires, records.length, indices ? matches : undefined);
          expect(count, `${text} unroll ${unroll}`).toBe(expected.length);
          if (indices) expect(Array.from(matches.subarray(0, count)), `${text} unroll ${unroll}`).toEqual(expected);
        }
        // The unrolled form is the one chosen for such small programs.
        expect(generateJsBatchSource(program).body).toContain('record3');
      }), { numRuns: 300 });
  });

  it('take buffers of 2 GiB or more (offsets past 2^31) on their general path, and loads at the 2^31 edge, with the same verdicts', () => {
    // The pages are mapped lazily: only the few written near the start and past 2^31 take memory.
    const big = new Uint8Array(2 ** 31 + 4096);
    const high = 2 ** 31 + 100;
    fc.assert(fc.property(fc.oneof(runnableProgram(20), lengthProbe), fc.array(randomPacket(60), { minLength: 1, maxLength: 6 }), (program, packets) => {
      const records: RecordLayout[] = [];
      packets.forEach((packet, index) => {
        // Alternate between the start of the buffer and past 2^31; the last record runs past the buffer's end.
        const offset = index % 2 === 0 ? index * 64 : high + index * 64;
        big.set(packet.data, offset);
        records.push({ offset, capturedLength: packet.data.length, wireLength: packet.wireLength ?? packet.data.length });
      });
      records.push({ offset: big.length - 3, capturedLength: 40, wireLength: 40 });
      const single = createInterpreter(program);
      const expected = records.flatMap((r, index) => (single(big, r.capturedLength, r.wireLength, r.offset) !== 0 ? [index] : []));
      const { offsets, caps, wires } = arrays(records);
      for (const run of [createBatchInterpreter(program), compileToJsBatch(program)]) {
        const matches = new Uint32Array(records.length);
        const count = run(big, offsets, caps, wires, records.length, matches);
        expect(Array.from(matches.subarray(0, count))).toEqual(expected);
      }
    }), { numRuns: 150 });
    // Absolute loads from offsets near and past 2^31 succeed in a packet that long: the interpreter's far-load
    // path against the compiled function's plain code, and the batch engines' verdicts.
    big.set([0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf1], 2 ** 31 - 4);
    for (const k of [2 ** 31 - 17, 2 ** 31 - 16, 2 ** 31 - 4, 2 ** 31 - 2, 2 ** 31, 2 ** 31 + 2, 2 ** 31 + 4096 - 4, 2 ** 31 + 4096 - 1, 2 ** 31 + 4096]) {
      for (const load of ['ld', 'ldh', 'ldb', 'ldxb']) {
        const text = load === 'ldxb' ? `ldxb 4*([${k}]&0xf)\ntxa\nret a` : `${load} [${k}]\nret a`;
        const program = parseProgram(text);
        for (const capturedLength of [big.length, big.length - 1, k + 1]) {
          const expected = compileToJs(program)(big, capturedLength, capturedLength);
          expect(createInterpreter(program)(big, capturedLength, capturedLength), `${text} / ${capturedLength}`).toBe(expected);
          const one = Uint32Array.of(0);
          for (const run of [createBatchInterpreter(program), compileToJsBatch(program)]) {
            expect(run(big, one, Uint32Array.of(capturedLength), Uint32Array.of(capturedLength), 1), `${text} / ${capturedLength}`).toBe(expected !== 0 ? 1 : 0);
          }
        }
      }
    }
    // The largest buffer the int32 loops take (2^31 - 1 bytes): far loads at its very end.
    const edge = new Uint8Array(2 ** 31 - 1);
    edge.set([0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88], edge.length - 8);
    for (let k = edge.length - 20; k <= edge.length + 1; k++) {
      for (const load of ['ld', 'ldh', 'ldb']) {
        const program = parseProgram(`${load} [${k}]\nret a`);
        for (const capturedLength of [edge.length, edge.length - 1]) {
          const expected = compileToJs(program)(edge, capturedLength, capturedLength) !== 0 ? 1 : 0;
          const one = Uint32Array.of(0);
          for (const run of [createBatchInterpreter(program), compileToJsBatch(program)]) {
            expect(run(edge, one, Uint32Array.of(capturedLength), Uint32Array.of(capturedLength), 1), `${load} [${k}] / ${capturedLength}`).toBe(expected);
          }
        }
      }
    }
  });

  it('run only the first `count` records', () => {
    const program = parseProgram('ld #1\nret a');
    const offsets = new Uint32Array(5);
    const lengths = new Uint32Array(5);
    for (const run of [createBatchInterpreter(program), compileToJsBatch(program)]) {
      const matches = new Uint32Array(5);
      expect(run(new Uint8Array(0), offsets, lengths, lengths, 3, matches)).toBe(3);
      expect(Array.from(matches)).toEqual([0, 1, 2, 0, 0]);
      expect(run(new Uint8Array(0), offsets, lengths, lengths, 0)).toBe(0);
    }
  });

  it('refuse arguments that do not describe a batch, naming what is wrong', () => {
    const program = parseProgram('ret #1');
    const three = new Uint32Array(3);
    for (const run of [createBatchInterpreter(program), compileToJsBatch(program)]) {
      const bytes = new Uint8Array(4);
      expect(() => run(bytes, three, three, three, 4)).toThrow(/count 4 exceeds the 3 offsets/);
      expect(() => run(bytes, three, new Uint32Array(2), three, 3)).toThrow(/count 3 exceeds the 2 captured lengths/);
      expect(() => run(bytes, three, three, new Uint32Array(1), 3)).toThrow(/count 3 exceeds the 1 wire lengths/);
      expect(() => run(bytes, three, three, three, -1)).toThrow(/count -1 is not a non-negative integer/);
      expect(() => run(bytes, three, three, three, 1.5)).toThrow(BpfError);
      expect(() => run(bytes, three, three, three, 3, new Uint32Array(2))).toThrow(/matches holds 2 indices, fewer than count 3/);
      expect(() => run(bytes, new Int32Array(3) as unknown as Uint32Array, three, three, 3)).toThrow(/offsets must be a Uint32Array/);
      expect(() => run([1, 2] as unknown as Uint8Array, three, three, three, 3)).toThrow(/buffer must be a Uint8Array/);
    }
  });

  it('refuse programs libpcap would not run', () => {
    expect(() => compileToJsBatch([])).toThrow(/empty/);
    expect(() => createBatchInterpreter([{ code: 0x08, jt: 0, jf: 0, k: 0 }, { code: 0x06, jt: 0, jf: 0, k: 0 }])).toThrow(/not a classic BPF instruction/);
  });

  it('stop a program that loops forever with a step-budget error naming the instruction', () => {
    const forever = parseProgram('L: ld #1\nja L\nret a');
    const one = new Uint32Array(1);
    for (const run of [createBatchInterpreter(forever, { backwardJumpBudget: 100 }), compileToJsBatch(forever, { backwardJumpBudget: 100 })]) {
      expect(() => run(new Uint8Array(0), one, one, one, 1)).toThrow(BpfStepBudgetError);
      expect(() => run(new Uint8Array(0), one, one, one, 1)).toThrow(/budget of 100 backward jumps at instruction 1/);
    }
    // A loop that ends runs record after record with a fresh budget each.
    const counting = parseProgram('ldx len\nld #0\nL: add #1\njge x, out, again\nagain: ja L\nout: ret a');
    const wires = Uint32Array.of(1, 50, 90);
    const zeros = new Uint32Array(3);
    for (const run of [createBatchInterpreter(counting, { backwardJumpBudget: 90 }), compileToJsBatch(counting, { backwardJumpBudget: 90 })]) {
      const matches = new Uint32Array(3);
      expect(run(new Uint8Array(0), zeros, zeros, wires, 3, matches)).toBe(3);
    }
  });

  it('fall back to the batch interpreter where new Function is refused (CSP)', () => {
    vi.stubGlobal('Function', function refused() { throw new EvalError('Refused to evaluate a string as JavaScript (CSP)'); });
    const program = parseProgram('ldh [12]\njeq #0x800, yes\nret #0\nyes: ret #65535');
    const run = compileToJsBatch(program);
    // Two 14-byte frames: an IPv4 one at offset 0 and an ARP one at 14.
    const buffer = new Uint8Array(28);
    buffer[12] = 0x08; buffer[26] = 0x08; buffer[27] = 0x06;
    const matches = new Uint32Array(2);
    expect(run(buffer, Uint32Array.of(0, 14), Uint32Array.of(14, 14), Uint32Array.of(60, 60), 2, matches)).toBe(1);
    expect(matches[0]).toBe(0);
  });

  it('generate source only from numbers and fixed templates', () => {
    const allowed = new Set(['const', 'let', 'if', 'return', 'for', 'switch', 'case', 'continue', 'len', 'p', 'length', 'a', 'x', 'i', 'o',
      'c', 'r', 'm', 'v', 'room', 'size', 'records', 'offsets', 'capturedLengths', 'wireLengths', 'wireLength', 'count', 'matches', 'new',
      'DataView', 'buffer', 'byteOffset', 'getUint8', 'getUint16', 'getUint32', 'pc', 'backward', 'Math', 'imul', 'floor', 'max', 'min', 'budgetExceeded',
      'break', 'stop', 'limit', 'last', 'g', 'stretch', 'true', 'k', 'tooShort', 'else', 'try', 'catch', 'error', 'instanceof', 'RangeError',
      'throw', 'groupCount', 'leadingReadFailed', ...Array.from({ length: 16 }, (_, n) => `m${n}`),
      ...Array.from({ length: 8 }, (_, n) => [`o${n}`, `c${n}`, `room${n}`, `record${n}`]).flat()]);
    fc.assert(fc.property(runnableProgram(40), fc.boolean(), fc.boolean(), fc.constantFrom('tree', 'loop') as fc.Arbitrary<'tree' | 'loop'>, (program, indices, wideBuffer, form) => {
      const { body } = generateJsBatchSource(program, { indices, wideBuffer, form });
      expect(body).not.toMatch(/["'`\\]/);
      for (const word of body.match(/[A-Za-z_$][\w$]*/g) ?? []) expect(allowed.has(word), word).toBe(true);
    }), { numRuns: 500 });
  });
});
