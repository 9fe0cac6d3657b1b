/**
 * Printers and parsers on random programs: our -d/-dd/-ddd text equals libpcap's bpf_dump (what tcpdump
 * prints) for every opcode, and every text format reads back the program it printed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BpfError, assemble, detectBpfFormat, disassemble, formatBpfImage, formatDot, formatProgram, formatTcpdump, parseProgram,
  tcpdumpDVisible,
} from '../../src/bpf/index.js';
import type { RawInstruction } from '../../src/bpf/opcodes.js';
import { describeWithOracle } from '../support/oracle.js';
import { libpcapAvailable, libpcapDump, libpcapImage } from '../support/libpcap.js';
import { anyProgram } from './program-arbitrary.js';

const rawInstruction = fc.record({
  code: fc.oneof(fc.integer({ min: 0, max: 0xff }), fc.integer({ min: 0, max: 0xffff })),
  jt: fc.integer({ min: 0, max: 255 }),
  jf: fc.integer({ min: 0, max: 255 }),
  k: fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 40 }), fc.constantFrom(0x7fffffff, 0x80000000, 0xffffffff)),
});
const rawProgram = fc.array(rawInstruction, { minLength: 1, maxLength: 40 });

describeWithOracle('printers against libpcap bpf_image and bpf_dump', libpcapAvailable(), 'gcc with libpcap-dev', () => {
  it('prints every 16-bit opcode as bpf_image does, at indexes past 999 too', () => {
    const programs: RawInstruction[][] = [];
    const ks = [0, 1, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff, 12345, 0xfffff000, 0xfffff004, 0xfffff03c, 0xfffff040, 0xfffff002];
    for (let first = 0; first < 0x10000; first += 1024) {
      programs.push(Array.from({ length: 1024 }, (_, i) => ({ code: first + i, jt: i % 256, jf: (i * 7) % 256, k: ks[i % ks.length]! })));
    }
    const images = libpcapImage(programs);
    programs.forEach((program, p) => program.forEach((insn, i) => expect(formatBpfImage(insn, i)).toBe(images[p]![i])));
  });

  it('prints random programs exactly as bpf_dump does for -d, -dd and -ddd', () => {
    const programs = fc.sample(fc.oneof(rawProgram, anyProgram(30).filter((p) => p.length > 0)), { numRuns: 400 });
    for (const option of ['d', 'dd', 'ddd'] as const) {
      const dumps = libpcapDump(programs, option);
      programs.forEach((program, p) => expect(formatTcpdump(program, option)).toBe(dumps[p]));
    }
  });
});

describe('text formats read back what they print', () => {
  it('assemble(disassemble(raw)) is raw for every instruction', () => {
    fc.assert(fc.property(rawInstruction, (insn) => { expect(assemble(disassemble(insn))).toEqual(insn); }), { numRuns: 20000 });
    for (let code = 0; code < 0x10000; code++) {
      const insn = { code, jt: 0, jf: 0, k: 0 };
      expect(assemble(disassemble(insn))).toEqual(insn);
    }
  });

  it('typed values assemble to the codes of their kind', () => {
    expect(assemble({ kind: 'loadAbsolute', off: 12, size: 2 })).toEqual({ code: 0x28, jt: 0, jf: 0, k: 12 });
    expect(assemble({ kind: 'jumpIf', cond: 'ne', val: 0x800, skipTrue: 3, skipFalse: 0 })).toEqual({ code: 0x15, jt: 0, jf: 3, k: 0x800 });
    expect(assemble({ kind: 'jumpIf', cond: 'lt', val: 5, skipTrue: 1, skipFalse: 2 })).toEqual({ code: 0x35, jt: 2, jf: 1, k: 5 });
    expect(assemble({ kind: 'loadMemShift', off: 14 })).toEqual({ code: 0xb1, jt: 0, jf: 0, k: 14 });
    expect(disassemble({ code: 0x3d, jt: 1, jf: 2, k: 0 })).toEqual({ kind: 'jumpIfX', cond: 'ge', skipTrue: 1, skipFalse: 2 });
    expect(disassemble({ code: 0x00, jt: 1, jf: 0, k: 0 })).toEqual({ kind: 'raw', code: 0, jt: 1, jf: 0, k: 0 });
  });

  for (const format of ['dd', 'ddd', 'asm', 'comma'] as const) {
    it(`${format}: parse(print(program)) is the program, and the format is detected`, () => {
      fc.assert(fc.property(rawProgram, (program) => {
        const text = formatProgram(program, format);
        expect(detectBpfFormat(text)).toBe(format);
        expect(parseProgram(text)).toEqual(program);
      }), { numRuns: 1500 });
    });
  }

  it('d: parse(print(program)) keeps every field the listing shows, and prints the same text again', () => {
    fc.assert(fc.property(rawProgram, (program) => {
      const text = formatProgram(program, 'd');
      expect(detectBpfFormat(text)).toBe('d');
      const back = parseProgram(text);
      expect(back).toEqual(tcpdumpDVisible(program));
      expect(formatProgram(back, 'd')).toBe(text);
    }), { numRuns: 1500 });
  });

  it('reads hand-written bpf_asm with labels, comments, negated jumps and extensions', () => {
    const text = [
      '; ARP replies of at least 64 bytes',
      '        ldh [12]',
      '        jne #0x806, drop   ; not ARP',
      '        ldh [20]',
      '        jeq #2, keep, drop',
      'keep:   ld #len',
      '        jlt #0x40, drop',
      '        ld #proto',
      '        ret a',
      'drop:   ret #0',
    ].join('\n');
    expect(detectBpfFormat(text)).toBe('asm');
    expect(detectBpfFormat('; a comment with { 1, 2 }\nret #0\n')).toBe('asm');
    expect(detectBpfFormat('struct sock_filter code[] = {\n{ 0x6, 0, 0, 0x00000000 },\n};\n')).toBe('dd');
    expect(parseProgram('struct sock_filter code[] = {\n{ 0x6, 0, 0, 0x00000000 },\n};\n')).toEqual([{ code: 6, jt: 0, jf: 0, k: 0 }]);
    expect(parseProgram(text)).toEqual([
      { code: 0x28, jt: 0, jf: 0, k: 12 },
      { code: 0x15, jt: 0, jf: 6, k: 0x806 }, // jne = jeq with the target on the false branch
      { code: 0x28, jt: 0, jf: 0, k: 20 },
      { code: 0x15, jt: 0, jf: 4, k: 2 },
      { code: 0x80, jt: 0, jf: 0, k: 0 }, // ld #len = BPF_LD|BPF_W|BPF_LEN
      { code: 0x35, jt: 0, jf: 2, k: 0x40 }, // jlt = jge with the target on the false branch
      { code: 0x20, jt: 0, jf: 0, k: 0xfffff000 }, // ld #proto = ld [SKF_AD_OFF + SKF_AD_PROTOCOL]
      { code: 0x16, jt: 0, jf: 0, k: 0 },
      { code: 0x06, jt: 0, jf: 0, k: 0 },
    ]);
    expect(() => parseProgram('L1: ret #0\nja L1\nldh [12]\njeq #1, L1\nret #1')).toThrow(/line 4.*-4/);
  });

  it('reads every instruction form of the bpf_asm syntax (the listing Go x/net/bpf assembles with bpf_asm)', () => {
    const text = [
      '# Load immediate', 'ld #42', 'ldx #42', '/* scratch */ ld M[3]', 'ldx M[3]', 'ldb [42]', 'ldh [42]', 'ld [42]',
      'ldb [x + 42]', 'ldh [x + 42]', 'ld [x + 42]', 'ldx 4*([42]&0xf)', 'ld #len', 'ld #proto', 'ld #type', 'ld #rand',
      'st M[3]', 'stx M[3]', 'add #42', 'sub #42', 'mul #42', 'div #42', 'or #42', 'and #42', 'lsh #42', 'rsh #42', 'mod #42', 'xor #42',
      'add x', 'sub x', 'mul x', 'div x', 'or x', 'and x', 'lsh x', 'rsh x', 'mod x', 'xor x', 'neg',
      'ja end', 'jeq #42,prev,end', 'jne #42,end', 'jlt #42,end', 'jle #42,end', 'jgt #42,prev,end', 'jge #42,prev,end', 'jset #42,prev,end',
      'tax', 'txa', 'prev: ret a', 'end: ret #42',
    ].join('\n');
    const program = parseProgram(text, 'asm');
    expect(program).toHaveLength(50);
    const codes = program.map((insn) => insn.code);
    // Opcodes from the classic BPF tables (class | size | mode, class | op | source).
    expect(codes).toEqual([
      0x00, 0x01, 0x60, 0x61, 0x30, 0x28, 0x20, 0x50, 0x48, 0x40, 0xb1, 0x80, 0x20, 0x20, 0x20,
      0x02, 0x03, 0x04, 0x14, 0x24, 0x34, 0x44, 0x54, 0x64, 0x74, 0x94, 0xa4,
      0x0c, 0x1c, 0x2c, 0x3c, 0x4c, 0x5c, 0x6c, 0x7c, 0x9c, 0xac, 0x84,
      0x05, 0x15, 0x15, 0x35, 0x25, 0x25, 0x35, 0x45, 0x07, 0x87, 0x16, 0x06,
    ]);
    // Ancillary loads: SKF_AD_OFF (-4096) + SKF_AD_PROTOCOL 0, SKF_AD_PKTTYPE 4, SKF_AD_RANDOM 56.
    expect(program.slice(12, 15).map((insn) => insn.k)).toEqual([0xfffff000, 0xfffff004, 0xfffff038]);
    // 'ja end' at 38 jumps over 11 instructions to 'end' at 49; jne/jlt/jle put the target on the false branch.
    expect(program[38]!.k).toBe(10);
    expect(program[39]).toEqual({ code: 0x15, jt: 8, jf: 9, k: 42 });
    expect(program[40]).toEqual({ code: 0x15, jt: 0, jf: 8, k: 42 });
    expect(program[41]).toEqual({ code: 0x35, jt: 0, jf: 7, k: 42 });
    expect(program[42]).toEqual({ code: 0x25, jt: 0, jf: 6, k: 42 });
    expect(parseProgram(formatProgram(program, 'asm'))).toEqual(program);
  });

  it('never fails on arbitrary text with anything but a BpfError', () => {
    const fragments = fc.constantFrom('(000) ', 'ldh', ' [12]', '{ 0x28, 0, 0, 0xc },', '4,', '40 0 0 12', 'jeq #0x800, L1', 'L1:', '\n', ' ', ',', '#', '[x + ', ']', '0x', '-', '99999999999', 'jt 2\tjf 3', ';', '.insn ');
    const text = fc.oneof(fc.string({ maxLength: 200 }), fc.array(fragments, { maxLength: 40 }).map((parts) => parts.join('')));
    fc.assert(fc.property(text, (input) => {
      try {
        const program = parseProgram(input);
        expect(Array.isArray(program)).toBe(true);
      } catch (error) {
        expect(error).toBeInstanceOf(BpfError);
      }
    }), { numRuns: 5000 });
    // Long lines do not make the parsers slow (no catastrophic backtracking).
    const started = Date.now();
    for (const long of ['(000) ' + ' '.repeat(100000) + 'x', ' '.repeat(100000) + 'ret', '{' + ' ,'.repeat(50000) + '}', '1,' + '1 '.repeat(50000)]) {
      expect(() => parseProgram(long)).toThrow(BpfError);
    }
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('names the line of a syntax error', () => {
    expect(() => parseProgram('ldh [12]\njeq #0x800, nowhere\nret #0\n')).toThrow(/line 2.*nowhere/);
    expect(() => parseProgram('ldh [12]\nfrobnicate #1\n')).toThrow(/line 2.*frobnicate/);
    expect(() => parseProgram('(000) ldh      [12]\n(002) ret      #0\n')).toThrow(/line 2/);
    expect(() => parseProgram('3,40 0 0 12,6 0 0 0')).toThrow(/count says 3/);
    expect(() => parseProgram('2\n40 0 0 12\n')).toThrow(/count says 2/);
    expect(() => parseProgram('{ 0x28, 0, 0 },')).toThrow(/4 fields/);
    expect(() => parseProgram('2,40 0 0 12,6 0 256 0')).toThrow(/jf.*out of range/);
    expect(() => parseProgram('ld [x + 99999999999]')).toThrow(/out of range/);
  });

  it('draws the control-flow graph with true and false edges', () => {
    const dot = formatDot([
      { code: 0x28, jt: 0, jf: 0, k: 12 },
      { code: 0x15, jt: 0, jf: 1, k: 0x800 },
      { code: 0x06, jt: 0, jf: 0, k: 65535 },
      { code: 0x06, jt: 0, jf: 0, k: 0 },
    ]);
    expect(dot).toMatch(/^digraph bpf \{/);
    expect(dot).toContain('n0 -> n1;');
    expect(dot).toContain('n1 -> n2 [label="T"');
    expect(dot).toContain('n1 -> n3 [label="F"');
    expect(dot).not.toContain('n2 ->');
    expect(dot).toContain('n1 [label="(001) jeq #0x800"]');
  });
});
