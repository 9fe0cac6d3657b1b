/**
 * JavaScript from the direct form. The source is built only from numbers (checked by `directLiteral`) and
 * fixed templates: no text of the filter or of any name reaches it.
 *
 * The boolean tree becomes statements with labeled blocks, evaluated in the tree's order with its short
 * circuits: a node either falls through on one outcome and jumps (`break`) on the other, or decides between
 * two exits. A failed check (a read past the captured length, a division by zero) takes the reject exit at
 * once, as the BPF program returns 0. A version of the code is emitted per length threshold: each drops the
 * checks whose furthest byte (range inference) the threshold covers; one length test picks the version.
 * Measured on the benchmark mix, branches beat computing small check-free regions without them (`&`, `|`
 * on 0/1 values): the extra reads cost more than the mispredictions they save, so only a record's last
 * decision is branch-free (the `acceptWhen` count). In the DataView versions (batch), a 16- or 32-bit field
 * that every test only compares with constants for equality or masks with constants (swappableLoads) is
 * read little-endian and the constants are swapped instead, which saves the byte swap per read.
 */
import type { DirectAnalysis } from './optimize.js';
import { directUpperBound } from './optimize.js';
import type { DirectBool, DirectCheck, DirectRegister, DirectTest, DirectValue } from './ir.js';
import { directTests, directValueKey, forEachDirectValue, testValues } from './ir.js';
import { buildDirectGraph, directGraphOrder, directTreeSize } from './graph.js';
import type { DirectGraphNode } from './graph.js';
import { threadDirectGraph } from './thread.js';

/** Formats a number for the generated source, refusing anything but a safe integer. */
export function directLiteral(value: number): string {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new Error(`internal: ${String(value)} is not a number the direct emitter can write`);
  return String(value);
}

/** How a version of the record code reads and leaves. */
export interface DirectEmitOptions {
  /** ONE statement (a block if need be: it follows `if (…)`) counting an accepted record and leaving it. */
  accept: string;
  /** ONE statement leaving a rejected record (also taken when a check fails). */
  reject: string;
  /** Statement adding a 0/1 outcome text to the count and leaving (branchless last decision); absent: branch. */
  acceptWhen?: (outcome: string) => string;
  /** Read values through the DataView `v` (batch form): 16- and 32-bit ones rather than byte by byte, and constant-offset bytes too. */
  dataView: boolean;
}

/** Emission state shared by the versions of one program (temporaries are declared once). */
interface EmitState {
  analysis: DirectAnalysis;
  /** Local names of shared constant-offset loads, by directValueKey. */
  shared: Map<string, string>;
  temps: Set<string>;
  nextTemp: number;
  nextLabel: number;
  /** Keys of the 16- and 32-bit loads the DataView reads little-endian (see swappableLoads). */
  swapped: ReadonlySet<string>;
}

/** One version: the threshold its checks may rely on, and how it reads and leaves. */
interface Version { state: EmitState; threshold: number; options: DirectEmitOptions; lines: string[]; depth: number }

const registerName = (register: DirectRegister): string => (register === 'a' ? 'a' : register === 'x' ? 'x' : `m${directLiteral(register)}`);

// Temporaries: s# shared loads, b# run-time bases, k# comparison outcomes, u# other values (no clash with
// the loops' names: p, v, o, c, len, w, r, room, size, count, accepted, a, x, m#, o0…c3, record#, l#).
function freshTemp(state: EmitState, prefix: 'b' | 'k' | 'u'): string {
  const name = `${prefix}${directLiteral(state.nextTemp++)}`;
  state.temps.add(name);
  return name;
}

/**
 * How a value reads the packet: `bases` maps run-time bases (by key) to the temporaries holding them,
 * `loads` packet reads (by key) already made into temporaries once the test's checks passed.
 */
interface ValueContext { version: Version; bases: Map<string, string>; byteReads: boolean; loads?: Map<string, string> }

