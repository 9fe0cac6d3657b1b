/**
 * Optimization of the direct form, keeping the -O0 BPF program's verdict on every packet:
 *  - dead registers: assignments to a register no test reads are dropped (`A`, `X` and scratch words only
 *    matter where a tunnel carries them to a later test);
 *  - constant tests fold away, and a constant left operand of and/or/not decides without evaluating the rest;
 *  - range inference: the largest value each expression can take (registers to a fixpoint), so that every
 *    read's last byte has an upper bound; `constantEnd` covers the reads at constant offsets and `allEnd`
 *    every read (Infinity when unbounded). When the captured length reaches one of them, the emitter drops
 *    the checks it covers and tests the length once up front; shorter packets keep every check in order;
 *  - shared loads: a constant-offset read used by more than one test is read once into a local.
 */
import { directTests, directValueKey, forEachDirectValue, testValues } from './ir.js';
import type { DirectBool, DirectRegister, DirectTest, DirectValue } from './ir.js';
import { foldDirectAlu } from './lower.js';

/** What the emitter needs to know about an optimized program. */
export interface DirectAnalysis {
  /** Registers some test reads (their assignments are kept and they start at 0 for each packet). */
  liveRegisters: DirectRegister[];
  /** One past the last byte of any constant-offset read (0 when there is none). */
  constantEnd: number;
  /** One past the last byte any read can touch (Infinity when some offset is unbounded). */
  allEnd: number;
  /** Keys (directValueKey) of constant-offset loads read by more than one test. */
  sharedLoads: Set<string>;
  /** Whether some test reads the wire length. */
  readsWireLength: boolean;
  /** The largest value each live register can hold. */
  registerBounds: Map<DirectRegister, number>;
}

const MAX_UINT32 = 0xffffffff;

/** The registers read anywhere in the tree. */
function readRegisters(root: DirectBool): Set<DirectRegister> {
  const read = new Set<DirectRegister>();
  for (const test of directTests(root)) {
    for (const value of testValues(test)) forEachDirectValue(value, (v) => { if (v.kind === 'register') read.add(v.register); });
  }
  return read;
}

/** The registers a test reads (in its checks, the values it assigns and its comparison). */
function testReads(test: DirectTest): Set<DirectRegister> {
  const read = new Set<DirectRegister>();
  for (const value of testValues(test)) forEachDirectValue(value, (v) => { if (v.kind === 'register') read.add(v.register); });
  return read;
}

/**
 * Drops each assignment whose register no later test reads before another test overwrites it (backward
 * liveness over the tree, with the true and false exits of each node as its successors).
 */
function pruneDeadAssigns(node: DirectBool, liveTrue: ReadonlySet<DirectRegister>, liveFalse: ReadonlySet<DirectRegister>): { node: DirectBool; liveIn: Set<DirectRegister> } {
  switch (node.kind) {
    case 'bool': return { node, liveIn: new Set(node.value ? liveTrue : liveFalse) };
    case 'test': {
      const liveOut = new Set([...liveTrue, ...liveFalse]);
      const kept: DirectTest = { ...node, assigns: node.assigns.filter((a) => liveOut.has(a.register)) };
      const liveIn = new Set([...liveOut].filter((r) => !node.assigns.some((a) => a.register === r)));
      for (const r of testReads(kept)) liveIn.add(r);
      return { node: kept, liveIn };
    }
    case 'not': {
      const operand = pruneDeadAssigns(node.operand, liveFalse, liveTrue);
      return { node: { kind: 'not', operand: operand.node }, liveIn: operand.liveIn };
    }
    case 'and': case 'or': {
      const right = pruneDeadAssigns(node.right, liveTrue, liveFalse);
      const left = node.kind === 'and' ? pruneDeadAssigns(node.left, right.liveIn, liveFalse) : pruneDeadAssigns(node.left, liveTrue, right.liveIn);
      return { node: { kind: node.kind, left: left.node, right: right.node }, liveIn: left.liveIn };
    }
  }
}

/** Drops dead assignments and folds constants; the result evaluates the same checks in the same order. */
export function optimizeDirect(input: DirectBool): DirectBool {
  const root = pruneDeadAssigns(input, new Set(), new Set()).node;
  const live = readRegisters(root);
  const simplify = (node: DirectBool): DirectBool => {
    switch (node.kind) {
      case 'bool': return node;
      case 'test': {
        const assigns = node.assigns.filter((a) => live.has(a.register));
        const compare = node.compare;
        if (node.checks.length === 0 && assigns.length === 0) {
          if (compare === undefined) return { kind: 'bool', value: true };
          if (compare.left.kind === 'const' && compare.right.kind === 'const') {
            const l = compare.left.value;
            const r = compare.right.value;
            const value = compare.op === 'eq' ? l === r : compare.op === 'gt' ? l > r : compare.op === 'ge' ? l >= r : (l & r) !== 0;
            return { kind: 'bool', value };
          }
        }
        return { ...node, assigns };
      }
      case 'not': {
        const operand = simplify(node.operand);
        return operand.kind === 'bool' ? { kind: 'bool', value: !operand.value } : { kind: 'not', operand };
      }
      case 'and': case 'or': {
        const left = simplify(node.left);
        if (left.kind === 'bool') {
          // and(false, r) and or(true, r) never evaluate r; and(true, r) and or(false, r) are r.
          if (left.value === (node.kind === 'or')) return left;
          return simplify(node.right);
        }
        const right = simplify(node.right);
        // A right operand that cannot change the outcome: and(l, true) = l, or(l, false) = l.
        if (right.kind === 'bool' && right.value === (node.kind === 'and')) return left;
        return { kind: node.kind, left, right };
      }
    }
  };
  return simplify(root);
}

