/**
 * Linearization: lays the block graph out in a topological order (every jump forward) that puts a
 * block with one successor right before it where it can, emits each block's statements and jump, shares one `ret` per value, and inserts `ja` trampolines where a
 * conditional jump would be longer than 255 instructions.
 */
import type { RawInstruction } from '../bpf/opcodes.js';
import { BPF_JA, BPF_JMP, BPF_K, BPF_RET } from '../bpf/opcodes.js';
import { reachableBlocks, type Block, type GraphNode, type Ret } from './graph.js';

/**
 * Where everything goes: the blocks in layout order, then one `ret` per value in order of first use;
 * for block i, the layout indices of its true and false targets, whether each jump needs a trampoline,
 * and the position of every layout entry in the program.
 */
interface Layout {
  blocks: Block[];
  rets: Ret[];
  trueTarget: Int32Array;
  falseTarget: Int32Array;
  trueTrampoline: Uint8Array;
  falseTrampoline: Uint8Array;
  positions: Int32Array;
  /** The program's length. */
  length: number;
}

/** Computes the layout of the graph rooted at the block `root`. */
function layOut(root: Block): Layout {
  const blocks = layoutOrder(root);
  const count = blocks.length;
  // One ret per value, in order of first use, after all blocks.
  const retIndex = new Map<number, number>();
  const rets: Ret[] = [];
  const blockIndex = new Map<Block, number>();
  for (let i = 0; i < count; i++) blockIndex.set(blocks[i]!, i);
  const trueTarget = new Int32Array(count);
  const falseTarget = new Int32Array(count);
  const indexOf = (node: GraphNode): number => {
    if (node.kind === 'block') return blockIndex.get(node)!;
    let index = retIndex.get(node.k);
    if (index === undefined) { index = count + rets.length; retIndex.set(node.k, index); rets.push(node); }
    return index;
  };
  for (let i = 0; i < count; i++) {
    trueTarget[i] = indexOf(blocks[i]!.jt);
    falseTarget[i] = indexOf(blocks[i]!.jf);
  }
  const entries = count + rets.length;
  const trueTrampoline = new Uint8Array(count);
  const falseTrampoline = new Uint8Array(count);
  const positions = new Int32Array(entries);
  const bodies = new Int32Array(count);
  for (let i = 0; i < count; i++) bodies[i] = (blocks[i]!.prelude?.length ?? 0) + blocks[i]!.stmts.length;
  let length = 0;
  for (;;) {
    let cursor = 0;
    for (let i = 0; i < entries; i++) {
      positions[i] = cursor;
      if (i >= count) { cursor += 1; continue; }
      if (trueTarget[i] === falseTarget[i]) cursor += bodies[i]! + (trueTarget[i] === i + 1 ? 0 : 1);
      else cursor += bodies[i]! + 1 + trueTrampoline[i]! + falseTrampoline[i]!;
    }
    length = cursor;
    let changed = false;
    for (let i = 0; i < count; i++) {
      if (trueTarget[i] === falseTarget[i]) continue;
      const jumpAt = positions[i]! + bodies[i]!;
      if (!trueTrampoline[i] && positions[trueTarget[i]!]! - jumpAt - 1 > 255) { trueTrampoline[i] = 1; changed = true; }
      if (!falseTrampoline[i] && positions[falseTarget[i]!]! - jumpAt - 1 > 255) { falseTrampoline[i] = 1; changed = true; }
    }
    if (!changed) break;
  }
  return { blocks, rets, trueTarget, falseTarget, trueTrampoline, falseTrampoline, positions, length };
}

/** The length of the program `linearize(root)` gives, without building it. */
export function linearizedLength(root: GraphNode): number {
  return root.kind === 'ret' ? 1 : layOut(root).length;
}