function readAt(index: string, size: 1 | 2 | 4, dataView: boolean, littleEndian = false): string {
  if (size === 1) return dataView ? `v.getUint8(${index})` : `p[${index}]`;
  if (dataView) return `${size === 2 ? 'v.getUint16' : 'v.getUint32'}(${index}${littleEndian ? ', true' : ''})`;
  const at = (i: number): string => (i === 0 ? index : `${index} + ${directLiteral(i)}`);
  if (size === 2) return `(p[${at(0)}] << 8 | p[${at(1)}])`;
  return `((p[${at(0)}] << 24 | p[${at(1)}] << 16 | p[${at(2)}] << 8 | p[${at(3)}]) >>> 0)`;
}

/** JavaScript for a value: a non-negative integer below 2^32. */
function emitValue(value: DirectValue, ctx: ValueContext): string {
  const { state } = ctx.version;
  switch (value.kind) {
    case 'const': return directLiteral(value.value);
    case 'wireLength': return 'w';
    case 'register': return registerName(value.register);
    case 'load': {
      const read = ctx.loads?.get(directValueKey(value));
      if (read !== undefined) return read;
      const dataView = ctx.version.options.dataView && !ctx.byteReads;
      const littleEndian = dataView && state.swapped.has(directValueKey(value));
      if (value.base === undefined) return state.shared.get(directValueKey(value)) ?? readAt(`o + ${directLiteral(value.offset)}`, value.size, dataView, littleEndian);
      const base = ctx.bases.get(directValueKey(value.base)) ?? emitValue(value.base, { ...ctx, byteReads: true });
      return readAt(`o + ${base} + ${directLiteral(value.offset)}`, value.size, dataView, littleEndian);
    }
    case 'negate': return `(-${emitValue(value.operand, ctx)} >>> 0)`;
    case 'alu': {
      const right = value.right;
      // Results below 2^31 are the same as int32 and as uint32: no `>>> 0` needed.
      const small = directUpperBound(value, state.analysis.registerBounds) < 0x80000000;
      const unsigned = (text: string): string => (small ? `(${text})` : `((${text}) >>> 0)`);
      if ((value.op === 'lsh' || value.op === 'rsh') && right.kind === 'const') {
        if (right.value >= 32) return '0';
        const l = emitValue(value.left, ctx);
        return value.op === 'lsh' ? unsigned(`${l} << ${directLiteral(right.value)}`) : `(${l} >>> ${directLiteral(right.value)})`;
      }
      if (value.op === 'lsh' || value.op === 'rsh') {
        const shift = freshTemp(state, 'u');
        const r = emitValue(right, ctx);
        const l = emitValue(value.left, ctx);
        return `((${shift} = ${r}) < 32 ? ${l} ${value.op === 'lsh' ? '<<' : '>>>'} ${shift} >>> 0 : 0)`;
      }
      const l = emitValue(value.left, ctx);
      const r = emitValue(right, ctx);
      switch (value.op) {
        case 'add': return unsigned(`${l} + ${r}`);
        case 'sub': return `((${l} - ${r}) >>> 0)`;
        case 'mul': return `(Math.imul(${l}, ${r}) >>> 0)`;
        case 'div': return `Math.floor(${l} / ${r})`;
        case 'mod': return `(${l} % ${r})`;
        case 'and': return unsigned(`${l} & ${r}`);
        case 'or': return unsigned(`${l} | ${r}`);
        case 'xor': return unsigned(`${l} ^ ${r}`);
      }
    }
  }
}

/** One past the furthest byte a bounds check can require (Infinity when unbounded). */
function checkEnd(check: Extract<DirectCheck, { kind: 'bounds' }>, analysis: DirectAnalysis): number {
  if (check.base === undefined) return check.offset + check.size;
  const base = directUpperBound(check.base, analysis.registerBounds);
  return base >= 0xffffffff ? Infinity : base + check.offset + check.size;
}

