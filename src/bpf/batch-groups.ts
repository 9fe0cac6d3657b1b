/**
 * The grouped record loop shared by the generated batch engines (src/bpf/compile-js-batch.ts and the direct
 * engine's src/direct/compile.ts): records go a group at a time behind one fused length test, and every
 * record the test cannot vouch for, and the last few, take the caller's exact one-record loop.
 *
 * The fused test passes a group when, for every record (o and c its offset and captured length as int32):
 * - when the record code reads the record's length and the caller knows no read or length check of it
 *   ends past `readEnd` bytes: o >= 0, c >= 0, o <= limit and c >= least (limit = size - readEnd, or -1
 *   when the buffer is shorter), so at least readEnd bytes from o lie inside the buffer, and the clamped
 *   length min(c, size - o) compares with every checked length (at most readEnd) as c does: the code uses c;
 * - when it reads the length otherwise: the sign of an OR of o, c, c - least, room and room - c (room =
 *   size - o; no term can wrap once o and c are non-negative), so the record lies wholly inside the buffer,
 *   its length is c, and c >= least;
 * - otherwise: o >= 0, o <= limit and c >= least (limit = size - least, or -1 when the buffer is shorter),
 *   so the record has at least `least` bytes inside the buffer, all the code reads (a captured length of
 *   2^31 or more, negative as int32, goes to the one-record loop).
 * The signs are one OR over the group, and the bounds its largest offset (Math.max) and shortest length
 * (Math.min): measured faster than an OR of `limit - o` and `c - least` terms (`proto gre …`, hot: 3.7 -> 3.3 ns).
 * In that last form a prepass over a stretch's captured lengths (the sign of an OR of c - least: a length of
 * 2^31 or more wraps it to a non-negative value only when it is indeed at least `least`) can replace the
 * per-group length terms (see groupedBatchLoopLines).
 * When the record code begins with a read through the DataView that reaches `least` bytes (`leadingRead`, only
 * in that last form), the offsets are left to that read: they are read as unsigned numbers (no `| 0`), the
 * group test keeps only the lengths' terms (in groups of eight, with no prepass), and the groups run inside
 * a try block.
 * A record whose first `least` bytes are not all inside the buffer (an offset of 2^31 or more included)
 * makes that read throw a RangeError before the record counts (in optimized code V8 deoptimizes and the
 * interpreter throws it); the catch restores the count the group started with (`groupCount`) and the group
 * goes to the one-record loop, whose answer is the exact one. Every record the read lets through has `least`
 * bytes inside the buffer and at least `least` captured ones, as the full test would have ensured.
 * (Measured on `ip`, hot: ~2.85 -> ~2.4 ns per record against libpcap's ~7; a throw costs a deoptimization,
 * which only a record lying partly outside its buffer can cause.)
 * The loop runs in stretches of at most BATCH_STRETCH_RECORDS records, each counting from a fresh `r | 0`:
 * when V8 compiles the function on stack replacement (one long call), the loop it entered through has an
 * untyped counter and runs measurably slower (~15% on `ip`); the next stretch is a fresh, typed loop.
 */
import { lit } from './compile-js.js';

/** Records per group of the grouped loop when the fused test checks captured lengths (see groupedBatchLoopLines). */
export const BATCH_GROUP_RECORDS = 4;
/** Records per group behind the length prepass; callers write this many records' code (the most any form uses). */
export const BATCH_WIDE_GROUP_RECORDS = 8;
/** Records per stretch of the grouped loop (a multiple of both group sizes). */
export const BATCH_STRETCH_RECORDS = 1024;
/** Largest record code (lines, all BATCH_WIDE_GROUP_RECORDS records) for which the grouped loop gets a second copy behind a length prepass. */
const PREPASS_RECORD_LINES = 240;

/** The index expression of the `n`-th record of the current group (the grouped loop counts with `g`). */
export function groupRecordIndex(n: number): string {
  return n === 0 ? 'g' : `g + ${lit(n)}`;
}

