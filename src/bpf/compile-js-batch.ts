/**
 * BPF to JavaScript, batch form: the program's code (the same tree or loop form compileToJs emits) inlined
 * in ONE generated loop over the records of a batch, so a packet costs no call, no argument handling and no
 * view. Returns go to the next record: a reject just continues, an accept counts the record (and writes its
 * index when the caller asked for indices). Semantics are the single-packet function's, record by record.
 * Small tree-form programs run in groups of records behind one fused length test per group (src/bpf's
 * grouped loop, batch-groups.ts: eight records per group behind a prepass over the captured lengths when
 * the code does not read the length, four otherwise); every record that test cannot vouch for takes the
 * exact one-record loop. The group asks each record for groupedLengthForProgram bytes, and for programs
 * whose reads all have a known extent the test vouches for all of it (boundedReadEnd). When the program
 * starts with an absolute load that reaches that many bytes (leadingReadEnd, `ldh [12]` of `ip`), the
 * group leaves the offsets to that load, which throws outside the buffer (batch-groups.ts, `leadingRead`);
 * after one such throw the function is built again without it. The count is kept in int32 (fewer than
 * 2^31 records; more take the wide loop).
 */
import type { RawInstruction } from './opcodes.js';
import { BpfStepBudgetError } from './errors.js';
import { bpfLoadBytes, isAbsolutePacketLoad, isIndexedPacketLoad } from './instructions.js';
import { checkBpfBatchArguments } from './batch.js';
import type { BpfBatchFilterFunction } from './batch.js';
import { BPF_BATCH_NARROW_LIMIT, BPF_DEFAULT_BACKWARD_JUMP_BUDGET, createBatchInterpreter } from './interpreter.js';
import { BATCH_WIDE_GROUP_RECORDS, groupRecordIndex, groupedBatchLoopLines, leadingReadSwitch } from './batch-groups.js';
import { emitProgramBody, lengthCheckedOnEveryPath, lit, registerDeclarations, treeFormSize } from './compile-js.js';
import type { BpfCompileOptions, BpfJsExits } from './compile-js.js';

/** Generated JavaScript of a batch loop: the body of `function (p, offsets, capturedLengths, wireLengths, count, matches)`. */
export interface BpfJsBatchSource { form: 'tree' | 'loop'; body: string }

/**
 * The exits of a batch loop for the record whose index is the expression `record`; `next` is the statement
 * that moves on to the next record. With `branchless`, a last test choosing between accepting and rejecting
 * adds its outcome (0 or 1) to the count instead of branching on it (the index is written first and kept
 * only when counted).
 */
function batchExits(indices: boolean, dataView: boolean, branchless: boolean, wide: boolean, record = 'r', next = 'continue records;'): BpfJsExits {
  // In the int32 loop (fewer than 2^31 records) the count stays int32 (`| 0`): no overflow check per record.
  const add = (outcome: string): string => (wide ? `m += ${outcome};` : `m = m + (${outcome}) | 0;`);
  // One statement (it may follow an `if`).
  const accepted = indices ? `{ matches[m] = ${record}; ${add('1')} }` : add('1');
  const reject = next;
  return {
    reject,
    dataView,
    ...(branchless ? {
      acceptWhen: (condition: string, whenTrue: number, whenFalse: number): string => {
        if ((whenTrue !== 0) === (whenFalse !== 0)) return whenTrue !== 0 ? `${accepted} ${next}` : reject;
        const outcome = whenTrue !== 0 ? `((${condition}) | 0)` : `((${condition}) | 0) ^ 1`;
        return `${indices ? `matches[m] = ${record}; ` : ''}${add(outcome)} ${next}`;
      },
    } : {}),
    accept: (value, constant) => {
      if (constant !== undefined) return constant === 0 ? reject : `${accepted} ${next}`;
      return `if (${value} !== 0) ${accepted} ${next}`;
    },
  };
}