/** The checks a version keeps: those its length threshold does not cover (divisions always). */
function keptChecks(test: DirectTest, version: Version): DirectCheck[] {
  return test.checks.filter((c) => c.kind === 'nonzero' || checkEnd(c, version.state.analysis) > version.threshold);
}

/** A 16- or 32-bit value with its bytes in the opposite order. */
function swapDirectBytes(value: number, size: 2 | 4): number {
  if (size === 2) return ((value & 0xff) << 8) | ((value >>> 8) & 0xff);
  return (((value & 0xff) << 24) | ((value & 0xff00) << 8) | ((value >>> 8) & 0xff00) | (value >>> 24)) >>> 0;
}

/**
 * A comparison operand that can be compared in swapped byte order: a 16- or 32-bit load, or such a load
 * masked with a constant (`load & k`, in either order), with that mask (undefined when there is none).
 */
function swappableOperand(value: DirectValue): { load: Extract<DirectValue, { kind: 'load' }>; mask: number | undefined } | undefined {
  if (value.kind === 'load') return value.size === 1 ? undefined : { load: value, mask: undefined };
  if (value.kind !== 'alu' || value.op !== 'and') return undefined;
  const [load, mask] = value.left.kind === 'load' ? [value.left, value.right] : [value.right, value.left];
  if (load.kind !== 'load' || load.size === 1 || mask.kind !== 'const') return undefined;
  return { load, mask: mask.value };
}

/**
 * The keys of the 16- and 32-bit loads that the batch form may read little-endian: every use of the load
 * in `tests` is as an operand (alone, or masked with a constant) of an `eq` or `set` comparison whose
 * other operand is a constant (for `eq` on a halfword, one that fits 16 bits), so the comparison can swap
 * the constants instead of the bytes.
 */
export function swappableLoads(tests: Iterable<DirectTest>): Set<string> {
  const candidates = new Set<string>();
  const others = new Set<string>();
  const otherUse = (value: DirectValue): void => forEachDirectValue(value, (v) => { if (v.kind === 'load') others.add(directValueKey(v)); });
  for (const test of tests) {
    for (const check of test.checks) {
      if (check.kind === 'bounds') { if (check.base) otherUse(check.base); } else otherUse(check.value);
    }
    for (const assign of test.assigns) otherUse(assign.value);
    const compare = test.compare;
    if (!compare) continue;
    for (const [value, other] of [[compare.left, compare.right], [compare.right, compare.left]] as const) {
      const masked = swappableOperand(value);
      const plain = masked !== undefined && other.kind === 'const' &&
        (compare.op === 'set' || (compare.op === 'eq' && (masked.load.size === 4 || other.value <= 0xffff)));
      if (plain) {
        candidates.add(directValueKey(masked.load));
        if (masked.load.base) otherUse(masked.load.base);
      } else otherUse(value);
    }
  }
  for (const key of others) candidates.delete(key);
  return candidates;
}

/** The comparison text (a boolean expression). */
function emitCompare(compare: NonNullable<DirectTest['compare']>, ctx: ValueContext): string {
  // A load read little-endian is compared with the constant's bytes swapped (swappableLoads allows only
  // `eq` and `set` with a constant that fits the load).
  const swappedOf = (value: DirectValue): ReturnType<typeof swappableOperand> => {
    const operand = ctx.version.options.dataView && !ctx.byteReads ? swappableOperand(value) : undefined;
    return operand && ctx.version.state.swapped.has(directValueKey(operand.load)) ? operand : undefined;
  };
  const swap = (value: number, size: 2 | 4): string => directLiteral(swapDirectBytes(size === 2 ? value & 0xffff : value, size));
  const operand = (value: DirectValue, other: DirectValue): string => {
    const mine = swappedOf(value);
    if (mine && mine.mask !== undefined) {
      // (load & k) in swapped order: the mask swapped too; a 32-bit result kept unsigned like the constant.
      const size = mine.load.size === 4 ? 4 : 2;
      return `((${emitValue(mine.load, ctx)} & ${swap(mine.mask, size)})${size === 4 ? ' >>> 0' : ''})`;
    }
    const theirs = value.kind === 'const' ? swappedOf(other) : undefined;
    return theirs ? swap(value.kind === 'const' ? value.value : 0, theirs.load.size === 4 ? 4 : 2) : emitValue(value, ctx);
  };
  const l = operand(compare.left, compare.right);
  const r = operand(compare.right, compare.left);
  switch (compare.op) {
    case 'eq': return `${l} === ${r}`;
    case 'gt': return `${l} > ${r}`;
    case 'ge': return `${l} >= ${r}`;
    case 'set': return `(${l} & ${r}) !== 0`;
  }
}

