/**
 * The validator: libpcap mode agrees with libpcap's bpf_validate on random programs (valid and not);
 * kernel mode applies the Linux rules, each reported with the instruction index and rule name.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertValidProgram, parseProgram, validateProgram } from '../../src/bpf/index.js';
import type { RawInstruction } from '../../src/bpf/opcodes.js';
import { describeWithOracle } from '../support/oracle.js';
import { libpcapAvailable, libpcapCompile, libpcapValidate } from '../support/libpcap.js';
import { anyProgram, runnableProgram } from './program-arbitrary.js';

const program = (text: string): RawInstruction[] => parseProgram(text, 'asm');

describeWithOracle('libpcap-mode validation agrees with bpf_validate', libpcapAvailable(), 'gcc with libpcap-dev', () => {
  it('on random programs, valid and invalid', () => {
    const seed = Date.now() % 0x7fffffff;
    const programs = fc.sample(anyProgram(12), { numRuns: 20000, seed });
    const verdicts = libpcapValidate(programs);
    let accepted = 0;
    programs.forEach((p, i) => {
      const ours = validateProgram(p, 'libpcap');
      if (ours.ok !== verdicts[i]) throw new Error(`seed ${seed}: ours ${ours.ok}, libpcap ${verdicts[i]} for ${JSON.stringify(p)} (${ours.issues.map((x) => x.message).join('; ')})`);
      if (ours.ok) accepted++;
    });
    // Both verdicts must be well represented for the comparison to mean anything.
    expect(accepted).toBeGreaterThan(2000);
    expect(programs.length - accepted).toBeGreaterThan(2000);
  });

  it('accepts every program libpcap compiles, in both modes', () => {
    const filters = ['ip', 'tcp port 80', 'vlan and tcp', 'ip6 and tcp dst port 443', 'host 10.1.2.3 and not port 22', 'tcp[tcpflags] & (tcp-syn|tcp-fin) != 0'];
    for (const result of libpcapCompile(filters, { linkType: 1 })) {
      if (!result.ok) throw new Error(result.error);
      expect(validateProgram(result.program, 'libpcap').ok).toBe(true);
      expect(validateProgram(result.program, 'kernel')).toEqual({ ok: true, issues: [] });
    }
  });
});

describe('kernel-mode validation', () => {
  const rules = (text: string): string[] => validateProgram(program(text), 'kernel').issues.map((i) => `${i.index}:${i.rule}`);

  it('accepts what the kernel accepts', () => {
    expect(rules('ldh [12]\njeq #0x800, ok\nret #0\nok: ret #-1')).toEqual([]);
    expect(rules('ld #1\nst M[3]\nldh [12]\njeq #1, a, b\na: ld M[3]\nret a\nb: ldx M[3]\nret #0')).toEqual([]);
  });

  it('names each broken rule with its instruction', () => {
    expect(rules('')).toEqual(['-1:empty-program']);
    expect(rules('ld M[2]\nret a')).toEqual(['0:scratch-read-before-store']);
    expect(rules('ldh [12]\njeq #1, s, t\ns: st M[0]\nt: ld M[0]\nret a')).toEqual(['3:scratch-read-before-store']);
    expect(rules('div #0\nret a')).toEqual(['0:division-by-zero']);
    expect(rules('mod #0\nret a')).toEqual(['0:division-by-zero']);
    expect(rules('lsh #32\nret a')).toEqual(['0:shift-too-large']);
    expect(rules('ld #1\nL: add #1\nja L\nret a')).toEqual(['2:backward-jump']);
    expect(rules('ld #1\nadd #1')).toEqual(['1:last-not-return']);
    expect(rules('.insn 0x08, 0, 0, 0\nret a')).toEqual(['0:unknown-opcode']);
    expect(rules('st M[16]\nret a')).toEqual(['0:scratch-index']);
    expect(validateProgram([{ code: 0x15, jt: 5, jf: 0, k: 0 }, { code: 0x06, jt: 0, jf: 0, k: 0 }], 'kernel').issues.map((i) => i.rule)).toEqual(['jump-out-of-range']);
    const long = Array.from({ length: 4097 }, () => ({ code: 0x06, jt: 0, jf: 0, k: 0 }));
    expect(validateProgram(long, 'kernel').issues.map((i) => i.rule)).toEqual(['too-long']);
    expect(validateProgram(long.slice(0, 4096), 'kernel').ok).toBe(true);
  });

  it('is stricter than libpcap mode: whatever it accepts, libpcap mode accepts', () => {
    fc.assert(fc.property(fc.oneof(anyProgram(10), runnableProgram(10)), (p) => {
      if (validateProgram(p, 'kernel').ok) expect(validateProgram(p, 'libpcap').ok).toBe(true);
    }), { numRuns: 5000 });
  });

  it('libpcap mode allows backward jumps (libpcap runs them) and the messages name the rule', () => {
    expect(validateProgram(program('ld #1\nL: add #1\nja L\nret a'), 'libpcap').ok).toBe(true);
    expect(() => assertValidProgram(program('ld #1\nadd #1'), 'libpcap')).toThrow(/instruction 1: the last instruction is not a ret \[last-not-return\]/);
  });

  it('rejects malformed instruction objects with a clear error', () => {
    expect(() => validateProgram([{ code: 0x10000, jt: 0, jf: 0, k: 0 }])).toThrow(/instruction 0: code must be an integer from 0 to 65535/);
    expect(() => validateProgram([{ code: 6, jt: 0, jf: 0, k: -1 }])).toThrow(/k must be/);
    expect(() => validateProgram([{ code: 6, jt: 0.5, jf: 0, k: 0 }])).toThrow(/jt must be/);
  });
});