/** What a generated batch engine puts into the grouped loop. */
export interface GroupedBatchLoopParts {
  /** Bytes every record of a group is checked to hold (below 2^30, so `c - least` cannot wrap). */
  least: number;
  /**
   * The code of each record of a group (BATCH_WIDE_GROUP_RECORDS of them; a form with smaller groups uses
   * the first ones), written for the record at groupRecordIndex(n) with its offset in `o` (and its length
   * in `len`, when the code reads it), leaving by `break record<n>;`.
   */
  records: string[][];
  /** The one-record loop (`records: for (; r < stop; r++) { ... }`), run from `r` to `stop`. */
  oneRecord: string[];
  /**
   * When known: no read and no length check of the record code ends past this many bytes from the
   * record's offset (at least `least`, below 2^30), which allows the lighter fused test for code that
   * reads `len` (see the module comment).
   */
  readEnd?: number;
  /**
   * Set when every record's code starts with an unconditional DataView read (throwing RangeError outside the
   * buffer) whose extent from `o` is at least `least`, and the code reads nothing past `least` nor the length:
   * the name of the count variable, which the loop restores when that read throws (see the module comment),
   * and the function the loop calls then (`leadingReadFailed`, which the caller declares): after such a throw
   * V8's code for the reads stays slower, so the caller builds the function again without `leadingRead`.
   */
  leadingRead?: { counter: string };
}

/** Whether an engine's batch variants are built with `leadingRead`, and what their loops call when that read throws. */
export interface LeadingReadSwitch {
  /** Build with `leadingRead` (true until a leading read has thrown). */
  readonly on: boolean;
  /** The `leadingReadFailed` the generated loops call: turns the switch off and drops the variants built so far. */
  readonly failed: () => void;
}

/**
 * The leading-read switch of an engine's cache of batch variants (`variants`, emptied in place when it turns
 * off): after a leading read threw once (a record partly outside its buffer), V8's code for the reads stays
 * slower, so every variant is built again without `leadingRead`.
 */
export function leadingReadSwitch(variants: unknown[]): LeadingReadSwitch {
  let on = true;
  return {
    get on() { return on; },
    failed: () => {
      if (!on) return;
      on = false;
      variants.fill(undefined);
    },
  };
}

/**
 * The lines of the grouped loop, from after the caller's declarations of `size`, `v`, the count and `r` (0)
 * up to its return: the stretches of groups, then the one-record loop for up to a group of records.
 */