/** Shared constant-offset loads a test reads, by local name. */
function sharedLoadsOf(test: DirectTest, state: EmitState): Map<string, Extract<DirectValue, { kind: 'load' }>> {
  const found = new Map<string, Extract<DirectValue, { kind: 'load' }>>();
  for (const value of testValues(test)) {
    forEachDirectValue(value, (v) => {
      if (v.kind === 'load' && v.base === undefined) {
        const name = state.shared.get(directValueKey(v));
        if (name !== undefined) found.set(name, v);
      }
    });
  }
  return found;
}

/** Outcome of a test as code: statements that run first, then a boolean expression. */
interface TestCode { statements: string[]; condition: string }

/**
 * A test's statements and condition: its constant-offset check, the first reads of shared loads, the
 * run-time bases (read byte by byte, so never past the buffer), the other checks in order, then the
 * comparison and the register assignments (computed from the registers as the test found them).
 */
function emitTest(test: DirectTest, version: Version, available: Set<string>): TestCode {
  const { state, options } = version;
  const statements: string[] = [];
  const kept = keptChecks(test, version);
  for (const check of kept) if (check.kind === 'bounds' && check.base === undefined) statements.push(`if (len < ${directLiteral(check.offset + check.size)}) ${options.reject}`);
  for (const [name, load] of sharedLoadsOf(test, state)) {
    if (available.has(name)) continue;
    statements.push(`${name} = ${readAt(`o + ${directLiteral(load.offset)}`, load.size, options.dataView, options.dataView && state.swapped.has(directValueKey(load)))};`);
    available.add(name);
  }
  const bases = new Map<string, string>();
  const ctx: ValueContext = { version, bases, byteReads: false };
  const baseValues = new Map<string, DirectValue>();
  for (const value of [...testValues(test)]) forEachDirectValue(value, (v) => { if (v.kind === 'load' && v.base !== undefined) baseValues.set(directValueKey(v.base), v.base); });
  for (const check of test.checks) if (check.kind === 'bounds' && check.base !== undefined) baseValues.set(directValueKey(check.base), check.base);
  for (const [key, base] of baseValues) {
    if (base.kind === 'register' || base.kind === 'const') continue;
    const temp = freshTemp(state, 'b');
    statements.push(`${temp} = ${emitValue(base, { ...ctx, byteReads: true })};`);
    bases.set(key, temp);
  }
  for (const check of kept) {
    if (check.kind === 'bounds') {
      if (check.base === undefined) continue;
      const base = bases.get(directValueKey(check.base)) ?? emitValue(check.base, ctx);
      statements.push(`if (${base} + ${directLiteral(check.offset + check.size)} > len) ${options.reject}`);
    } else {
      statements.push(`if (${emitValue(check.value, ctx)} === 0) ${options.reject}`);
    }
  }
  // A packet read the comparison and assignments make more than once (the GRE flags byte, read for each
  // optional field) is read once into a temporary, now that the checks have passed.
  const uses = new Map<string, { value: DirectValue; count: number }>();
  const after = [...test.assigns.map((a) => a.value), ...(test.compare ? [test.compare.left, test.compare.right] : [])];
  for (const value of after) {
    forEachDirectValue(value, (v) => {
      if (v.kind !== 'load' || (v.base === undefined && state.shared.has(directValueKey(v)))) return;
      const key = directValueKey(v);
      const use = uses.get(key);
      if (use) use.count++; else uses.set(key, { value: v, count: 1 });
    });
  }
  for (const [key, { value, count }] of uses) {
    if (count < 2) continue;
    const temp = freshTemp(state, 'u');
    statements.push(`${temp} = ${emitValue(value, ctx)};`);
    (ctx.loads ??= new Map()).set(key, temp);
  }
  if (test.assigns.length === 0) return { statements, condition: test.compare ? emitCompare(test.compare, ctx) : 'true' };
  let condition = 'true';
  if (test.compare) {
    condition = freshTemp(state, 'k');
    statements.push(`${condition} = ${emitCompare(test.compare, ctx)};`);
  }
  const values = test.assigns.map(({ register, value }) => {
    const temp = freshTemp(state, 'u');
    statements.push(`${temp} = ${emitValue(value, ctx)};`);
    return { register, temp };
  });
  for (const { register, temp } of values) statements.push(`${registerName(register)} = ${temp};`);
  return { statements, condition };
}

