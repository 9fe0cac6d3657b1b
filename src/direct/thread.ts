/**
 * Path-sensitive optimization of the direct graph, keeping the -O0 verdict of every packet. Facts known
 * on an edge (the captured length reaches N; a run-time-offset read was in range; a value equals or
 * differs from a constant; a comparison's outcome) come from the tests passed on every path into it.
 *  - A check that the facts imply is dropped (it would pass).
 *  - Jump threading: an edge into a test whose checks the facts imply, which assigns nothing and whose
 *    outcome the facts decide, goes straight to that outcome's successor (the test would run, pass its
 *    checks and change nothing). The packets crossing the edge take the same path with one test fewer.
 * Repeated to a fixpoint: an edge's facts only grow as edges move past decided tests.
 * Last, a test from which no accepting leaf can be reached is the rejecting leaf: whatever its checks,
 * assignments and outcome, the filter returns 0 (a failed check returns 0 too), e.g. the IPv6 half of
 * `proto gre` under `and ip[54:4] = …`, which -O0 still evaluates.
 */
import type { DirectCheck, DirectCompareOp, DirectRegister, DirectTest, DirectValue } from './ir.js';
import { directValueKey, forEachDirectValue } from './ir.js';
import { foldDirectAlu } from './lower.js';
import { DIRECT_REJECT, directGraphOrder } from './graph.js';
import type { DirectGraphNode, DirectNode } from './graph.js';

/** What a value is known to equal or differ from. */
interface ValueFact { equals: number | undefined; differs: Set<number>; registers: Set<DirectRegister> }

/** Facts holding on every path into an edge. */
interface Facts {
  /** The captured length is at least this. */
  length: number;
  /** Run-time-offset reads known in range: base key -> furthest end (and the registers the base reads). */
  reads: Map<string, { end: number; registers: Set<DirectRegister> }>;
  values: Map<string, ValueFact>;
  /** Outcomes of comparisons other than equality with a constant, by `op|valueKey|constant`. */
  compares: Map<string, { outcome: boolean; registers: Set<DirectRegister> }>;
}

const emptyFacts = (): Facts => ({ length: 0, reads: new Map(), values: new Map(), compares: new Map() });

function copyFacts(f: Facts): Facts {
  const values = new Map<string, ValueFact>();
  for (const [k, v] of f.values) values.set(k, { equals: v.equals, differs: new Set(v.differs), registers: v.registers });
  return { length: f.length, reads: new Map(f.reads), values, compares: new Map(f.compares) };
}

/** Whether `fact` says the value is not `c`. */
const saysDiffers = (fact: ValueFact | undefined, c: number): boolean => fact !== undefined && ((fact.equals !== undefined && fact.equals !== c) || fact.differs.has(c));

/** The facts holding on both of two sets of paths. */
function intersectFacts(a: Facts, b: Facts): Facts {
  const reads = new Map<string, { end: number; registers: Set<DirectRegister> }>();
  for (const [k, v] of a.reads) { const w = b.reads.get(k); if (w) reads.set(k, { end: Math.min(v.end, w.end), registers: v.registers }); }
  const values = new Map<string, ValueFact>();
  for (const [k, v] of a.values) {
    const w = b.values.get(k);
    if (!w) continue;
    const equals = v.equals !== undefined && v.equals === w.equals ? v.equals : undefined;
    const differs = new Set<number>();
    for (const c of [...v.differs, ...w.differs]) if (saysDiffers(v, c) && saysDiffers(w, c)) differs.add(c);
    if (v.equals !== undefined && w.equals !== undefined && v.equals !== w.equals) { /* both known, different: nothing common */ }
    if (equals !== undefined || differs.size > 0) values.set(k, { equals, differs, registers: v.registers });
  }
  const compares = new Map<string, { outcome: boolean; registers: Set<DirectRegister> }>();
  for (const [k, v] of a.compares) { const w = b.compares.get(k); if (w && w.outcome === v.outcome) compares.set(k, v); }
  return { length: Math.min(a.length, b.length), reads, values, compares };
}

/** The registers a value reads. */
function registersOf(value: DirectValue): Set<DirectRegister> {
  const found = new Set<DirectRegister>();
  forEachDirectValue(value, (v) => { if (v.kind === 'register') found.add(v.register); });
  return found;
}