export function groupedBatchLoopLines({ least, records, oneRecord, readEnd, leadingRead }: GroupedBatchLoopParts): string[] {
  if (records.length !== BATCH_WIDE_GROUP_RECORDS) throw new Error(`internal: the grouped loop takes ${BATCH_WIDE_GROUP_RECORDS} records' code, not ${records.length}`);
  if (!(least >= 0 && least < 0x40000000)) throw new Error(`internal: the fused test cannot check ${least} bytes`);
  const usesLength = records.some((lines) => lines.some((line) => /\blen\b/.test(line)));
  // Code reading `len` within a known extent: the test against size - readEnd (no room terms).
  const bounded = usesLength && readEnd !== undefined && readEnd >= least && readEnd < 0x40000000;
  const withRoom = usesLength && !bounded;
  // When the record code does not read the length, a prepass over the stretch's captured lengths (a tight
  // loop over one array) lets the group loop skip loading them: the fewer instructions between its packet
  // reads, the more of them the processor keeps in flight, and groups of eight then beat groups of four
  // (measured; with the lengths loaded, eight are slower). The prepass covers exactly the groups the loop
  // runs (one group from g while g < stretch); one short record sends the stretch to the loop that checks
  // every length. Large record code keeps one loop (the function would double).
  const small = records.reduce((sum, lines) => sum + lines.length, 0) <= PREPASS_RECORD_LINES;
  // The offsets are left to the leading read (only where the code reads no length: see the module comment).
  // The group test is then the lengths' terms alone, and loading the lengths in the group loop measured
  // faster than the prepass (`ip`, hot: ~2.40 against ~2.50 ns): groups of eight, no prepass.
  const guarded = leadingRead !== undefined && !usesLength ? leadingRead : undefined;
  const prepass = !usesLength && small && guarded === undefined;
  const groupSize = prepass || (guarded !== undefined && small) ? BATCH_WIDE_GROUP_RECORDS : BATCH_GROUP_RECORDS;
  const group = Array.from({ length: groupSize }, (_, n) => n);
  /** `Math.max` (or min) of the group's values `name0` … as a balanced tree of two-argument calls. */
  const extreme = (f: 'max' | 'min', name: string, from = 0, to = groupSize): string =>
    (to - from === 1 ? `${name}${lit(from)}` : `Math.${f}(${extreme(f, name, from, (from + to) >> 1)}, ${extreme(f, name, (from + to) >> 1, to)})`);
  /** The fused test, true when some record of the group must go to the one-record loop (see the module comment). */
  const failing = (lengths: boolean): string => {
    if (withRoom) return `(${group.map((n) => `o${lit(n)} | c${lit(n)} | c${lit(n)} - ${lit(least)} | room${lit(n)} | room${lit(n)} - c${lit(n)}`).join(' | ')}) < 0`;
    if (guarded) return `(${group.map((n) => `c${lit(n)} - ${lit(least)}`).join(' | ')}) < 0`;
    const signs = `(${group.map((n) => `o${lit(n)}${bounded ? ` | c${lit(n)}` : ''}`).join(' | ')}) < 0`;
    return `${signs} || ${extreme('max', 'o')} > limit${lengths ? ` || ${extreme('min', 'c')} < ${lit(least)}` : ''}`;
  };
  const limitLength = bounded ? readEnd : least;
  /** The loop over the stretch's groups; without `lengths` it trusts the prepass over the captured lengths. */
  const groupLoop = (indent: string, lengths: boolean): string[] => [
    `for (; g < stretch; g += ${lit(groupSize)}) {`,
    ...(guarded ? [`  groupCount = ${guarded.counter};`] : []),
    // Guarded offsets stay unsigned (a JavaScript number): an offset of 2^31 or more makes the leading read throw.
    ...group.map((n) => `  const o${lit(n)} = offsets[${groupRecordIndex(n)}]${guarded ? '' : ' | 0'}${lengths ? `, c${lit(n)} = capturedLengths[${groupRecordIndex(n)}] | 0` : ''}${withRoom ? `, room${lit(n)} = size - o${lit(n)} | 0` : ''};`),
    ...(guarded && !lengths ? [] : [`  if (${failing(lengths)}) break;`]),
    ...group.flatMap((n) => [
      `  record${lit(n)}: {`,
      `    const o = o${lit(n)}${usesLength ? `, len = c${lit(n)}` : ''};`,
      ...records[n]!.map((line) => `    ${line}`),
      '  }',
    ]),
    '}',
  ].map((line) => indent + line);
  const groups = prepass
    ? [
      'if (tooShort >= 0) {',
      ...groupLoop('  ', false),
      '} else {',
      ...groupLoop('  ', true),
      '}',
    ]
    : groupLoop('', true);
  return [
    ...(withRoom || guarded ? [] : [`const limit = size >= ${lit(limitLength)} ? size - ${lit(limitLength)} : -1;`]),
    ...(guarded ? ['let groupCount = 0;'] : []),
    `const last = count - ${lit(groupSize - 1)};`,
    'for (;;) {',
    '  let g = r | 0;',
    `  const stretch = last - g > ${lit(BATCH_STRETCH_RECORDS)} ? g + ${lit(BATCH_STRETCH_RECORDS)} : last;`,
    ...(prepass
      ? [
        '  let tooShort = 0;',
        `  for (let k = g; k < stretch; k += ${lit(groupSize)}) tooShort |= ${group.map((n) => `(capturedLengths[k + ${lit(n)}] | 0) - ${lit(least)}`).join(' | ')};`,
      ]
      : []),
    ...(guarded
      ? [
        // A leading read outside the buffer: the group restarts on the one-record loop (see the module comment).
        '  try {',
        ...groups.map((line) => `    ${line}`),
        '  } catch (error) {',
        '    if (!(error instanceof RangeError)) throw error;',
        `    ${guarded.counter} = groupCount;`,
        '    leadingReadFailed();',
        '  }',
      ]
      : groups.map((line) => `  ${line}`)),
    '  r = g;',
    '  if (g === stretch && g < last) continue;',
    '  if (r >= count) break;',
    `  const stop = r + ${lit(groupSize)} < count ? r + ${lit(groupSize)} : count;`,
    ...oneRecord.map((line) => `  ${line}`),
    '}',
  ];
}