const indent = (version: Version): string => '  '.repeat(version.depth);
const emitLine = (version: Version, line: string): void => { version.lines.push(indent(version) + line); };

function newLabel(version: Version): string {
  return `l${directLiteral(version.state.nextLabel++)}`;
}

/** Shared loads of the first test a subtree runs (it runs whenever the subtree does). */
function entryLoads(node: DirectBool, state: EmitState): string[] {
  switch (node.kind) {
    case 'bool': return [];
    case 'test': return [...sharedLoadsOf(node, state).keys()];
    case 'not': return entryLoads(node.operand, state);
    case 'and': case 'or': return entryLoads(node.left, state);
  }
}

/**
 * Emits code that falls through when `node` has outcome `fallOn` and runs `exit` otherwise. `available`
 * holds the shared loads read on every path to here; the result, those read on every path that falls through.
 */
function emitExit(node: DirectBool, fallOn: boolean, exit: string, version: Version, available: ReadonlySet<string>): Set<string> {
  switch (node.kind) {
    case 'bool': if (node.value !== fallOn) emitLine(version, exit); return new Set(available);
    case 'test': {
      const after = new Set(available);
      const code = emitTest(node, version, after);
      for (const s of code.statements) emitLine(version, s);
      emitLine(version, fallOn ? `if (!(${code.condition})) ${exit}` : `if (${code.condition}) ${exit}`);
      return after;
    }
    case 'not': return emitExit(node.operand, !fallOn, exit, version, available);
    case 'and': case 'or': {
      // and falling on true / or falling on false: both operands in a row. Otherwise the left operand's
      // other outcome skips the right operand through a labeled block.
      if ((node.kind === 'and') === fallOn) {
        const afterLeft = emitExit(node.left, fallOn, exit, version, available);
        return emitExit(node.right, fallOn, exit, version, afterLeft);
      }
      const label = newLabel(version);
      emitLine(version, `${label}: {`);
      version.depth++;
      const afterLeft = emitExit(node.left, !fallOn, `break ${label};`, version, available);
      emitExit(node.right, fallOn, exit, version, afterLeft);
      version.depth--;
      emitLine(version, '}');
      return new Set([...available, ...entryLoads(node.left, version.state)]);
    }
  }
}

