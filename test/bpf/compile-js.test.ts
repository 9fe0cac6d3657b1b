/**
 * BPF to JavaScript: the generated source holds only numbers and fixed templates, the forms are chosen as
 * documented, backward jumps run under the step budget, and a refused `new Function` falls back to the
 * interpreter. (Agreement with libpcap is in differential.test.ts.)
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BpfStepBudgetError, compileToJs, createInterpreter, generateJsSource, interpret, parseProgram } from '../../src/bpf/index.js';
import { lengthCheckedOnEveryPath } from '../../src/bpf/compile-js.js';
import type { RawInstruction } from '../../src/bpf/opcodes.js';
import { randomPacket, runnableProgram } from './program-arbitrary.js';

/** Every identifier the code generator may write; anything else would have come from outside. */
const allowedWords = new Set(['const', 'let', 'if', 'return', 'for', 'switch', 'case', 'continue', 'len', 'capturedLength', 'p', 'length',
  'a', 'x', 'i', 'o', 'offset', 'room', 'undefined', 'pc', 'backward', 'wireLength', 'Math', 'imul', 'floor', 'budgetExceeded',
  ...Array.from({ length: 16 }, (_, n) => `m${n}`)]);

function checkSourceIsTemplateOnly(body: string): void {
  expect(body).not.toMatch(/["'`\\]/);
  for (const word of body.match(/[A-Za-z_$][\w$]*/g) ?? []) expect(allowedWords.has(word), word).toBe(true);
}

describe('compileToJs', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('builds source only from numbers and fixed templates, in both forms', () => {
    fc.assert(fc.property(runnableProgram(40), (program) => {
      for (const form of ['tree', 'loop'] as const) checkSourceIsTemplateOnly(generateJsSource(program, { form }).body);
    }), { numRuns: 1500 });
  });

  it('refuses instructions whose fields are not numbers, so no input text can reach the source', () => {
    const hostile = [{ code: 0x06, jt: 0, jf: 0, k: '0; globalThis.pwned = 1' }] as unknown as RawInstruction[];
    expect(() => compileToJs(hostile)).toThrow(/k must be an integer/);
    const hostileCode = [{ code: '6', jt: 0, jf: 0, k: 0 }] as unknown as RawInstruction[];
    expect(() => compileToJs(hostileCode)).toThrow(/code must be an integer/);
    expect((globalThis as Record<string, unknown>).pwned).toBeUndefined();
  });

  it('refuses programs libpcap would not run', () => {
    expect(() => compileToJs([])).toThrow(/empty/);
    expect(() => compileToJs([{ code: 0x08, jt: 0, jf: 0, k: 0 }, { code: 0x06, jt: 0, jf: 0, k: 0 }])).toThrow(/opcode 0x8.*not a classic BPF instruction/);
    expect(() => compileToJs(parseProgram('div #0\nret a'))).toThrow(/division-by-zero/);
  });

  it('uses nested ifs for forward programs and the loop above the tree limit or with backward jumps', () => {
    const ip = parseProgram('ldh [12]\njeq #0x800, yes, no\nyes: ret #65535\nno: ret #0');
    const tree = generateJsSource(ip);
    expect(tree.form).toBe('tree');
    expect(tree.body).toContain('if (a === 2048) {');
    expect(tree.body).not.toContain('switch');
    // A chain of n diamonds doubles the tree at each step: 2^12 paths exceed the default limit.
    const diamonds: string[] = [];
    for (let n = 0; n < 12; n++) diamonds.push(`ldb [${n}]`, `jeq #1, t${n}, f${n}`, `t${n}: add #1`, `f${n}: add #2`);
    const big = parseProgram(diamonds.join('\n') + '\nret a');
    expect(generateJsSource(big).form).toBe('loop');
    expect(generateJsSource(big, { treeLimit: 100000 }).form).toBe('tree');
    const loop = parseProgram('ld #0\nL: add #1\njeq #10, out\nja L\nout: ret a');
    expect(generateJsSource(loop).form).toBe('loop');
    expect(() => generateJsSource(loop, { form: 'tree' })).toThrow(/backward/);
    expect(compileToJs(loop)(new Uint8Array(0), 0, 0)).toBe(10);
    const packet = new Uint8Array(12).fill(1);
    expect(compileToJs(big)(packet, 12, 12)).toBe(createInterpreter(big)(packet, 12, 12));
  });

  it('keeps deeply nested programs in the loop form and the source linear in the program size', () => {
    // ld #pktlen, then 3000 times "jeq #i, next block; ret #i": each true branch nests one level deeper.
    const program: RawInstruction[] = [{ code: 0x80, jt: 0, jf: 0, k: 0 }];
    for (let i = 0; i < 3000; i++) program.push({ code: 0x15, jt: 1, jf: 0, k: i + 60 }, { code: 0x06, jt: 0, jf: 0, k: i + 1 });
    program.push({ code: 0x06, jt: 0, jf: 0, k: 99999 });
    const source = generateJsSource(program, { treeLimit: 1e9 });
    expect(source.form).toBe('loop');
    expect(source.body.length).toBeLessThan(program.length * 100);
    const run = compileToJs(program, { treeLimit: 1e9 });
    for (const wire of [0, 59, 60, 61, 100, 3059, 5000]) expect(run(new Uint8Array(0), 0, wire)).toBe(interpret(program, new Uint8Array(0), 0, wire));
  });

  it('folds constant jumps and checks bounds once where an earlier check dominates', () => {
    const program = parseProgram('ld #5\njeq #5, t, f\nt: ldh [20]\nldb [14]\nld [16]\nret a\nf: ret #1');
    const { body } = generateJsSource(program, { form: 'tree' });
    expect(body).not.toContain('a === 5');
    expect(body).not.toContain('return 1;');
    expect(body.match(/if \(len </g)).toHaveLength(1);
    expect(body).toContain('if (len < 22) return 0;');
  });

  it('stops a program that loops forever with a step-budget error, in both engines', () => {
    const forever = parseProgram('L: ld #1\nja L\nret a');
    expect(() => compileToJs(forever, { backwardJumpBudget: 1000 })(new Uint8Array(0), 0, 0)).toThrow(BpfStepBudgetError);
    expect(() => createInterpreter(forever, { backwardJumpBudget: 1000 })(new Uint8Array(0), 0, 0)).toThrow(/budget of 1000 backward jumps/);
  });

  it('falls back to the interpreter where new Function is refused (CSP)', () => {
    vi.stubGlobal('Function', function refused() { throw new EvalError('Refused to evaluate a string as JavaScript (CSP)'); });
    const program = parseProgram('ldh [12]\njeq #0x800, yes\nret #0\nyes: ret #65535');
    const run = compileToJs(program);
    const ipv4 = new Uint8Array(20); ipv4[12] = 0x08;
    expect(run(ipv4, 20, 20)).toBe(65535);
    expect(run(new Uint8Array(20), 20, 20)).toBe(0);
  });

  it('agrees with the interpreter on random programs and packets', () => {
    fc.assert(fc.property(runnableProgram(30), fc.array(randomPacket(60), { minLength: 1, maxLength: 8 }), (program, packets) => {
      const compiled = compileToJs(program);
      for (const { data, wireLength } of packets) {
        expect(compiled(data, data.length, wireLength ?? data.length)).toBe(interpret(program, data, data.length, wireLength ?? data.length));
      }
    }), { numRuns: 1500 });
  });

  it('reads a packet at an offset of a larger buffer exactly as the packet alone, never past its captured length', () => {
    fc.assert(fc.property(runnableProgram(30), randomPacket(60), fc.uint8Array({ maxLength: 30 }), fc.uint8Array({ maxLength: 30 }), (program, packet, before, after) => {
      const buffer = new Uint8Array([...before, ...packet.data, ...after]);
      const wire = packet.wireLength ?? packet.data.length;
      const alone = interpret(program, packet.data, packet.data.length, wire);
      expect(createInterpreter(program)(buffer, packet.data.length, wire, before.length)).toBe(alone);
      expect(compileToJs(program, { form: 'tree' })(buffer, packet.data.length, wire, before.length)).toBe(alone);
      expect(compileToJs(program, { form: 'loop' })(buffer, packet.data.length, wire, before.length)).toBe(alone);
    }), { numRuns: 1500 });
  });

  it('treats a captured length beyond the buffer as the buffer length', () => {
    const program = parseProgram('ld [0]\nret a');
    const bytes = Uint8Array.of(1, 2, 3);
    expect(compileToJs(program)(bytes, 100, 100)).toBe(0);
    expect(interpret(program, bytes, 100, 100)).toBe(0);
  });
  it('finds a length every path checks: a packet shorter than it is rejected whatever the program does', () => {
    fc.assert(fc.property(runnableProgram(30), randomPacket(80), (program, packet) => {
      const least = lengthCheckedOnEveryPath(program);
      expect(least).toBeGreaterThanOrEqual(0);
      expect(least).toBeLessThanOrEqual(0x10000);
      const run = createInterpreter(program);
      const wire = packet.wireLength ?? packet.data.length;
      // The packet cut to each length below `least` (the program may load anywhere, so cut the bytes too).
      for (const length of [0, least - 1, packet.data.length].filter((n) => n >= 0 && n < least && n <= packet.data.length)) {
        expect(run(packet.data.subarray(0, length), length, wire), `length ${length} < ${least}`).toBe(0);
      }
    }), { numRuns: 3000 });
    // The least over the paths of the largest load end on each path; the ethertype test alone is on every path here.
    expect(lengthCheckedOnEveryPath(parseProgram('ldh [12]\njeq #0x800, v4, other\nv4: ldb [23]\nret a\nother: ret #0'))).toBe(14);
    expect(lengthCheckedOnEveryPath(parseProgram('ldb [14]\nldh [30]\njeq #1, yes, no\nyes: ld [2]\nret a\nno: ret #0'))).toBe(32);
    expect(lengthCheckedOnEveryPath(parseProgram('ldxb 4*([14]&0xf)\nldh [x + 40]\nret a'))).toBe(15);
    expect(lengthCheckedOnEveryPath(parseProgram('ret #1'))).toBe(0);
    expect(lengthCheckedOnEveryPath(parseProgram('ld [4294967295]\nret a'))).toBe(0x10000);
    // Backward jumps: no claim.
    expect(lengthCheckedOnEveryPath(parseProgram('ldh [12]\nL: ld #1\nja L\nret a'))).toBe(0);
  });
});

