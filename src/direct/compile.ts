/**
 * The direct engine's entry: filter text -> direct form -> optimized -> one generated JavaScript function
 * per form (per packet, and a batch loop with the same signature and semantics as src/bpf's batch JS).
 * Verdicts are those of the unoptimized BPF program (compileFilter(…, {optimize: false}) run by the
 * interpreter) on every packet, truncated ones included. Where `new Function` is refused (a CSP), the
 * result says so (`engine: 'bpf-interpreter'`) and runs that -O0 program in the BPF interpreter.
 */
import type { Expr } from '../filter/ast.js';
import { checkBpfBatchArguments, createBatchInterpreter, createInterpreter } from '../bpf/index.js';
import { BATCH_WIDE_GROUP_RECORDS, groupRecordIndex, groupedBatchLoopLines, leadingReadSwitch } from '../bpf/batch-groups.js';
import type { BpfBatchFilterFunction, BpfFilterFunction } from '../bpf/index.js';
import { compileFilter } from '../compiler/index.js';
import { createDirectEmitter, directLiteral, directThresholds } from './emit.js';
import { DirectUnsupportedError } from './errors.js';
import { lowerDirectFilter } from './lower.js';
import type { DirectFilterOptions, DirectProgram } from './lower.js';
import { analyzeDirect, optimizeDirect } from './optimize.js';
import type { DirectAnalysis } from './optimize.js';

/** Buffers up to this size keep record offsets in int32 in the batch loop (as src/bpf's batch JS). */
const NARROW_LIMIT = 0x7fffffff;

/** The generated sources of a filter (for inspection and tests). */
export interface DirectSources {
  /** Body of `function (p, capturedLength, wireLength, o)`. */
  single: string;
  /** Body of `function (p, offsets, capturedLengths, wireLengths, count, matches)`, counting only. */
  batch: string;
  /** The same for buffers of 2 GiB or more (offsets kept as doubles, one record at a time), writing indices to `matches`. */
  batchWide: string;
}

/** A compiled filter. */
export interface DirectFilter {
  /** `direct-js` normally; `bpf-interpreter` where `new Function` is refused (the -O0 program is interpreted). */
  engine: 'direct-js' | 'bpf-interpreter';
  /** One packet: returns the snaplen when accepted, 0 when not (as the BPF program's `ret`). */
  match: BpfFilterFunction;
  /** Many records in one call (see BpfBatchFilterFunction): returns how many were accepted. */
  batch: BpfBatchFilterFunction;
  /** The program after optimization. */
  program: DirectProgram;
  /** What the emitter knew about it (read bounds, shared loads, registers). */
  analysis: DirectAnalysis;
}

/** Lowers and optimizes a filter; throws CompileError or DirectUnsupportedError. */
export function prepareDirectFilter(expression: string | Expr, options: DirectFilterOptions = {}): { program: DirectProgram; analysis: DirectAnalysis } {
  const lowered = lowerDirectFilter(expression, options);
  // A snaplen of 0 makes the accepting `ret` return 0 too: every packet gets 0.
  const program = { ...lowered, root: lowered.snaplen === 0 ? { kind: 'bool', value: false } as const : optimizeDirect(lowered.root) };
  return { program, analysis: analyzeDirect(program.root) };
}

/**
 * Largest extent of every read (analysis.allEnd) the batch loop's bounded fused test vouches for: the
 * group code then uses the captured length as the length (records that close to the buffer's end take
 * the one-record loop).
 */
const MAX_BOUNDED_READ_END = 4096;

/** Record code longer than this (lines) gets one version only, and no copies per record of a group in the batch loop. */
const DUPLICATION_LIMIT = 400;

/** The thresholds worth their own version, given the size of the general one. */
function versionThresholds(analysis: DirectAnalysis, generalLines: number): number[] {
  return generalLines > DUPLICATION_LIMIT ? [] : directThresholds(analysis);
}

/** The usual shortest frame of a link type (Ethernet pads to 60 bytes): the batch loop's group fast path asks for no more. */
function typicalMinimum(linkType: number): number {
  return linkType === 1 ? 60 : 0;
}

/** Generates the per-packet function body (byte reads: no DataView per call). */
function singleSource(program: DirectProgram, analysis: DirectAnalysis, treeLimit: number | undefined): string {
  const snap = directLiteral(program.snaplen);
  const emitter = createDirectEmitter(program.root, analysis, treeLimit);
  const options = { accept: `return ${snap};`, reject: 'return 0;', acceptWhen: (c: string) => `return (${c}) ? ${snap} : 0;`, dataView: false };
  const general = emitter.version(0, options);
  const lines: string[] = [];
  for (const threshold of versionThresholds(analysis, general.length)) {
    lines.push(`if (len >= ${directLiteral(threshold)}) {`, ...emitter.version(threshold, options).map((l) => '  ' + l), '}');
  }
  lines.push(...general);
  return [
    'const room = p.length - o;',
    'const len = capturedLength < room ? capturedLength : room;',
    ...(analysis.readsWireLength ? ['const w = wireLength >>> 0;'] : []),
    ...emitter.declarations(),
    ...lines,
  ].join('\n');
}

