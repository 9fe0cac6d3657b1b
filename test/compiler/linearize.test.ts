/**
 * Linearization of block graphs: every jump goes forward, conditional offsets fit in 8 bits (with `ja`
 * trampolines beyond 255), and the program computes what the graph says, checked against a direct
 * walk of random graphs (fast-check), some with blocks long enough to need trampolines.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createInterpreter } from '../../src/bpf/index.js';
import type { RawInstruction } from '../../src/bpf/opcodes.js';
import { BPF_ABS, BPF_B, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP, BPF_JSET, BPF_K, BPF_LD, BPF_RET } from '../../src/bpf/opcodes.js';
import { linearizeFilterGraph as linearize, type FilterGraphBlock as Block, type FilterGraphNode as GraphNode } from '../../src/compiler/index.js';
import { newBlock } from '../../src/compiler/graph.js';
import { linearizedLength } from '../../src/compiler/linearize.js';

interface BlockPlan { loads: number[]; op: number; k: number; jt: number; jf: number }

const OPS = [BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET];

/** Graph plans: block i jumps only to later blocks or to a leaf (index >= blocks means leaf: even accepts). */
const graphPlan = fc.integer({ min: 1, max: 24 }).chain((count) => fc.array(
  fc.record({
    loads: fc.oneof({ arbitrary: fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 4 }), weight: 4 }, { arbitrary: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 100, maxLength: 300 }), weight: 1 }),
    op: fc.constantFrom(...OPS),
    k: fc.integer({ min: 0, max: 255 }),
    jt: fc.nat(),
    jf: fc.nat(),
  }),
  { minLength: count, maxLength: count },
).map((blocks) => blocks.map((b, i): BlockPlan => ({ ...b, jt: i + 1 + (b.jt % (blocks.length - i + 1)), jf: i + 1 + (b.jf % (blocks.length - i + 1)) }))));

function buildGraph(plan: BlockPlan[]): GraphNode {
  const accept: GraphNode = { kind: 'ret', k: 1000 };
  const reject: GraphNode = { kind: 'ret', k: 0 };
  const nodes: GraphNode[] = [];
  const node = (index: number): GraphNode => (index < plan.length ? nodes[index]! : index % 2 === 0 ? accept : reject);
  for (let i = plan.length - 1; i >= 0; i--) {
    const p = plan[i]!;
    nodes[i] = newBlock(p.loads.map((k) => ({ code: BPF_LD | BPF_B | BPF_ABS, jt: 0, jf: 0, k })), p.op, BPF_K, p.k, node(p.jt), node(p.jf));
  }
  return nodes[0]!;
}

/** What the graph computes for a packet: a direct walk (an out-of-range load ends with 0, as in BPF). */
function walk(root: GraphNode, packet: Uint8Array): number {
  let node = root;
  let a = 0;
  for (;;) {
    if (node.kind === 'ret') return node.k;
    const block: Block = node;
    for (const s of block.stmts) { if (s.k >= packet.length) return 0; a = packet[s.k]!; }
    const taken = block.op === BPF_JEQ ? a === block.k : block.op === BPF_JGT ? a > block.k : block.op === BPF_JGE ? a >= block.k : (a & block.k) !== 0;
    node = taken ? block.jt : block.jf;
  }
}

function checkJumps(program: RawInstruction[]): void {
  program.forEach((insn, i) => {
    if ((insn.code & 0x07) !== BPF_JMP) return;
    if ((insn.code & 0xf0) === BPF_JA) { expect(i + 1 + insn.k).toBeLessThan(program.length); return; }
    expect(insn.jt).toBeLessThanOrEqual(255);
    expect(insn.jf).toBeLessThanOrEqual(255);
    expect(i + 1 + Math.max(insn.jt, insn.jf)).toBeLessThan(program.length);
  });
  expect(program[program.length - 1]!.code & 0x07).toBe(BPF_RET);
}

describe('compiler linearization', () => {
  it('computes what the graph computes, with forward jumps of at most 255 (and linearizedLength says how long)', () => {
    fc.assert(fc.property(graphPlan, fc.uint8Array({ maxLength: 48 }), (plan, packet) => {
      const root = buildGraph(plan);
      const program = linearize(root);
      checkJumps(program);
      expect(linearizedLength(root)).toBe(program.length);
      expect(createInterpreter(program)(packet, packet.length, packet.length)).toBe(walk(root, packet));
    }), { numRuns: 400, seed: 9 });
  });

  it('inserts ja trampolines when a conditional target is more than 255 instructions away', () => {
    const accept: GraphNode = { kind: 'ret', k: 7 };
    const reject: GraphNode = { kind: 'ret', k: 0 };
    const far = newBlock(Array.from({ length: 300 }, () => ({ code: BPF_LD | BPF_B | BPF_ABS, jt: 0, jf: 0, k: 1 })), BPF_JEQ, BPF_K, 2, accept, reject);
    const root = newBlock([{ code: BPF_LD | BPF_B | BPF_ABS, jt: 0, jf: 0, k: 0 }], BPF_JEQ, BPF_K, 1, far, accept);
    const program = linearize(root);
    checkJumps(program);
    expect(program.some((i) => i.code === (BPF_JMP | BPF_JA))).toBe(true);
    const run = createInterpreter(program);
    expect(run(new Uint8Array([1, 2]), 2, 2)).toBe(7);
    expect(run(new Uint8Array([1, 3]), 2, 2)).toBe(0);
    expect(run(new Uint8Array([0, 3]), 2, 2)).toBe(7);
  });

  it('shares one ret per value', () => {
    const program = linearize(buildGraph([{ loads: [0], op: BPF_JEQ, k: 1, jt: 2, jf: 1 }, { loads: [1], op: BPF_JGT, k: 5, jt: 2, jf: 3 }]));
    expect(program.filter((i) => i.code === (BPF_RET | BPF_K))).toHaveLength(2);
    void BPF_JGE; void BPF_JSET;
  });
});
