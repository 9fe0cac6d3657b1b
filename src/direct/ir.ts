/**
 * The direct engine's intermediate form: a boolean tree (and / or / not / constants / tests, evaluated
 * left to right with short circuits) over value trees with classic BPF's 32-bit unsigned arithmetic.
 * A test first runs its checks (a packet read within the captured length, a divisor other than zero:
 * a failed check ends the WHOLE filter with 0), then assigns the machine state that later tests read
 * (A, X and scratch words that tunnels carry from one test to the next), then compares.
 */

/** A machine register whose value crosses from one test to a later one: `a`, `x`, or scratch word 0..15. */
export type DirectRegister = 'a' | 'x' | number;

/** ALU operators, with BPF's semantics on unsigned 32-bit values (shifts by 32 or more give 0). */
export type DirectAluOp = 'add' | 'sub' | 'mul' | 'div' | 'mod' | 'and' | 'or' | 'xor' | 'lsh' | 'rsh';

/** A 32-bit unsigned value computed from the packet. */
export type DirectValue =
  | { kind: 'const'; value: number }
  /** The packet's length on the wire (`len`). */
  | { kind: 'wireLength' }
  /** `size` bytes, big-endian, at `base + offset` of the packet (base absent: offset from the start). */
  | { kind: 'load'; base: DirectValue | undefined; offset: number; size: 1 | 2 | 4 }
  | { kind: 'alu'; op: DirectAluOp; left: DirectValue; right: DirectValue }
  | { kind: 'negate'; operand: DirectValue }
  /** The value a register held when the test began (0 before any test wrote it). */
  | { kind: 'register'; register: DirectRegister };

/** A run-time condition that must hold, or the whole filter returns 0. */
export type DirectCheck =
  /** `base + offset + size` bytes are captured (computed without wrapping). */
  | { kind: 'bounds'; base: DirectValue | undefined; offset: number; size: number }
  | { kind: 'nonzero'; value: DirectValue };

/** Comparison operators of BPF's conditional jumps (`set` is `left & right != 0`). */
export type DirectCompareOp = 'eq' | 'gt' | 'ge' | 'set';

/** One test: checks in execution order, register assignments, then a comparison (absent: always true). */
export interface DirectTest {
  kind: 'test';
  checks: DirectCheck[];
  assigns: { register: DirectRegister; value: DirectValue }[];
  compare: { op: DirectCompareOp; left: DirectValue; right: DirectValue } | undefined;
}

/** A boolean node of the direct form. */
export type DirectBool =
  | DirectTest
  | { kind: 'and' | 'or'; left: DirectBool; right: DirectBool }
  | { kind: 'not'; operand: DirectBool }
  | { kind: 'bool'; value: boolean };

/** A constant value node. */
export const directConst = (value: number): DirectValue => ({ kind: 'const', value: value >>> 0 });

/** Calls `visit` on `value` and every value inside it, parents first. */
export function forEachDirectValue(value: DirectValue, visit: (v: DirectValue) => void): void {
  visit(value);
  switch (value.kind) {
    case 'load': if (value.base) forEachDirectValue(value.base, visit); break;
    case 'alu': forEachDirectValue(value.left, visit); forEachDirectValue(value.right, visit); break;
    case 'negate': forEachDirectValue(value.operand, visit); break;
    default: break;
  }
}

/** Every test of a boolean tree, left to right. */
export function directTests(node: DirectBool, into: DirectTest[] = []): DirectTest[] {
  switch (node.kind) {
    case 'test': into.push(node); break;
    case 'and': case 'or': directTests(node.left, into); directTests(node.right, into); break;
    case 'not': directTests(node.operand, into); break;
    case 'bool': break;
  }
  return into;
}

/** Every value a test evaluates (its checks, assignments and comparison operands). */
export function testValues(test: DirectTest): DirectValue[] {
  const values: DirectValue[] = [];
  for (const check of test.checks) {
    if (check.kind === 'bounds') { if (check.base) values.push(check.base); } else values.push(check.value);
  }
  for (const assign of test.assigns) values.push(assign.value);
  if (test.compare) values.push(test.compare.left, test.compare.right);
  return values;
}

/** A stable text key of a value (structural equality), for sharing. */
export function directValueKey(value: DirectValue): string {
  switch (value.kind) {
    case 'const': return `#${value.value}`;
    case 'wireLength': return 'len';
    case 'load': return `[${value.base ? directValueKey(value.base) + '+' : ''}${value.offset}:${value.size}]`;
    case 'alu': return `(${directValueKey(value.left)} ${value.op} ${directValueKey(value.right)})`;
    case 'negate': return `-(${directValueKey(value.operand)})`;
    case 'register': return `r${String(value.register)}`;
  }
}