/**
 * Generates the batch loop body (counting, or writing indices; int32 offsets, or doubles for buffers of
 * 2 GiB or more). With int32 offsets, records go in groups (src/bpf's grouped loop) while all of a group have
 * at least the fast path's length inside the buffer (one test for the group); the others one at a time with
 * every version.
 */
function batchSource(program: DirectProgram, analysis: DirectAnalysis, indices: boolean, wide: boolean, treeLimit: number | undefined, allowLeadingRead = true): string {
  const emitter = createDirectEmitter(program.root, analysis, treeLimit);
  // In the int32 loop (fewer than 2^31 records) the count stays int32 (`| 0`): no overflow check per record.
  const add = (outcome: string): string => (wide ? `accepted += ${outcome};` : `accepted = accepted + (${outcome}) | 0;`);
  const count = (index: string) => `${indices ? `matches[accepted] = ${index}; ` : ''}${add('1')}`;
  const options = (index: string, leave: string) => ({
    accept: `{ ${count(index)} ${leave} }`, reject: leave, dataView: true,
    acceptWhen: (c: string) => `${indices ? `matches[accepted] = ${index}; ` : ''}${add(`(${c}) | 0`)} ${leave}`,
  });
  const wireLength = (index: string): string[] => (analysis.readsWireLength ? [`const w = wireLengths[${index}] >>> 0;`] : []);
  const reset = emitter.resetRegisters();
  const general = emitter.version(0, options('r', 'continue records;'));
  const single: string[] = [];
  for (const threshold of versionThresholds(analysis, general.length)) {
    single.push(`if (len >= ${directLiteral(threshold)}) {`, ...emitter.version(threshold, options('r', 'continue records;')).map((l) => '  ' + l), '}');
  }
  single.push(...general);
  const perRecord = [...wireLength('r'), ...(reset ? [reset] : []), ...single];
  if (wide || general.length > DUPLICATION_LIMIT) {
    const body = [
      `const size = p.length${wide ? '' : ' | 0'};`,
      'const v = new DataView(p.buffer, p.byteOffset, p.length);',
      'let accepted = 0;',
      ...emitter.declarations(),
      'records: for (let r = 0; r < count; r++) {',
      ...(wide
        ? ['  const o = offsets[r], room = size - o, c = capturedLengths[r];', '  const len = c < room ? c : room;']
        : ['  const o = offsets[r] | 0, c = capturedLengths[r] | 0, room = size - o | 0;', '  const len = (o | c) < 0 ? (o < 0 ? -1 : room) : c < room ? c : room;']),
      ...perRecord.map((l) => '  ' + l),
      '}',
      'return accepted;',
    ];
    return body.join('\n');
  }
  // Records go in groups behind one fused length test, in src/bpf's grouped loop (four records, or eight
  // behind its prepass over the captured lengths; reading the first test's loads for the whole group up
  // front measured slower on the benchmark mix). The test computes `c - fast` in int32: a threshold past
  // 2^30 (reads at huge offsets) assumes nothing. When every read's extent is known (allEnd), the group
  // code uses the captured length as the length (see GroupedBatchLoopParts.readEnd).
  const wanted = Math.min(analysis.constantEnd, typicalMinimum(program.linkType) || analysis.constantEnd);
  const fast = wanted < 0x40000000 ? wanted : 0;
  const versions = Array.from({ length: BATCH_WIDE_GROUP_RECORDS }, (_, i) => emitter.version(fast, options(groupRecordIndex(i), `break record${directLiteral(i)};`)));
  const records = versions.map((version, i) => [...wireLength(groupRecordIndex(i)), ...(reset ? [reset] : []), ...version]);
  // The code's first statement reading at least `fast` bytes through the DataView lets the grouped loop leave
  // the offsets' upper bound to that read (GroupedBatchLoopParts.leadingRead).
  const leadingRead = allowLeadingRead && versions.every((version) => leadingDataViewReadEnd(version[0]) >= fast) ? { leadingRead: { counter: 'accepted' } } : {};
  const oneRecord = [
    'records: for (; r < stop; r++) {',
    '  const o = offsets[r] | 0, c = capturedLengths[r] | 0, room = size - o | 0;',
    '  const len = (o | c) < 0 ? (o < 0 ? -1 : room) : c < room ? c : room;',
    ...perRecord.map((l) => '  ' + l),
    '}',
  ];
  return [
    'const size = p.length | 0;',
    'const v = new DataView(p.buffer, p.byteOffset, p.length);',
    'let accepted = 0, r = 0;',
    ...emitter.declarations(),
    ...groupedBatchLoopLines({ least: fast, records, oneRecord, ...(analysis.allEnd >= fast && analysis.allEnd <= MAX_BOUNDED_READ_END ? { readEnd: analysis.allEnd } : {}), ...leadingRead }),
    'return accepted;',
  ].join('\n');
}