/** Whether a program reads the wire length (ld len / ldx len), so the loop loads it only then. */
const readsWireLength = (program: readonly RawInstruction[]): boolean => program.some((insn) => insn.code === 0x80 || insn.code === 0x81);

/** Options of generateJsBatchSource. */
export interface BpfJsBatchSourceOptions extends BpfCompileOptions {
  /** Write the accepted records' indices to `matches` (otherwise only count them). */
  indices?: boolean;
  /**
   * For buffers of 2^31 bytes or more, or 2^31 records or more: offsets, lengths and the count stay
   * unsigned doubles. Otherwise (the default) every in-range offset and the count fit an int32, which keeps
   * the loop in 32-bit integers.
   */
  wideBuffer?: boolean;
  /**
   * Read packet values through a DataView (default true): 16- and 32-bit ones rather than byte by byte, and
   * single bytes too (measured faster than indexing `p` in the generated loops: ~0.5 ns per record on `proto gre`).
   */
  dataView?: boolean;
  /** Count a last accept-or-reject test's outcome without branching (default true). */
  branchless?: boolean;
  /**
   * Run small tree-form programs a group of records per loop step (default true): one fused test per
   * group checks that each record lies far enough inside the buffer and is at least
   * groupedLengthForProgram(program) bytes long, and the records' code then skips the checks that covers
   * (groups failing it, and the last records, take the one-record loop).
   */
  unroll?: boolean;
  /**
   * Let the grouped loop leave the offsets to a leading read of the record code when it has one (default
   * true; see batch-groups.ts): the loop then calls `leadingReadFailed` when that read throws.
   */
  leadingRead?: boolean;
}

/**
 * The usual shortest captured frame the grouped loop asks every record of a group to hold (an Ethernet
 * frame is padded to 60 bytes): a program's checks up to this length are made once per record by the
 * fused test rather than on the paths, and shorter records (rare on most links) take the exact one-record loop.
 */
const TYPICAL_SHORTEST_FRAME = 60;

/**
 * The length the grouped loop checks for every record: what every path of the program checks anyway, raised
 * to the furthest absolute read that stays within TYPICAL_SHORTEST_FRAME, so the group's code needs no check
 * at all when the program reads no further (and, when it does, none below that read).
 */
export function groupedLengthForProgram(program: readonly RawInstruction[]): number {
  let furthest = 0;
  for (const { code, k } of program) {
    const size = isAbsolutePacketLoad(code) ? bpfLoadBytes(code) : code === 0xb1 ? 1 : 0;
    if (size !== 0 && k + size <= TYPICAL_SHORTEST_FRAME) furthest = Math.max(furthest, k + size);
  }
  return Math.max(lengthCheckedOnEveryPath(program), furthest);
}

/** Largest extent the grouped loop's bounded fused test vouches for (records that close to the buffer's end take the one-record loop). */
const MAX_BOUNDED_READ_END = 4096;

/**
 * One past the furthest byte the program can read or check, if that is known and at most
 * MAX_BOUNDED_READ_END: the grouped loop's `readEnd`. Indexed loads count with the largest value X can
 * hold: X is 0 or what the last `ldx` put there, so when only `ldx #k` and `ldxb 4*([k]&0xf)` (at most 60)
 * write it, X is at most the largest of those; `tax`, `ldx M[k]` and `ldx len` leave it unbounded.
 */
export function boundedReadEnd(program: readonly RawInstruction[]): number | undefined {
  let xMax = 0;
  for (const { code, k } of program) {
    if (code === 0x07 || code === 0x61 || code === 0x81) return undefined;
    if (code === 0x01) xMax = Math.max(xMax, k >>> 0);
    if (code === 0xb1) xMax = Math.max(xMax, 60);
  }
  let end = 0;
  for (const { code, k } of program) {
    const indexed = isIndexedPacketLoad(code);
    const size = indexed || isAbsolutePacketLoad(code) ? bpfLoadBytes(code) : code === 0xb1 ? 1 : 0;
    if (size !== 0) end = Math.max(end, (indexed ? xMax : 0) + (k >>> 0) + size);
  }
  return end <= MAX_BOUNDED_READ_END ? end : undefined;
}

