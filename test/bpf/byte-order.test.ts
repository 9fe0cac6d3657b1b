/**
 * Little-endian loads in the generated JavaScript (swappedLoads in src/bpf/compile-js.ts): a 16- or 32-bit
 * load whose value is only tested by `jeq #k` / `jset #k` before A is overwritten reads the DataView
 * little-endian, and those tests compare with the constant's bytes swapped. Checked here: which loads
 * qualify (the rules, on small programs), and that chains of such tests, mixed with tests and
 * instructions that read A in other ways, give the interpreter's verdicts in the batch engines on packets
 * whose fields equal the tested constants, differ from them in one byte, or are cut short.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileToJs, compileToJsBatch, createInterpreter, generateJsBatchSource, parseProgram } from '../../src/bpf/index.js';
import { buildJsBatchLoop } from '../../src/bpf/compile-js-batch.js';
import { swappedLoads } from '../../src/bpf/compile-js.js';
import type { RawInstruction } from '../../src/bpf/opcodes.js';

const program = (text: string): RawInstruction[] => parseProgram(text);

describe('little-endian loads of the generated JavaScript', () => {
  it('swap a load only when A is read by nothing but jeq / jset #k until it is overwritten', () => {
    const tail = '\nyes: ret #1\nno: ret #0';
    expect([...swappedLoads(program(`ldh [12]\njeq #0x800, yes, no${tail}`))]).toEqual([0]);
    expect([...swappedLoads(program(`ld [26]\njeq #0x0a000001, yes, no${tail}`))]).toEqual([0]);
    expect([...swappedLoads(program(`ldh [12]\njset #0x8001, yes, no${tail}`))]).toEqual([0]);
    // A halfword never equals a constant past 16 bits: that test keeps the big-endian load.
    expect([...swappedLoads(program(`ldh [12]\njeq #0x10800, yes, no${tail}`))]).toEqual([]);
    // Ordered comparisons, X operands, arithmetic, tax, st and ret a read the value itself.
    expect([...swappedLoads(program(`ldh [12]\njgt #0x800, yes, no${tail}`))]).toEqual([]);
    expect([...swappedLoads(program(`ldh [12]\njge #0x800, yes, no${tail}`))]).toEqual([]);
    expect([...swappedLoads(program(`ldx #8\nldh [12]\njeq x, yes, no${tail}`))]).toEqual([]);
    expect([...swappedLoads(program(`ldh [12]\nadd #1\njeq #0x801, yes, no${tail}`))]).toEqual([]);
    expect([...swappedLoads(program(`ldh [12]\ntax\njeq #0x800, yes, no${tail}`))]).toEqual([]);
    expect([...swappedLoads(program(`ldh [12]\nst M[0]\njeq #0x800, yes, no${tail}`))]).toEqual([]);
    expect([...swappedLoads(program('ldh [12]\njeq #0x800, yes, no\nyes: ret a\nno: ret #0'))]).toEqual([]);
    // `and #k` masks the swapped value with the swapped constant.
    expect([...swappedLoads(program(`ldh [20]\nand #0x1fff\njeq #0, no, yes${tail}`))]).toEqual([0]);
    expect([...swappedLoads(program(`ld [26]\nand #0xff000000\njset #0x0a000000, yes, no${tail}`))]).toEqual([0]);
    expect([...swappedLoads(program(`ldh [20]\nor #1\njeq #1, no, yes${tail}`))]).toEqual([]);
    // ldx and stx leave A alone; a load overwrites it (so the first load's value is dead there).
    expect([...swappedLoads(program(`ldh [12]\nldx #4\nstx M[1]\njeq #0x800, yes, no${tail}`))]).toEqual([0]);
    expect([...swappedLoads(program(`ldh [12]\njeq #0x800, more, no\nmore: ldh [x + 20]\njeq #80, yes, no${tail}`))]).toEqual([0, 2]);
    expect([...swappedLoads(program('ldh [12]\njeq #0x800, more, no\nmore: ld #5\nret a\nno: ret #0'))]).toEqual([0]);
    // Every path counts: one that ends in `ret a` keeps the load big-endian.
    expect([...swappedLoads(program('ldh [12]\njeq #0x800, yes, no\nyes: ret #1\nno: ret a'))]).toEqual([]);
    // Bytes need no swap; programs with backward jumps run in the loop form, which reads big-endian.
    expect([...swappedLoads(program(`ldb [12]\njeq #8, yes, no${tail}`))]).toEqual([]);
    expect([...swappedLoads([{ code: 0x28, jt: 0, jf: 0, k: 12 }, { code: 0x05, jt: 0, jf: 0, k: 0 }, { code: 0x05, jt: 0, jf: 0, k: 0xfffffffe }, { code: 0x06, jt: 0, jf: 0, k: 0 }])]).toEqual([]);
  });

  it('write the swapped constant next to the little-endian read', () => {
    const { body } = generateJsBatchSource(program('ldh [12]\njeq #0x86dd, more, no\nmore: ld [22]\njset #0x01020304, yes, no\nyes: ret #1\nno: ret #0'));
    expect(body).toContain('v.getUint16(o + 12, true)');
    expect(body).toContain(`a === ${0xdd86}`);
    expect(body).toContain('v.getUint32(o + 22, true)');
    expect(body).toContain(`(a & ${0x04030201}) !== 0`);
    // Without the DataView (byte loads), nothing is swapped.
    expect(generateJsBatchSource(program('ldh [12]\njeq #0x86dd, yes, no\nyes: ret #1\nno: ret #0'), { dataView: false }).body).toContain('a === 34525');
  });

  /**
   * Programs of chained tests on a template packet's fields: each a 16- or 32-bit load (absolute, or
   * indexed after `ldx #n`), sometimes an instruction that reads A, then jeq / jset / jgt / jge against the
   * field's big-endian value, its byte swap, a constant past 16 bits or a random one; each outcome goes to
   * the next test, to `ret #1`, `ret #0` or `ret a`.
   */
  const chain = fc.record({
    template: fc.uint8Array({ minLength: 48, maxLength: 72 }),
    tests: fc.array(fc.record({
      size: fc.constantFrom(2, 4),
      offset: fc.integer({ min: 0, max: 40 }),
      indexed: fc.nat(3).map((n) => (n === 0 ? 0 : n === 1 ? 2 : -1)),
      between: fc.constantFrom('none', 'none', 'none', 'and', 'and', 'add', 'tax', 'ldx', 'st'),
      mask: fc.constantFrom(0x1fff, 0xff00, 0xff000000, 0x00ff00ff, 0xffffffff, 0),
      jump: fc.constantFrom(0x15, 0x15, 0x45, 0x25, 0x35),
      constant: fc.constantFrom('field', 'field', 'swapped', 'wide', 'random'),
      random: fc.integer({ min: 0, max: 0xffffffff }),
      whenTrue: fc.constantFrom('next', 'accept', 'reject', 'a'),
      whenFalse: fc.constantFrom('next', 'accept', 'reject', 'a'),
    }), { minLength: 1, maxLength: 5 }),
  }).map(({ template, tests }) => {
    const view = new DataView(template.buffer, template.byteOffset, template.byteLength);
    const code: RawInstruction[] = [];
    const jumps: { at: number; whenTrue: string; whenFalse: string; next: number }[] = [];
    for (const test of tests) {
      const x = test.indexed < 0 ? 0 : test.indexed;
      if (test.indexed >= 0) code.push({ code: 0x01, jt: 0, jf: 0, k: x });
      const at = test.offset + x;
      code.push({ code: test.indexed >= 0 ? (test.size === 4 ? 0x40 : 0x48) : (test.size === 4 ? 0x20 : 0x28), jt: 0, jf: 0, k: test.offset });
      const field = test.size === 4 ? view.getUint32(at) : view.getUint16(at);
      const swapped = test.size === 4 ? view.getUint32(at, true) : view.getUint16(at, true);
      if (test.between === 'and') code.push({ code: 0x54, jt: 0, jf: 0, k: test.mask });
      if (test.between === 'add') code.push({ code: 0x04, jt: 0, jf: 0, k: 0 });
      if (test.between === 'tax') code.push({ code: 0x07, jt: 0, jf: 0, k: 0 });
      if (test.between === 'ldx') code.push({ code: 0x01, jt: 0, jf: 0, k: 9 });
      if (test.between === 'st') code.push({ code: 0x02, jt: 0, jf: 0, k: 3 });
      const tested = test.between === 'and' ? (field & test.mask) >>> 0 : field;
      const k = test.constant === 'field' ? tested : test.constant === 'swapped' ? swapped : test.constant === 'wide' ? field + 0x10000 : test.random;
      jumps.push({ at: code.length, whenTrue: test.whenTrue, whenFalse: test.whenFalse, next: 0 });
      code.push({ code: test.jump, jt: 0, jf: 0, k: k >>> 0 });
    }
    const accept = code.length;
    code.push({ code: 0x06, jt: 0, jf: 0, k: 1 }, { code: 0x06, jt: 0, jf: 0, k: 0 }, { code: 0x16, jt: 0, jf: 0, k: 0 });
    const target = (what: string, at: number): number => {
      const next = at + 1;
      const to = what === 'accept' ? accept : what === 'reject' ? accept + 1 : what === 'a' ? accept + 2 : next;
      return to - at - 1;
    };
    for (const jump of jumps) {
      code[jump.at] = { ...code[jump.at]!, jt: target(jump.whenTrue, jump.at), jf: target(jump.whenFalse, jump.at) };
    }
    return { template, program: code };
  });

  it('give the interpreter verdicts on packets that match the tested fields, miss them by a byte, or are cut short', () => {
    fc.assert(fc.property(chain, fc.nat(71), fc.nat(255), ({ template, program: code }, flip, xor) => {
      // Records: the template, the template with one byte changed, the template cut at every length from 40.
      const changed = Uint8Array.from(template);
      changed[flip % changed.length] ^= xor | 1;
      const packets = [template, changed, ...Array.from({ length: template.length - 39 }, (_, n) => template.subarray(0, 40 + n))];
      const size = packets.reduce((sum, p) => sum + p.length, 0);
      const buffer = new Uint8Array(size);
      const offsets = new Uint32Array(packets.length);
      const caps = new Uint32Array(packets.length);
      let at = 0;
      packets.forEach((packet, n) => { buffer.set(packet, at); offsets[n] = at; caps[n] = packet.length; at += packet.length; });
      const wires = Uint32Array.from(caps);
      const single = createInterpreter(code);
      const js = compileToJs(code);
      const expected = packets.flatMap((packet, n) => (single(packet, packet.length, packet.length) !== 0 ? [n] : []));
      for (const [n, packet] of packets.entries()) expect(js(packet, packet.length, packet.length) !== 0, `js call ${n}`).toBe(expected.includes(n));
      const matches = new Uint32Array(packets.length);
      expect(compileToJsBatch(code)(buffer, offsets, caps, wires, packets.length, matches)).toBe(expected.length);
      expect(Array.from(matches.subarray(0, expected.length))).toEqual(expected);
      for (const options of [{ unroll: false }, { wideBuffer: true }, { dataView: false }]) {
        const count = buildJsBatchLoop(code, { ...options, indices: true })(buffer, offsets, caps, wires, packets.length, matches);
        expect(Array.from(matches.subarray(0, count)), JSON.stringify(options)).toEqual(expected);
      }
    }), { numRuns: 300 });
  });
});