/** The instruction list of the graph rooted at `root`. */
export function linearize(root: GraphNode): RawInstruction[] {
  if (root.kind === 'ret') return [{ code: BPF_RET | BPF_K, jt: 0, jf: 0, k: root.k >>> 0 }];
  const { blocks, rets, trueTarget, falseTarget, trueTrampoline, falseTrampoline, positions } = layOut(root);
  const program: RawInstruction[] = [];
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i]!;
    for (const s of b.prelude ?? []) program.push({ code: s.code, jt: s.jt, jf: s.jf, k: s.k >>> 0 });
    for (const s of b.stmts) program.push({ code: s.code, jt: 0, jf: 0, k: s.k >>> 0 });
    const trueAt = positions[trueTarget[i]!]!;
    const falseAt = positions[falseTarget[i]!]!;
    if (trueTarget[i] === falseTarget[i]) {
      if (trueTarget[i] !== i + 1) program.push({ code: BPF_JMP | BPF_JA, jt: 0, jf: 0, k: trueAt - program.length - 1 });
      continue;
    }
    const jumpAt = program.length;
    let trampolineAt = jumpAt + 1;
    const trueTrampolineAt = trueTrampoline[i] ? trampolineAt++ : -1;
    const falseTrampolineAt = falseTrampoline[i] ? trampolineAt++ : -1;
    const jt = trueTrampoline[i] ? trueTrampolineAt - jumpAt - 1 : trueAt - jumpAt - 1;
    const jf = falseTrampoline[i] ? falseTrampolineAt - jumpAt - 1 : falseAt - jumpAt - 1;
    program.push({ code: BPF_JMP | b.op | b.src, jt, jf, k: b.k >>> 0 });
    if (trueTrampoline[i]) program.push({ code: BPF_JMP | BPF_JA, jt: 0, jf: 0, k: trueAt - program.length - 1 });
    if (falseTrampoline[i]) program.push({ code: BPF_JMP | BPF_JA, jt: 0, jf: 0, k: falseAt - program.length - 1 });
  }
  for (const r of rets) program.push({ code: BPF_RET | BPF_K, jt: 0, jf: 0, k: r.k >>> 0 });
  return program;
}

/**
 * A topological order of the reachable blocks: reverse postorder, except that a block whose only
 * successor is another block waits, while other blocks are ready, until it can be placed right before
 * that successor, so it falls through instead of ending in `ja`.
 */
function layoutOrder(root: Block): Block[] {
  const blocks = reachableBlocks(root);
  const count = blocks.length;
  // Blocks by rank (their index in reverse postorder); successors as ranks, -1 for none or a ret.
  const rank = new Map<Block, number>();
  for (let i = 0; i < count; i++) rank.set(blocks[i]!, i);
  const first = new Int32Array(count);
  const second = new Int32Array(count);
  // fallsInto[i]: the rank of the one block successor of an unconditional block, else -1.
  const fallsInto = new Int32Array(count);
  const waiting = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const b = blocks[i]!;
    first[i] = b.jt.kind === 'block' ? rank.get(b.jt)! : -1;
    second[i] = b.jf.kind === 'block' && b.jf !== b.jt ? rank.get(b.jf)! : -1;
    fallsInto[i] = b.jt === b.jf && b.jt.kind === 'block' ? first[i]! : -1;
  }
  for (let i = 0; i < count; i++) {
    if (first[i]! >= 0) waiting[first[i]!]!++;
    if (second[i]! >= 0) waiting[second[i]!]!++;
  }
  const ready: number[] = [0];
  const order: Block[] = [];
  let last = -1;
  // A block whose one successor still waits for others goes last.
  const blocked = (r: number): boolean => fallsInto[r]! >= 0 && waiting[fallsInto[r]!]! > 1;
  while (ready.length > 0) {
    const next = last >= 0 ? fallsInto[last]! : -1;
    let pick = next >= 0 ? ready.indexOf(next) : -1;
    if (pick < 0) {
      // Lowest rank first, but a blocked block after every unblocked one.
      for (let i = 0; i < ready.length; i++) {
        if (pick < 0) { pick = i; continue; }
        const a = ready[i]!;
        const b = ready[pick]!;
        if (blocked(a) !== blocked(b) ? !blocked(a) : a < b) pick = i;
      }
    }
    const r = ready.splice(pick, 1)[0]!;
    order.push(blocks[r]!);
    last = r;
    const s1 = first[r]!;
    const s2 = second[r]!;
    if (s1 >= 0 && --waiting[s1]! === 0) ready.push(s1);
    if (s2 >= 0 && --waiting[s2]! === 0) ready.push(s2);
  }
  return order;
}