/** The largest value `value` can take, given the registers' largest values. */
export function directUpperBound(value: DirectValue, registers: ReadonlyMap<DirectRegister, number>): number {
  switch (value.kind) {
    case 'const': return value.value;
    case 'wireLength': return MAX_UINT32;
    case 'load': return value.size === 1 ? 0xff : value.size === 2 ? 0xffff : MAX_UINT32;
    case 'register': return registers.get(value.register) ?? MAX_UINT32;
    case 'negate': return value.operand.kind === 'const' ? (-value.operand.value) >>> 0 : MAX_UINT32;
    case 'alu': {
      const l = directUpperBound(value.left, registers);
      const r = directUpperBound(value.right, registers);
      const fits = (n: number): number => (n <= MAX_UINT32 ? n : MAX_UINT32);
      switch (value.op) {
        case 'add': return l + r <= MAX_UINT32 ? l + r : MAX_UINT32;
        case 'mul': return fits(l * r);
        case 'and': return Math.min(l, r);
        case 'or': case 'xor': return fits(2 ** Math.ceil(Math.log2(Math.max(l, r) + 1)) - 1);
        case 'lsh': return value.right.kind === 'const' ? fits(l * 2 ** value.right.value) : MAX_UINT32;
        case 'rsh': case 'div': return l;
        case 'mod': return Math.min(l, r === 0 ? 0 : r - 1);
        case 'sub': {
          // Only a constant subtracted from a value known to be at least that much stays small; else it may wrap.
          const folded = value.left.kind === 'const' && value.right.kind === 'const' ? foldDirectAlu('sub', value.left.value, value.right.value) : undefined;
          return folded ?? MAX_UINT32;
        }
      }
    }
  }
}

/** Analyses an optimized tree for the emitter: live registers, read bounds and shared loads. */
export function analyzeDirect(root: DirectBool): DirectAnalysis {
  const tests = directTests(root);
  const live = readRegisters(root);
  // Largest register values, following the tests in evaluation order: directTests lists them left to right,
  // every run of the tree runs a subset of them in that order, each at most once, and a test reads the
  // registers as they were when it began. So at the start of a test a register holds 0 (every register
  // starts at 0 for each packet) or a value an earlier test assigned: its bound there is the largest of
  // those, and a tunnel's `x = x + 14` after `x = header length` stays bounded (a fixpoint over all the
  // assignments at once would not be). `registers` ends as the bound over the whole run.
  const registers = new Map<DirectRegister, number>();
  for (const r of live) registers.set(r, 0);
  let constantEnd = 0;
  let allEnd = 0;
  const loadUses = new Map<string, number>();
  let readsWireLength = false;
  for (const test of tests) {
    for (const check of test.checks) {
      if (check.kind !== 'bounds') continue;
      const end = check.offset + check.size;
      if (check.base === undefined) constantEnd = Math.max(constantEnd, end);
      const base = check.base === undefined ? 0 : directUpperBound(check.base, registers);
      allEnd = Math.max(allEnd, base >= MAX_UINT32 ? Infinity : base + end);
    }
    // The assignments read the registers as the test began; after it a register holds its old value (the
    // test did not run, or did not reach its assignments) or the new one.
    const assigned = test.assigns.map(({ register, value }) => ({ register, bound: directUpperBound(value, registers) }));
    for (const { register, bound } of assigned) registers.set(register, Math.max(registers.get(register) ?? 0, bound));
    const seen = new Set<string>();
    for (const value of testValues(test)) {
      forEachDirectValue(value, (v) => {
        if (v.kind === 'wireLength') readsWireLength = true;
        if (v.kind === 'load' && v.base === undefined) seen.add(directValueKey(v));
      });
    }
    for (const key of seen) loadUses.set(key, (loadUses.get(key) ?? 0) + 1);
  }
  const sharedLoads = new Set([...loadUses].filter(([, uses]) => uses > 1).map(([key]) => key));
  const liveRegisters = [...live].sort((p, q) => String(p).localeCompare(String(q)));
  return { liveRegisters, constantEnd, allEnd: Math.max(allEnd, constantEnd), sharedLoads, readsWireLength, registerBounds: registers };
}