/**
 * How far from the record's start the program's first instruction reads when it is an absolute load (0
 * otherwise): in the tree form through the DataView that read is the record code's first statement, and
 * runs unconditionally (the grouped loop's `leadingRead`).
 */
export function leadingReadEnd(program: readonly RawInstruction[]): number {
  const first = program[0];
  if (first === undefined) return 0;
  return isAbsolutePacketLoad(first.code) ? first.k + bpfLoadBytes(first.code) : 0;
}

/** Largest tree (instructions emitted) that is unrolled; larger programs keep the one-record loop. */
const UNROLL_TREE_LIMIT = 160;

/**
 * Generates the batch loop for a validated program; with `indices` the accepted records' indices go to
 * `matches`, otherwise they are only counted. The arguments are checked by the caller (compileToJsBatch).
 * Loads read the DataView `v` over `p` (see `dataView`), declared here.
 */
export function generateJsBatchSource(program: readonly RawInstruction[], options: BpfJsBatchSourceOptions = {}): BpfJsBatchSource {
  const indices = options.indices ?? false;
  const dataView = options.dataView ?? true;
  const branchless = options.branchless ?? true;
  const { form, lines } = emitProgramBody(program, options, batchExits(indices, dataView, branchless, options.wideBuffer ?? false));
  // The record's length: its captured length clamped to the bytes from its offset to the end of the buffer.
  // In the int32 form an offset of 2^31 or more (negative as int32) is past the buffer, so the record has no
  // bytes (len -1), and a captured length of 2^31 or more exceeds any room, so the room is the length.
  const clamp = options.wideBuffer
    ? ['  const o = offsets[r], room = size - o, c = capturedLengths[r];', '  const len = c < room ? c : room;']
    : ['  const o = offsets[r] | 0, c = capturedLengths[r] | 0, room = size - o | 0;', '  const len = (o | c) < 0 ? (o < 0 ? -1 : room) : c < room ? c : room;'];
  const wireLength = readsWireLength(program);
  const oneRecord = (indent: string): string[] => [
    `${indent}records: for (; r < stop; r++) {`,
    ...clamp.map((line) => indent + line),
    ...(wireLength ? [`${indent}  const wireLength = wireLengths[r];`] : []),
    `${indent}  ${registerDeclarations(program)}`,
    ...lines.map((line) => `${indent}  ${line}`),
    `${indent}}`,
  ];
  const head = [`const size = p.length${options.wideBuffer ? '' : ' | 0'};`, 'const v = new DataView(p.buffer, p.byteOffset, p.length);', 'let m = 0, r = 0;'];
  const unroll = (options.unroll ?? true) && !options.wideBuffer && form === 'tree' && treeFormSize(program, UNROLL_TREE_LIMIT) <= UNROLL_TREE_LIMIT;
  if (!unroll) return { form, body: [...head, 'const stop = count;', ...oneRecord(''), 'return m;'].join('\n') };
  // The grouped loop's fused test sends every record shorter than `least` (see groupedLengthForProgram),
  // and any whose offset or captured length is 2^31 or more or that does not lie far enough inside the
  // buffer, to the one-record loop; the group's code skips the checks `least` covers.
  const least = groupedLengthForProgram(program);
  const records = Array.from({ length: BATCH_WIDE_GROUP_RECORDS }, (_, n) => [
    ...(wireLength ? [`const wireLength = wireLengths[${groupRecordIndex(n)}];`] : []),
    registerDeclarations(program),
    ...emitProgramBody(program, { ...options, form: 'tree' }, batchExits(indices, dataView, branchless, false, groupRecordIndex(n), `break record${lit(n)};`), least).lines,
  ]);
  const readEnd = boundedReadEnd(program);
  const leadingRead = (options.leadingRead ?? true) && dataView && leadingReadEnd(program) >= least ? { leadingRead: { counter: 'm' } } : {};
  const body = [...head, ...groupedBatchLoopLines({ least, records, oneRecord: oneRecord(''), ...(readEnd !== undefined && readEnd >= least ? { readEnd } : {}), ...leadingRead }), 'return m;'];
  return { form, body: body.join('\n') };
}