/** Emits code that always leaves: `accept` when `node` holds, `reject` otherwise. */
function emitDecide(node: DirectBool, version: Version, available: ReadonlySet<string>): void {
  const { options } = version;
  const finish = (condition: string): void => {
    if (options.acceptWhen) emitLine(version, options.acceptWhen(condition));
    else { emitLine(version, `if (${condition}) ${options.accept}`); emitLine(version, options.reject); }
  };
  switch (node.kind) {
    case 'bool': emitLine(version, node.value ? options.accept : options.reject); return;
    case 'test': {
      const code = emitTest(node, version, new Set(available));
      for (const s of code.statements) emitLine(version, s);
      finish(code.condition);
      return;
    }
    case 'not': {
      if (node.operand.kind === 'test') {
        const code = emitTest(node.operand, version, new Set(available));
        for (const s of code.statements) emitLine(version, s);
        finish(`!(${code.condition})`);
        return;
      }
      // Accepted when the operand is false: fall through (to reject) when it is true.
      emitExit(node.operand, true, options.accept, version, available);
      emitLine(version, options.reject);
      return;
    }
    case 'and': emitDecide(node.right, version, emitExit(node.left, true, options.reject, version, available)); return;
    case 'or': emitDecide(node.right, version, emitExit(node.left, false, options.accept, version, available)); return;
  }
}

/** Default largest graph (in tests, once every shared node is written out per path) emitted as nested ifs. */
export const DIRECT_DEFAULT_TREE_LIMIT = 600;

/** Emits a graph node as nested ifs (shared nodes written out once per path); the code always leaves. */
function emitGraph(node: DirectGraphNode, version: Version, available: ReadonlySet<string>): void {
  const { options } = version;
  const leave = (leaf: DirectGraphNode): string => (leaf.kind === 'leaf' ? (leaf.accept ? options.accept : options.reject) : '');
  if (node.kind === 'leaf') { emitLine(version, leave(node)); return; }
  const finish = (condition: string): void => {
    if (options.acceptWhen) emitLine(version, options.acceptWhen(condition));
    else { emitLine(version, `if (${condition}) ${options.accept}`); emitLine(version, options.reject); }
  };
  const after = new Set(available);
  const code = emitTest(node.test, version, after);
  for (const s of code.statements) emitLine(version, s);
  const t = node.whenTrue;
  const f = node.whenFalse;
  if (t === f) { emitGraph(t, version, after); return; }
  if (t.kind === 'leaf' && f.kind === 'leaf') {
    if (t.accept === f.accept) emitLine(version, leave(t));
    else finish(t.accept ? code.condition : `!(${code.condition})`);
    return;
  }
  if (f.kind === 'leaf') { emitLine(version, `if (!(${code.condition})) ${leave(f)}`); emitGraph(t, version, after); return; }
  if (t.kind === 'leaf') { emitLine(version, `if (${code.condition}) ${leave(t)}`); emitGraph(f, version, after); return; }
  emitLine(version, `if (${code.condition}) {`);
  version.depth++;
  emitGraph(t, version, after);
  version.depth--;
  emitLine(version, '}');
  emitGraph(f, version, after);
}

/** Graphs with more tests than this are not threaded (its passes grow with the square of the size): the tree form takes them. */
const THREAD_LIMIT = 1500;

/** The test a boolean tree runs first (undefined when it runs none). */
function firstTest(node: DirectBool): DirectTest | undefined {
  switch (node.kind) {
    case 'bool': return undefined;
    case 'test': return node;
    case 'not': return firstTest(node.operand);
    case 'and': case 'or': return firstTest(node.left);
  }
}

/** Threaded graphs by tree, so that the several sources of one program thread it once. */
const threadedGraphs = new WeakMap<DirectBool, DirectGraphNode>();

function threadedGraph(root: DirectBool): DirectGraphNode {
  let graph = threadedGraphs.get(root);
  if (!graph) {
    graph = buildDirectGraph(root);
    if (directGraphOrder(graph).length <= THREAD_LIMIT) graph = threadDirectGraph(graph);
    threadedGraphs.set(root, graph);
  }
  return graph;
}

