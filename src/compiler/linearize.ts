/**
 * Linearization: lays the block graph out in a topological order (every jump forward), emits each
 * block's statements and jump, shares one `ret` per value, and inserts `ja` trampolines where a
 * conditional jump would be longer than 255 instructions.
 */
import type { RawInstruction } from '../bpf/opcodes.js';
import { BPF_JA, BPF_JMP, BPF_K, BPF_RET } from '../bpf/opcodes.js';
import { reachableBlocks, type Block, type GraphNode, type Ret } from './graph.js';

interface Layout { node: Block | Ret; trueTrampoline: boolean; falseTrampoline: boolean }

/** The instruction list of the graph rooted at `root`. */
export function linearize(root: GraphNode): RawInstruction[] {
  if (root.kind === 'ret') return [{ code: BPF_RET | BPF_K, jt: 0, jf: 0, k: root.k >>> 0 }];
  const blocks = reachableBlocks(root);
  // One ret per value, in order of first use, after all blocks.
  const rets = new Map<number, Ret>();
  for (const b of blocks) for (const s of [b.jt, b.jf]) if (s.kind === 'ret' && !rets.has(s.k)) rets.set(s.k, s);
  const retFor = (node: GraphNode): Block | Ret => (node.kind === 'ret' ? rets.get(node.k)! : node);
  const layout: Layout[] = [...blocks, ...rets.values()].map((node) => ({ node, trueTrampoline: false, falseTrampoline: false }));
  const indexOf = new Map<Block | Ret, number>(layout.map((l, i) => [l.node, i]));

  const size = (l: Layout, i: number): number => {
    if (l.node.kind === 'ret') return 1;
    const b = l.node;
    const body = (b.prelude?.length ?? 0) + b.stmts.length;
    if (retFor(b.jt) === retFor(b.jf)) return body + (indexOf.get(retFor(b.jt)) === i + 1 ? 0 : 1);
    return body + 1 + (l.trueTrampoline ? 1 : 0) + (l.falseTrampoline ? 1 : 0);
  };

  let positions: number[] = [];
  for (;;) {
    positions = [];
    let cursor = 0;
    layout.forEach((l, i) => { positions.push(cursor); cursor += size(l, i); });
    let changed = false;
    layout.forEach((l, i) => {
      if (l.node.kind !== 'block') return;
      const b = l.node;
      if (retFor(b.jt) === retFor(b.jf)) return;
      const jumpAt = positions[i]! + (b.prelude?.length ?? 0) + b.stmts.length;
      if (!l.trueTrampoline && positions[indexOf.get(retFor(b.jt))!]! - jumpAt - 1 > 255) { l.trueTrampoline = true; changed = true; }
      if (!l.falseTrampoline && positions[indexOf.get(retFor(b.jf))!]! - jumpAt - 1 > 255) { l.falseTrampoline = true; changed = true; }
    });
    if (!changed) break;
  }

  const program: RawInstruction[] = [];
  layout.forEach((l, i) => {
    if (l.node.kind === 'ret') { program.push({ code: BPF_RET | BPF_K, jt: 0, jf: 0, k: l.node.k >>> 0 }); return; }
    const b = l.node;
    for (const s of b.prelude ?? []) program.push({ code: s.code, jt: s.jt, jf: s.jf, k: s.k >>> 0 });
    for (const s of b.stmts) program.push({ code: s.code, jt: 0, jf: 0, k: s.k >>> 0 });
    const target = (node: GraphNode): number => positions[indexOf.get(retFor(node))!]!;
    if (retFor(b.jt) === retFor(b.jf)) {
      if (indexOf.get(retFor(b.jt)) !== i + 1) program.push({ code: BPF_JMP | BPF_JA, jt: 0, jf: 0, k: target(b.jt) - program.length - 1 });
      return;
    }
    const jumpAt = program.length;
    let trampolineAt = jumpAt + 1;
    const trueTrampoline = l.trueTrampoline ? trampolineAt++ : -1;
    const falseTrampoline = l.falseTrampoline ? trampolineAt++ : -1;
    const jt = l.trueTrampoline ? trueTrampoline - jumpAt - 1 : target(b.jt) - jumpAt - 1;
    const jf = l.falseTrampoline ? falseTrampoline - jumpAt - 1 : target(b.jf) - jumpAt - 1;
    program.push({ code: BPF_JMP | b.op | b.src, jt, jf, k: b.k >>> 0 });
    if (l.trueTrampoline) program.push({ code: BPF_JMP | BPF_JA, jt: 0, jf: 0, k: target(b.jt) - program.length - 1 });
    if (l.falseTrampoline) program.push({ code: BPF_JMP | BPF_JA, jt: 0, jf: 0, k: target(b.jf) - program.length - 1 });
  });
  return program;
}