/** One generated batch loop (arguments unchecked): returns the accepted count, writing indices to `matches` in the indices form. */
export type BpfJsBatchLoop = (p: Uint8Array, offsets: Uint32Array, capturedLengths: Uint32Array, wireLengths: Uint32Array, count: number, matches: Uint32Array | undefined) => number;

/**
 * Compiles one batch loop variant with `new Function` (the caller checks arguments and picks the variant);
 * `leadingReadFailed` is called when the grouped loop's leading read threw (see BpfJsBatchSourceOptions.leadingRead).
 */
export function buildJsBatchLoop(program: readonly RawInstruction[], options: BpfJsBatchSourceOptions, leadingReadFailed: () => void = () => undefined): BpfJsBatchLoop {
  const budget = options.backwardJumpBudget ?? BPF_DEFAULT_BACKWARD_JUMP_BUDGET;
  const budgetExceeded = (index: number): never => { throw new BpfStepBudgetError(budget, index); };
  const { body } = generateJsBatchSource(program, options);
  const factory = new Function('budgetExceeded', 'leadingReadFailed', `'use strict';\nreturn function bpfBatchFilter(p, offsets, capturedLengths, wireLengths, count, matches) {\n${body}\n};`) as
    (exceeded: typeof budgetExceeded, failed: () => void) => BpfJsBatchLoop;
  return factory(budgetExceeded, leadingReadFailed);
}

/**
 * Compiles a program into a batch filter (see BpfBatchFilterFunction) with libpcap's bpf_filter semantics
 * for every record. Throws BpfError for programs libpcap would not run; where `new Function` is refused
 * (a CSP), returns the batch interpreter instead.
 */
export function compileToJsBatch(program: readonly RawInstruction[], options: BpfCompileOptions = {}): BpfBatchFilterFunction {
  // The variants: counting or writing indices, int32 or wide (built when first needed).
  const variants: (BpfJsBatchLoop | undefined)[] = [undefined, undefined, undefined, undefined];
  const leadingRead = leadingReadSwitch(variants);
  const build = (indices: boolean, wideBuffer: boolean, form: BpfCompileOptions['form']): BpfJsBatchLoop =>
    buildJsBatchLoop(program, { ...options, form, indices, wideBuffer, leadingRead: leadingRead.on }, leadingRead.failed);
  let form = options.form;
  let counting: BpfJsBatchLoop;
  try {
    try {
      counting = build(false, false, form);
    } catch (error) {
      // An engine limit on a huge tree: the flat loop form.
      if (error instanceof EvalError || form === 'loop' || !(error instanceof RangeError || error instanceof SyntaxError)) throw error;
      form = 'loop';
      counting = build(false, false, form);
    }
  } catch (error) {
    // A Content-Security-Policy without 'unsafe-eval' refuses new Function: the interpreter has the same semantics.
    if (error instanceof EvalError) return createBatchInterpreter(program, options);
    throw error;
  }
  variants[0] = counting;
  return (buffer, offsets, capturedLengths, wireLengths, count, matches) => {
    checkBpfBatchArguments(buffer, offsets, capturedLengths, wireLengths, count, matches);
    const indices = matches !== undefined;
    // The int32 loop also counts in int32: 2^31 records or more take the wide loop too.
    const wide = buffer.length > BPF_BATCH_NARROW_LIMIT || count > 0x7fffffff;
    const which = (indices ? 1 : 0) + (wide ? 2 : 0);
    const run = variants[which] ?? (variants[which] = build(indices, wide, form));
    return run(buffer, offsets, capturedLengths, wireLengths, count, matches);
  };
}