/** The generator of one program's record code, in several versions sharing its declarations. */
export interface DirectEmitter {
  /**
   * Statements deciding one record (ending in `accept` or `reject`) given `len >= threshold` (0: nothing
   * known); `preloaded` names shared loads (see `entryLoads`) the caller already assigned for this record.
   */
  version(threshold: number, options: DirectEmitOptions, preloaded?: readonly string[]): string[];
  /**
   * The constant-offset reads of the first test (it runs for every record), with the local names the
   * versions read them from: a batch loop may read them for several records before evaluating any, so that
   * their memory accesses overlap. With `littleEndian`, versions reading through the DataView expect the
   * value read little-endian (see swappableLoads); byte-reading versions always expect it big-endian.
   */
  entryLoads(): { name: string; offset: number; size: 1 | 2 | 4; littleEndian: boolean }[];
  /** Declarations of every temporary and register the versions emitted so far use (`let …;`), for the function's top. */
  declarations(): string[];
  /** Statement resetting the registers to 0 for a new record (empty when there are none). */
  resetRegisters(): string;
}

/**
 * Creates the emitter of an optimized program: from its threaded graph as nested ifs when that stays
 * within `treeLimit` tests, otherwise from the boolean tree with labeled blocks (linear in the tree's size).
 */
export function createDirectEmitter(root: DirectBool, analysis: DirectAnalysis, treeLimit = DIRECT_DEFAULT_TREE_LIMIT): DirectEmitter {
  const graph = threadedGraph(root);
  const useGraph = directTreeSize(graph, treeLimit) <= treeLimit;
  const graphTests = graph.kind === 'node' ? directGraphOrder(graph).map((node) => node.test) : [];
  const swapped = swappableLoads([...directTests(root), ...graphTests]);
  const state: EmitState = { analysis, shared: new Map(), temps: new Set(), nextTemp: 0, nextLabel: 0, swapped };
  let index = 0;
  for (const key of analysis.sharedLoads) state.shared.set(key, `s${directLiteral(index++)}`);
  for (const name of state.shared.values()) state.temps.add(name);
  const registers = analysis.liveRegisters.map(registerName);
  // The first test's constant-offset reads become shared loads (whether or not a later test reads them too).
  const first = useGraph ? (graph.kind === 'node' ? graph.test : undefined) : firstTest(root);
  const entry: { key: string; offset: number; size: 1 | 2 | 4 }[] = [];
  if (first) {
    for (const value of testValues(first)) {
      forEachDirectValue(value, (v) => {
        if (v.kind !== 'load' || v.base !== undefined) return;
        const key = directValueKey(v);
        if (entry.some((e) => e.key === key)) return;
        entry.push({ key, offset: v.offset, size: v.size });
        if (!state.shared.has(key)) { const name = `s${directLiteral(index++)}`; state.shared.set(key, name); state.temps.add(name); }
      });
    }
  }
  return {
    version(threshold, options, preloaded = []) {
      const version: Version = { state, threshold, options, lines: [], depth: 0 };
      if (useGraph) emitGraph(graph, version, new Set(preloaded));
      else emitDecide(root, version, new Set(preloaded));
      return version.lines;
    },
    entryLoads() {
      return entry.map(({ key, offset, size }) => ({ name: state.shared.get(key)!, offset, size, littleEndian: swapped.has(key) }));
    },
    declarations() {
      const names = [...state.temps, ...registers];
      return names.length > 0 ? [`let ${names.map((t) => `${t} = 0`).join(', ')};`] : [];
    },
    resetRegisters() {
      return registers.length > 0 ? `${registers.map((r) => `${r} = 0`).join('; ')};` : '';
    },
  };
}

/** The length thresholds worth a version of their own: every read covered, and the constant-offset reads covered. */
export function directThresholds(analysis: DirectAnalysis): number[] {
  const thresholds: number[] = [];
  if (analysis.allEnd > 0 && Number.isFinite(analysis.allEnd) && analysis.allEnd <= 0x7fffffff) thresholds.push(analysis.allEnd);
  if (analysis.constantEnd > 0 && analysis.constantEnd < analysis.allEnd) thresholds.push(analysis.constantEnd);
  return thresholds;
}
