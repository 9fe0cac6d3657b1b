/**
 * Linearization: lays the block graph out in a topological order (every jump forward) that puts a
 * block with one successor right before it where it can, emits each block's statements and jump, shares one `ret` per value, and inserts `ja` trampolines where a
 * conditional jump would be longer than 255 instructions.
 */
import type { RawInstruction } from '../bpf/opcodes.js';
import { BPF_JA, BPF_JMP, BPF_K, BPF_RET } from '../bpf/opcodes.js';
import { reachableBlocks, type Block, type GraphNode, type Ret } from './graph.js';

interface Layout { node: Block | Ret; trueTrampoline: boolean; falseTrampoline: boolean }

/** The instruction list of the graph rooted at `root`. */
export function linearize(root: GraphNode): RawInstruction[] {
  if (root.kind === 'ret') return [{ code: BPF_RET | BPF_K, jt: 0, jf: 0, k: root.k >>> 0 }];
  const blocks = layoutOrder(root);
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

/**
 * A topological order of the reachable blocks: reverse postorder, except that a block whose only
 * successor is another block waits, while other blocks are ready, until it can be placed right before
 * that successor, so it falls through instead of ending in `ja`.
 */
function layoutOrder(root: Block): Block[] {
  const blocks = reachableBlocks(root);
  const rank = new Map(blocks.map((b, i) => [b, i]));
  const successors = (b: Block): Block[] => {
    const out: Block[] = [];
    if (b.jt.kind === 'block') out.push(b.jt);
    if (b.jf.kind === 'block' && b.jf !== b.jt) out.push(b.jf);
    return out;
  };
  const waiting = new Map<Block, number>(blocks.map((b) => [b, 0]));
  for (const b of blocks) for (const s of successors(b)) waiting.set(s, waiting.get(s)! + 1);
  const ready: Block[] = [root];
  const order: Block[] = [];
  const fallsInto = (b: Block): Block | undefined => (b.jt === b.jf && b.jt.kind === 'block' ? b.jt : undefined);
  while (ready.length > 0) {
    const last = order[order.length - 1];
    const next = last ? fallsInto(last) : undefined;
    let pick = next && ready.includes(next) ? ready.indexOf(next) : -1;
    if (pick < 0) {
      // Lowest rank first, but a block whose one successor still waits for others goes last.
      const blocked = (b: Block): boolean => { const s = fallsInto(b); return s !== undefined && waiting.get(s)! > 1; };
      for (let i = 0; i < ready.length; i++) {
        if (pick < 0) { pick = i; continue; }
        const [a, b] = [ready[i]!, ready[pick]!];
        if (blocked(a) !== blocked(b) ? !blocked(a) : rank.get(a)! < rank.get(b)!) pick = i;
      }
    }
    const block = ready.splice(pick, 1)[0]!;
    order.push(block);
    for (const s of successors(block)) {
      const count = waiting.get(s)! - 1;
      waiting.set(s, count);
      if (count === 0) ready.push(s);
    }
  }
  return order;
}