/** The value as a constant when the facts fix it. */
function knownValue(value: DirectValue, facts: Facts): number | undefined {
  if (value.kind === 'const') return value.value;
  const fact = facts.values.get(directValueKey(value));
  if (fact?.equals !== undefined) return fact.equals;
  if (value.kind === 'alu') {
    const l = knownValue(value.left, facts);
    const r = l === undefined ? undefined : knownValue(value.right, facts);
    return l === undefined || r === undefined ? undefined : foldDirectAlu(value.op, l, r);
  }
  return undefined;
}

function compareConstants(op: DirectCompareOp, l: number, r: number): boolean {
  return op === 'eq' ? l === r : op === 'gt' ? l > r : op === 'ge' ? l >= r : (l & r) !== 0;
}

/** The comparison's outcome when the facts decide it. */
function knownOutcome(compare: NonNullable<DirectTest['compare']>, facts: Facts): boolean | undefined {
  const right = knownValue(compare.right, facts);
  if (right === undefined) return undefined;
  const left = knownValue(compare.left, facts);
  if (left !== undefined) return compareConstants(compare.op, left, right);
  const key = directValueKey(compare.left);
  if (compare.op === 'eq' && saysDiffers(facts.values.get(key), right)) return false;
  return facts.compares.get(`${compare.op}|${key}|${right}`)?.outcome;
}

/** Whether the facts imply that a check passes. */
function checkImplied(check: DirectCheck, facts: Facts): boolean {
  if (check.kind === 'nonzero') {
    const known = knownValue(check.value, facts);
    return (known !== undefined && known !== 0) || saysDiffers(facts.values.get(directValueKey(check.value)), 0);
  }
  if (check.base === undefined) return check.offset + check.size <= facts.length;
  const known = facts.reads.get(directValueKey(check.base));
  return known !== undefined && check.offset + check.size <= known.end;
}

/** Adds what passing a check teaches. */
function learnCheck(check: DirectCheck, facts: Facts): void {
  if (check.kind === 'nonzero') { learnCompare({ op: 'eq', left: check.value, right: { kind: 'const', value: 0 } }, false, facts); return; }
  const end = check.offset + check.size;
  if (check.base === undefined) { facts.length = Math.max(facts.length, end); return; }
  const key = directValueKey(check.base);
  const known = facts.reads.get(key);
  if (!known || known.end < end) facts.reads.set(key, { end, registers: registersOf(check.base) });
  // A read at a run-time offset of at least 0 also proves the length: base >= 0.
  facts.length = Math.max(facts.length, end);
}

/** Adds what a comparison's outcome teaches. */
function learnCompare(compare: NonNullable<DirectTest['compare']>, outcome: boolean, facts: Facts): void {
  if (compare.right.kind !== 'const') return;
  const key = directValueKey(compare.left);
  const c = compare.right.value;
  const registers = registersOf(compare.left);
  if (compare.op === 'eq') {
    const fact = facts.values.get(key) ?? { equals: undefined, differs: new Set<number>(), registers };
    if (outcome) fact.equals = c; else fact.differs.add(c);
    facts.values.set(key, fact);
    return;
  }
  facts.compares.set(`${compare.op}|${key}|${c}`, { outcome, registers });
}

/** Forgets facts about values that read a register the test assigns. */
function forgetAssigned(test: DirectTest, facts: Facts): void {
  if (test.assigns.length === 0) return;
  const assigned = new Set(test.assigns.map((a) => a.register));
  const stale = (registers: Set<DirectRegister>): boolean => [...registers].some((r) => assigned.has(r));
  for (const [k, v] of facts.reads) if (stale(v.registers)) facts.reads.delete(k);
  for (const [k, v] of facts.values) if (stale(v.registers)) facts.values.delete(k);
  for (const [k, v] of facts.compares) if (stale(v.registers)) facts.compares.delete(k);
}

/** The facts on a node's outgoing edge for `outcome`, given its entry facts. */
function exitFacts(node: DirectNode, entry: Facts, outcome: boolean): Facts {
  const facts = copyFacts(entry);
  for (const check of node.test.checks) learnCheck(check, facts);
  // The comparison reads registers as the test found them: learn it before forgetting what the assignments change.
  if (node.test.compare && node.whenTrue !== node.whenFalse) learnCompare(node.test.compare, outcome, facts);
  forgetAssigned(node.test, facts);
  return facts;
}