/**
 * How far from `o` a record code's first statement reads when it is an unconditional DataView load at a
 * constant offset (emit.ts's `name = v.getUint…(o + k…);`), 0 otherwise.
 */
function leadingDataViewReadEnd(line: string | undefined): number {
  const read = line === undefined ? null : /^[a-z]\w* = v\.getUint(8|16|32)\(o \+ (\d+)(?:, true)?\);$/.exec(line);
  return read ? Number(read[2]) + Number(read[1]) / 8 : 0;
}

/** The generated sources of a filter, without compiling them. */
export function generateDirectSources(expression: string | Expr, options: DirectFilterOptions = {}): DirectSources {
  return withStackGuard(() => {
    const { program, analysis } = prepareDirectFilter(expression, options);
    return {
      single: singleSource(program, analysis, options.treeLimit),
      batch: batchSource(program, analysis, false, false, options.treeLimit),
      batchWide: batchSource(program, analysis, true, true, options.treeLimit),
    };
  });
}

type BatchLoop = (p: Uint8Array, offsets: Uint32Array, capturedLengths: Uint32Array, wireLengths: Uint32Array, count: number, matches: Uint32Array | undefined) => number;

/**
 * Compiles a filter with the direct engine. Throws CompileError where compileFilter refuses the
 * expression, DirectUnsupportedError for what the direct form lacks (protochain): fall back to BPF then.
 */
export function compileDirectFilter(expression: string | Expr, options: DirectFilterOptions = {}): DirectFilter {
  return withStackGuard(() => compileDirectFilterUnguarded(expression, options));
}

/**
 * Runs a compilation step, turning a stack overflow (an expression thousands of primitives deep; the
 * direct form's passes recurse over the tree) into DirectUnsupportedError so callers fall back to BPF.
 */
function withStackGuard<T>(step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof RangeError && /call stack/i.test(error.message)) throw new DirectUnsupportedError('expression: too deeply nested for the direct form');
    throw error;
  }
}

function compileDirectFilterUnguarded(expression: string | Expr, options: DirectFilterOptions): DirectFilter {
  const { program, analysis } = prepareDirectFilter(expression, options);
  let single: (p: Uint8Array, capturedLength: number, wireLength: number, o: number) => number;
  const variants: (BatchLoop | undefined)[] = [undefined, undefined, undefined, undefined];
  const leadingRead = leadingReadSwitch(variants);
  const buildBatch = (indices: boolean, wide: boolean): BatchLoop =>
    (new Function('leadingReadFailed', `'use strict';\nreturn function directBatchFilter(p, offsets, capturedLengths, wireLengths, count, matches) {\n${batchSource(program, analysis, indices, wide, options.treeLimit, leadingRead.on)}\n};`) as
      (failed: () => void) => BatchLoop)(leadingRead.failed);
  try {
    single = new Function('p', 'capturedLength', 'wireLength', 'o', `'use strict';\n${singleSource(program, analysis, options.treeLimit)}`) as typeof single;
    variants[0] = buildBatch(false, false);
  } catch (error) {
    if (!(error instanceof EvalError)) throw error;
    // A Content-Security-Policy without 'unsafe-eval': the same verdicts from the -O0 BPF program, interpreted.
    const bpf = compileFilter(expression, { linkType: program.linkType, snaplen: program.snaplen, optimize: false, resolver: options.resolver, networkResolver: options.networkResolver, strict: options.strict });
    return { engine: 'bpf-interpreter', match: createInterpreter(bpf), batch: createBatchInterpreter(bpf), program, analysis };
  }
  const match: BpfFilterFunction = (bytes, capturedLength, wireLength, offset = 0) => single(bytes, capturedLength, wireLength, offset);
  const batch: BpfBatchFilterFunction = (buffer, offsets, capturedLengths, wireLengths, count, matches) => {
    checkBpfBatchArguments(buffer, offsets, capturedLengths, wireLengths, count, matches);
    const indices = matches !== undefined;
    // The int32 loop also counts records in int32: 2^31 records or more (empty ones) take the wide loop too.
    const wide = buffer.length > NARROW_LIMIT || count > NARROW_LIMIT;
    const which = (indices ? 1 : 0) + (wide ? 2 : 0);
    const run = variants[which] ?? (variants[which] = buildBatch(indices, wide));
    return run(buffer, offsets, capturedLengths, wireLengths, count, matches);
  };
  return { engine: 'direct-js', match, batch, program, analysis };
}
