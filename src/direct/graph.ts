/**
 * The direct form as a graph: each test becomes a node with a successor per outcome, and/or/not become
 * shared successors (continuation passing, as the compiler's block graph), leaves accept or reject. The
 * graph is acyclic; paths through it are exactly the evaluation orders of the boolean tree.
 */
import type { DirectBool, DirectTest } from './ir.js';

/** A leaf: the filter's outcome. */
export interface DirectLeaf { kind: 'leaf'; accept: boolean }

/** A test node; `whenTrue` and `whenFalse` are the same node for a test without comparison. */
export interface DirectNode { kind: 'node'; id: number; test: DirectTest; whenTrue: DirectGraphNode; whenFalse: DirectGraphNode }

/** A node of the graph. */
export type DirectGraphNode = DirectNode | DirectLeaf;

/** The accepting leaf (shared by every graph). */
export const DIRECT_ACCEPT: DirectLeaf = { kind: 'leaf', accept: true };
/** The rejecting leaf (shared by every graph). */
export const DIRECT_REJECT: DirectLeaf = { kind: 'leaf', accept: false };

/** Builds the graph of a boolean tree. */
export function buildDirectGraph(root: DirectBool): DirectGraphNode {
  let nextId = 0;
  const build = (node: DirectBool, onTrue: DirectGraphNode, onFalse: DirectGraphNode): DirectGraphNode => {
    switch (node.kind) {
      case 'bool': return node.value ? onTrue : onFalse;
      case 'test': return node.compare ? { kind: 'node', id: nextId++, test: node, whenTrue: onTrue, whenFalse: onFalse } : { kind: 'node', id: nextId++, test: node, whenTrue: onTrue, whenFalse: onTrue };
      case 'not': return build(node.operand, onFalse, onTrue);
      case 'and': return build(node.left, build(node.right, onTrue, onFalse), onFalse);
      case 'or': return build(node.left, onTrue, build(node.right, onTrue, onFalse));
    }
  };
  return build(root, DIRECT_ACCEPT, DIRECT_REJECT);
}

/** Every node reachable from `root`, predecessors first (reverse postorder; iterative, so long graphs cannot overflow the stack). */
export function directGraphOrder(root: DirectGraphNode): DirectNode[] {
  const seen = new Set<DirectNode>();
  const postorder: DirectNode[] = [];
  const stack: { node: DirectNode; stage: number }[] = [];
  if (root.kind === 'node') { seen.add(root); stack.push({ node: root, stage: 0 }); }
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const next = top.stage === 0 ? top.node.whenTrue : top.stage === 1 ? top.node.whenFalse : undefined;
    top.stage++;
    if (next === undefined) { postorder.push(top.node); stack.pop(); continue; }
    if (next.kind === 'node' && !seen.has(next)) { seen.add(next); stack.push({ node: next, stage: 0 }); }
  }
  return postorder.reverse();
}

/** How many tests the graph emits when every shared node is written out once per path into it (capped at `cap + 1`). */
export function directTreeSize(root: DirectGraphNode, cap: number): number {
  const size = new Map<DirectNode, number>();
  for (const node of directGraphOrder(root).reverse()) {
    const of = (n: DirectGraphNode): number => (n.kind === 'leaf' ? 0 : size.get(n)!);
    const here = node.whenTrue === node.whenFalse ? 1 + of(node.whenTrue) : 1 + of(node.whenTrue) + of(node.whenFalse);
    size.set(node, Math.min(here, cap + 1));
  }
  return root.kind === 'leaf' ? 0 : size.get(root)!;
}