/** Where an edge with `facts` ends once it skips every test the facts decide. */
function threadTarget(target: DirectGraphNode, facts: Facts): DirectGraphNode {
  for (let hops = 0; target.kind === 'node' && hops < 10_000; hops++) {
    const test = target.test;
    if (test.assigns.length > 0 || !test.checks.every((c) => checkImplied(c, facts))) break;
    if (target.whenTrue === target.whenFalse) { target = target.whenTrue; continue; }
    const outcome = knownOutcome(test.compare!, facts);
    if (outcome === undefined) break;
    target = outcome ? target.whenTrue : target.whenFalse;
  }
  return target;
}

/** Optimizes the graph in place (nodes are copied first) and returns its new root. */
export function threadDirectGraph(input: DirectGraphNode): DirectGraphNode {
  // Copy the nodes so that the caller's graph stays as built.
  const copies = new Map<DirectNode, DirectNode>();
  const copy = (n: DirectGraphNode): DirectGraphNode => {
    if (n.kind === 'leaf') return n;
    let c = copies.get(n);
    if (!c) { c = { ...n, test: { ...n.test, checks: [...n.test.checks] } }; copies.set(n, c); }
    return c;
  };
  for (const n of directGraphOrder(input)) { const c = copy(n) as DirectNode; c.whenTrue = copy(n.whenTrue); c.whenFalse = copy(n.whenFalse); }
  let root = copy(input);
  root = threadTarget(root, emptyFacts());
  for (let pass = 0; pass < 50; pass++) {
    let changed = false;
    const order = directGraphOrder(root);
    const incoming = new Map<DirectNode, Facts>();
    if (root.kind === 'node') incoming.set(root, emptyFacts());
    for (const node of order) {
      const entry = incoming.get(node) ?? emptyFacts();
      const kept = node.test.checks.filter((c) => !checkImplied(c, entry));
      if (kept.length !== node.test.checks.length) { node.test = { ...node.test, checks: kept }; changed = true; }
      for (const outcome of node.whenTrue === node.whenFalse ? [true] : [true, false]) {
        const facts = exitFacts(node, entry, outcome);
        const before = outcome ? node.whenTrue : node.whenFalse;
        const after = threadTarget(before, facts);
        if (after !== before) {
          changed = true;
          if (node.whenTrue === node.whenFalse) { node.whenTrue = after; node.whenFalse = after; } else if (outcome) node.whenTrue = after; else node.whenFalse = after;
        }
        if (after.kind === 'node') {
          const seen = incoming.get(after);
          incoming.set(after, seen ? intersectFacts(seen, facts) : facts);
        }
      }
      // A test whose outcomes meet is a test without comparison (its checks and assignments still run).
      if (node.whenTrue === node.whenFalse && node.test.compare) { node.test = { ...node.test, compare: undefined }; changed = true; }
    }
    if (!changed) break;
  }
  return pruneRejectingNodes(root);
}

/**
 * Replaces every node from which no accepting leaf is reachable by the rejecting leaf (`A -> reject` when
 * every path from A ends in reject or a failed check, which is reject too). Nodes are updated in place.
 */
export function pruneRejectingNodes(root: DirectGraphNode): DirectGraphNode {
  const canAccept = new Map<DirectNode, boolean>();
  const accepts = (n: DirectGraphNode): boolean => (n.kind === 'leaf' ? n.accept : canAccept.get(n)!);
  // Successors first (reverse of a predecessors-first order), so that both outcomes are known.
  for (const node of directGraphOrder(root).reverse()) {
    canAccept.set(node, accepts(node.whenTrue) || accepts(node.whenFalse));
    const prune = (n: DirectGraphNode): DirectGraphNode => (n.kind === 'node' && !canAccept.get(n) ? DIRECT_REJECT : n);
    const whenTrue = prune(node.whenTrue);
    const whenFalse = prune(node.whenFalse);
    if (whenTrue === whenFalse && node.whenTrue !== node.whenFalse && node.test.compare) node.test = { ...node.test, compare: undefined };
    node.whenTrue = whenTrue;
    node.whenFalse = whenFalse;
  }
  return root.kind === 'node' && !canAccept.get(root) ? DIRECT_REJECT : root;
}
