/**
 * The optimizer keeps verdicts: every pass on its own, and the whole pipeline, give the unoptimized
 * program's verdict on packets long enough that no load falls outside them (where a removed dead load
 * may legitimately change a truncated packet's verdict, as libpcap's optimizer does too).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BpfStepBudgetError, createInterpreter, type BpfFilterFunction } from '../../src/bpf/index.js';
import type { RawInstruction } from '../../src/bpf/opcodes.js';
import { BPF_JMP, BPF_JSET, BPF_JA, BPF_LD, BPF_ABS, BPF_IND, BPF_IMM, BPF_H, BPF_LDX, BPF_MSH, BPF_B } from '../../src/bpf/opcodes.js';
import { LinkType } from '../../src/capture/linktype.js';
import { CompileError, compileFilter, compileFilterGraph, linearizeFilterGraph as linearize, type FilterGraphNode as GraphNode } from '../../src/compiler/index.js';
import { bypassEmptyBlocks, removeDeadStatements } from '../../src/compiler/optimize/dead-code.js';
import { resolveDecidedTests, threadJumps } from '../../src/compiler/optimize/decided-tests.js';
import { foldConstants } from '../../src/compiler/optimize/fold-constants.js';
import { optimizeGraph } from '../../src/compiler/optimize/index.js';
import { shareIndexedTails } from '../../src/compiler/optimize/indexed-tails.js';
import { mergeIdenticalBlocks } from '../../src/compiler/optimize/merge-blocks.js';
import { applyPeepholes } from '../../src/compiler/optimize/peephole.js';
import { pullUpTests } from '../../src/compiler/optimize/pullup.js';
import { removeRedundantStatements } from '../../src/compiler/optimize/redundant-loads.js';
import { arbitraryPacket } from '../../src/packet/arbitrary/index.js';
import { loadCompilerCorpus } from './support/corpus.js';

/** Corpus expressions accepted on Ethernet whose loads all fit in a packet padded by 4 KiB. */
const expressions = loadCompilerCorpus().map((e) => e.expression).filter((expression) => {
  if (/\[\s*(4294967|0x7fffffff|65535|1000000)/.test(expression)) return false;
  try { compileFilter(expression, { optimize: false }); return true; } catch (error) { if (error instanceof CompileError) return false; throw error; }
});

/** A built packet followed by 4 KiB of zeros, so that no load of the corpus runs off its end. */
const paddedPacket = arbitraryPacket({ linkType: LinkType.EN10MB, mutations: ['none', 'corrupted', 'garbled'] }).map((p) => {
  const data = new Uint8Array(p.data.length + 4096);
  data.set(p.data);
  return data;
});

const cache = new Map<string, BpfFilterFunction>();
function runner(key: string, make: () => RawInstruction[]): BpfFilterFunction {
  let run = cache.get(key);
  if (!run) { run = createInterpreter(make()); cache.set(key, run); }
  return run;
}

/**
 * A program's verdict on a packet, or 'loops' when it exceeds the backward-jump budget (protochain follows
 * libpcap 1.10, whose AH step can point back at an earlier header and loop forever on a crafted packet).
 */
function verdict(run: BpfFilterFunction, data: Uint8Array): number | 'loops' {
  try {
    return run(data, data.length, data.length);
  } catch (error) {
    if (error instanceof BpfStepBudgetError) return 'loops';
    throw error;
  }
}

const PASSES: Record<string, (root: GraphNode) => GraphNode> = {
  'fold-constants': (root) => { foldConstants(root); return root; },
  'redundant-loads': (root) => { removeRedundantStatements(root); return root; },
  'decided-tests': (root) => { resolveDecidedTests(root); return root; },
  'jump threading': (root) => { threadJumps(root); return root; },
  'dead-code': (root) => { removeDeadStatements(root); return bypassEmptyBlocks(root).root; },
  'merge-blocks': (root) => mergeIdenticalBlocks(root).root,
  'peephole': (root) => { applyPeepholes(root); return root; },
  'pullup': (root) => { for (let i = 0; i < 20 && pullUpTests(root); i++); return root; },
  'indexed-tails': (root) => shareIndexedTails(root),
};

/** Any generated Ethernet packet, truncated and snapped ones included (no padding). */
const anyPacket = arbitraryPacket({ linkType: LinkType.EN10MB }).map((p) => ({ data: p.data, wireLength: p.wireLength }));

/** Corpus expressions with transport-layer fields on both IPv4 and IPv6, where indexed tails apply. */
const transportExpressions = expressions.filter((e) => /port|portrange/.test(e) && !/\b(ip|ip6)\b/.test(e));

describe('compiler optimizer', () => {
  it('has expressions to check', () => {
    expect(expressions.length).toBeGreaterThan(400);
  });

  it('keeps every verdict of the unoptimized program (whole pipeline)', () => {
    fc.assert(fc.property(fc.constantFrom(...expressions), paddedPacket, (expression, data) => {
      const plain = runner(`O0 ${expression}`, () => compileFilter(expression, { optimize: false }));
      let optimized: BpfFilterFunction;
      try {
        optimized = runner(`O ${expression}`, () => compileFilter(expression));
      } catch (error) {
        // "expression rejects all packets": then the unoptimized program must reject this packet too.
        if (error instanceof CompileError) { expect(verdict(plain, data)).toBe(0); return; }
        throw error;
      }
      expect(verdict(optimized, data)).toBe(verdict(plain, data));
    }), { numRuns: 3000, seed: 424242 });
  });

  for (const [name, pass] of Object.entries(PASSES)) {
    it(`keeps every verdict with only the ${name} pass`, () => {
      fc.assert(fc.property(fc.constantFrom(...expressions), paddedPacket, (expression, data) => {
        const plain = runner(`O0 ${expression}`, () => compileFilter(expression, { optimize: false }));
        const single = runner(`${name} ${expression}`, () => linearize(pass(compileFilterGraph(expression, { optimize: false }))));
        expect(verdict(single, data)).toBe(verdict(plain, data));
      }), { numRuns: 800, seed: 77 });
    });
  }

  it('shares indexed tails exactly, on truncated packets too (the rewrite keeps every load)', () => {
    expect(transportExpressions.length).toBeGreaterThan(40);
    fc.assert(fc.property(fc.constantFrom(...transportExpressions), anyPacket, (expression, { data, wireLength }) => {
      const optimized = () => optimizeGraph(compileFilterGraph(expression, { optimize: false }), 'full', { shareTails: false });
      const before = runner(`no tails ${expression}`, () => linearize(optimized()));
      const after = runner(`tails ${expression}`, () => linearize(shareIndexedTails(optimized())));
      expect(after(data, data.length, wireLength)).toBe(before(data, data.length, wireLength));
    }), { numRuns: 3000, seed: 9090 });
  });

  it('reads an IPv6 port through the IPv4 code with X = 40 (`tcp port 80` shares its port tests)', () => {
    const program = compileFilter('tcp port 80');
    // One pair of port loads, indexed; the IPv6 path sets X to 40 (54 - 14) before joining it.
    expect(program.filter((i) => i.code === (BPF_LD | BPF_IND | BPF_H)).map((i) => i.k)).toEqual([14, 16]);
    expect(program.filter((i) => i.code === (BPF_LD | BPF_ABS | BPF_H) && (i.k === 54 || i.k === 56))).toEqual([]);
    expect(program.filter((i) => i.code === (BPF_LDX | BPF_IMM)).map((i) => i.k)).toEqual([40]);
    // And no `ja`: the block that loads X falls through into the shared tail.
    expect(program.some((i) => i.code === (BPF_JMP | BPF_JA))).toBe(false);
  });

  it('loads the EtherType once and the IPv4 header length once for `tcp port 80` (redundant loads)', () => {
    const program = compileFilter('tcp port 80');
    expect(program.filter((i) => i.code === (BPF_LD | BPF_ABS | BPF_H) && i.k === 12)).toHaveLength(1);
    expect(program.filter((i) => i.code === (BPF_LDX | BPF_MSH | BPF_B))).toHaveLength(1);
  });

  it('turns `and #m; jeq #0` into `jset #m` (peephole)', () => {
    const program = compileFilter('ip[6:2] & 0x1fff = 0');
    expect(program.some((i) => i.code === (BPF_JMP | BPF_JSET) && i.k === 0x1fff)).toBe(true);
    expect(program.some((i) => i.code === 0x54)).toBe(false);
  });

  it('folds constant relations away and refuses what rejects everything', () => {
    expect(compileFilter('1 = 1')).toEqual([{ code: 0x06, jt: 0, jf: 0, k: 262144 }]);
    expect(compileFilter('5 + 3 = 8 and 12 / 4 = 3', { snaplen: 100 })).toEqual([{ code: 0x06, jt: 0, jf: 0, k: 100 }]);
    expect(() => compileFilter('1 = 2')).toThrow('expression rejects all packets');
    expect(() => compileFilter('tcp and udp')).toThrow('expression rejects all packets');
    // Unoptimized, libpcap keeps the program and so do we.
    expect(compileFilter('1 = 2', { optimize: false }).length).toBeGreaterThan(1);
  });

  it('pulls tests of one value together (`host a or b` loads each address field once per protocol)', () => {
    const program = compileFilter('ip host 10.5.5.5 or 192.168.1.12');
    expect(program.filter((i) => i.code === 0x20 && i.k === 26)).toHaveLength(1);
    expect(program.filter((i) => i.code === 0x20 && i.k === 30)).toHaveLength(1);
  });
});
