/**
 * The grouped record loop shared by the generated batch engines (src/bpf/compile-js-batch.ts and the direct
 * engine's src/direct/compile.ts): records go a group at a time behind one fused length test, and every
 * record the test cannot vouch for, and the last few, take the caller's exact one-record loop.
 *
 * The fused test is the sign of an OR of int32 terms, none of which can wrap once o and c are non-negative:
 * - when the record code reads the record's length and the caller knows no read or length check of it
 *   ends past `readEnd` bytes: o, c, limit - o and c - least (limit = size - readEnd, or -1 when the
 *   buffer is shorter), so at least readEnd bytes from o lie inside the buffer, and the clamped length
 *   min(c, size - o) compares with every checked length (at most readEnd) as c does: the code uses c;
 * - when it reads the length otherwise: o, c, c - least, room and room - c (room = size - o), so the record
 *   lies wholly inside the buffer, its length is c, and c >= least;
 * - otherwise: o, limit - o and c - least (limit = size - least, or -1 when the buffer is shorter), so the
 *   record has at least `least` bytes inside the buffer, all the code reads (a captured length of 2^31 or
 *   more fails c - least or wraps it to a non-negative value, and is then indeed at least `least`).
 * In that last form a prepass over a stretch's captured lengths can replace the per-group length terms
 * (see groupedBatchLoopLines).
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
}

/**
 * The lines of the grouped loop, from after the caller's declarations of `size`, `v`, the count and `r` (0)
 * up to its return: the stretches of groups, then the one-record loop for up to a group of records.
 */
export function groupedBatchLoopLines({ least, records, oneRecord, readEnd }: GroupedBatchLoopParts): string[] {
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
  const prepass = !usesLength && records.reduce((sum, lines) => sum + lines.length, 0) <= PREPASS_RECORD_LINES;
  const groupSize = prepass ? BATCH_WIDE_GROUP_RECORDS : BATCH_GROUP_RECORDS;
  const group = Array.from({ length: groupSize }, (_, n) => n);
  const terms = (n: number, lengths: boolean): string => (withRoom
    ? `o${lit(n)} | c${lit(n)} | c${lit(n)} - ${lit(least)} | room${lit(n)} | room${lit(n)} - c${lit(n)}`
    : `o${lit(n)}${bounded ? ` | c${lit(n)}` : ''} | limit - o${lit(n)}${lengths ? ` | c${lit(n)} - ${lit(least)}` : ''}`);
  const limitLength = bounded ? readEnd : least;
  /** The loop over the stretch's groups; without `lengths` it trusts the prepass over the captured lengths. */
  const groupLoop = (indent: string, lengths: boolean): string[] => [
    `for (; g < stretch; g += ${lit(groupSize)}) {`,
    ...group.map((n) => `  const o${lit(n)} = offsets[${groupRecordIndex(n)}] | 0${lengths ? `, c${lit(n)} = capturedLengths[${groupRecordIndex(n)}] | 0` : ''}${withRoom ? `, room${lit(n)} = size - o${lit(n)} | 0` : ''};`),
    `  if ((${group.map((n) => terms(n, lengths)).join(' | ')}) < 0) break;`,
    ...group.flatMap((n) => [
      `  record${lit(n)}: {`,
      `    const o = o${lit(n)}${usesLength ? `, len = c${lit(n)}` : ''};`,
      ...records[n]!.map((line) => `    ${line}`),
      '  }',
    ]),
    '}',
  ].map((line) => indent + line);
  return [
    ...(withRoom ? [] : [`const limit = size >= ${lit(limitLength)} ? size - ${lit(limitLength)} : -1;`]),
    `const last = count - ${lit(groupSize - 1)};`,
    'for (;;) {',
    '  let g = r | 0;',
    `  const stretch = last - g > ${lit(BATCH_STRETCH_RECORDS)} ? g + ${lit(BATCH_STRETCH_RECORDS)} : last;`,
    ...(prepass
      ? [
        '  let tooShort = 0;',
        `  for (let k = g; k < stretch; k += ${lit(groupSize)}) tooShort |= ${group.map((n) => `(capturedLengths[k + ${lit(n)}] | 0) - ${lit(least)}`).join(' | ')};`,
        '  if (tooShort >= 0) {',
        ...groupLoop('    ', false),
        '  } else {',
        ...groupLoop('    ', true),
        '  }',
      ]
      : groupLoop('  ', true)),
    '  r = g;',
    '  if (g === stretch && g < last) continue;',
    '  if (r >= count) break;',
    `  const stop = r + ${lit(groupSize)} < count ? r + ${lit(groupSize)} : count;`,
    ...oneRecord.map((line) => `  ${line}`),
    '}',
  ];
}
