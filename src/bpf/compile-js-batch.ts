/**
 * BPF to JavaScript, batch form: the program's code (the same tree or loop form compileToJs emits) inlined
 * in ONE generated loop over the records of a batch, so a packet costs no call, no argument handling and no
 * view. Returns go to the next record: a reject just continues, an accept counts the record (and writes its
 * index when the caller asked for indices). Semantics are the single-packet function's, record by record.
 */
import type { RawInstruction } from './opcodes.js';
import { BpfStepBudgetError } from './errors.js';
import { checkBpfBatchArguments } from './batch.js';
import type { BpfBatchFilterFunction } from './batch.js';
import { BPF_BATCH_NARROW_LIMIT, BPF_DEFAULT_BACKWARD_JUMP_BUDGET, createBatchInterpreter } from './interpreter.js';
import { emitProgramBody, registerDeclarations } from './compile-js.js';
import type { BpfCompileOptions, BpfJsExits } from './compile-js.js';

/** Generated JavaScript of a batch loop: the body of `function (p, offsets, capturedLengths, wireLengths, count, matches)`. */
export interface BpfJsBatchSource { form: 'tree' | 'loop'; body: string }

/**
 * The exits of a batch loop: `accepted` is the statement that counts an accepted record. With `branchless`,
 * a last test choosing between accepting and rejecting adds its outcome (0 or 1) to the count instead of
 * branching on it (the index is written first and kept only when counted).
 */
function batchExits(indices: boolean, dataView: boolean, branchless: boolean): BpfJsExits {
  const accepted = indices ? 'matches[m++] = r;' : 'm++;';
  const reject = 'continue records;';
  return {
    reject,
    dataView,
    ...(branchless ? {
      acceptWhen: (condition: string, whenTrue: number, whenFalse: number): string => {
        if ((whenTrue !== 0) === (whenFalse !== 0)) return whenTrue !== 0 ? `${accepted} continue records;` : reject;
        const outcome = whenTrue !== 0 ? `((${condition}) | 0)` : `((${condition}) | 0) ^ 1`;
        return `${indices ? 'matches[m] = r; ' : ''}m += ${outcome}; continue records;`;
      },
    } : {}),
    accept: (value, constant) => {
      if (constant !== undefined) return constant === 0 ? reject : `${accepted} continue records;`;
      return `if (${value} !== 0) ${accepted} continue records;`;
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
   * For buffers of 2^31 bytes or more: offsets and lengths stay unsigned doubles. Otherwise (the default)
   * every in-range offset fits an int32, which keeps the loop in 32-bit integers.
   */
  wideBuffer?: boolean;
  /** Read 16- and 32-bit values through a DataView (default true) rather than byte by byte. */
  dataView?: boolean;
  /** Count a last accept-or-reject test's outcome without branching (default true). */
  branchless?: boolean;
}

/**
 * Generates the batch loop for a validated program; with `indices` the accepted records' indices go to
 * `matches`, otherwise they are only counted. The arguments are checked by the caller (compileToJsBatch).
 * 16- and 32-bit loads read the DataView `v` over `p`, declared here.
 */
export function generateJsBatchSource(program: readonly RawInstruction[], options: BpfJsBatchSourceOptions = {}): BpfJsBatchSource {
  const { form, lines } = emitProgramBody(program, options, batchExits(options.indices ?? false, options.dataView ?? true, options.branchless ?? true));
  // The record's length: its captured length clamped to the bytes from its offset to the end of the buffer.
  // In the int32 form an offset of 2^31 or more (negative as int32) is past the buffer, so the record has no
  // bytes (len -1), and a captured length of 2^31 or more exceeds any room, so the room is the length.
  const clamp = options.wideBuffer
    ? ['  const o = offsets[r], room = size - o, c = capturedLengths[r];', '  const len = c < room ? c : room;']
    : ['  const o = offsets[r] | 0, c = capturedLengths[r] | 0, room = size - o | 0;', '  const len = (o | c) < 0 ? (o < 0 ? -1 : room) : c < room ? c : room;'];
  const body = [
    `const size = p.length${options.wideBuffer ? '' : ' | 0'};`,
    'const v = new DataView(p.buffer, p.byteOffset, p.length);',
    'let m = 0;',
    'records: for (let r = 0; r < count; r++) {',
    ...clamp,
    ...(readsWireLength(program) ? ['  const wireLength = wireLengths[r];'] : []),
    '  ' + registerDeclarations(program),
    ...lines.map((line) => '  ' + line),
    '}',
    'return m;',
  ];
  return { form, body: body.join('\n') };
}

/** One generated batch loop (arguments unchecked): returns the accepted count, writing indices to `matches` in the indices form. */
export type BpfJsBatchLoop = (p: Uint8Array, offsets: Uint32Array, capturedLengths: Uint32Array, wireLengths: Uint32Array, count: number, matches: Uint32Array | undefined) => number;

/** Compiles one batch loop variant with `new Function` (the caller checks arguments and picks the variant). */
export function buildJsBatchLoop(program: readonly RawInstruction[], options: BpfJsBatchSourceOptions): BpfJsBatchLoop {
  const budget = options.backwardJumpBudget ?? BPF_DEFAULT_BACKWARD_JUMP_BUDGET;
  const budgetExceeded = (index: number): never => { throw new BpfStepBudgetError(budget, index); };
  const { body } = generateJsBatchSource(program, options);
  const factory = new Function('budgetExceeded', `'use strict';\nreturn function bpfBatchFilter(p, offsets, capturedLengths, wireLengths, count, matches) {\n${body}\n};`) as
    (exceeded: typeof budgetExceeded) => BpfJsBatchLoop;
  return factory(budgetExceeded);
}

/**
 * Compiles a program into a batch filter (see BpfBatchFilterFunction) with libpcap's bpf_filter semantics
 * for every record. Throws BpfError for programs libpcap would not run; where `new Function` is refused
 * (a CSP), returns the batch interpreter instead.
 */
export function compileToJsBatch(program: readonly RawInstruction[], options: BpfCompileOptions = {}): BpfBatchFilterFunction {
  const build = (indices: boolean, wideBuffer: boolean, form: BpfCompileOptions['form']): BpfJsBatchLoop =>
    buildJsBatchLoop(program, { ...options, form, indices, wideBuffer });
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
  // The other variants (indices, buffers of 2 GiB or more) are built when first needed.
  const variants: (BpfJsBatchLoop | undefined)[] = [counting, undefined, undefined, undefined];
  return (buffer, offsets, capturedLengths, wireLengths, count, matches) => {
    checkBpfBatchArguments(buffer, offsets, capturedLengths, wireLengths, count, matches);
    const indices = matches !== undefined;
    const wide = buffer.length > BPF_BATCH_NARROW_LIMIT;
    const which = (indices ? 1 : 0) + (wide ? 2 : 0);
    const run = variants[which] ?? (variants[which] = build(indices, wide, form));
    return run(buffer, offsets, capturedLengths, wireLengths, count, matches);
  };
}
