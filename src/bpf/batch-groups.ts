/**
 * The grouped record loop shared by the generated batch engines (src/bpf/compile-js-batch.ts and the direct
 * engine's src/direct/compile.ts): records go a group at a time behind one fused length test, and every
 * record the test cannot vouch for, and the last few, take the caller's exact one-record loop.
 *
 * The fused test is the sign of an OR of int32 terms, none of which can wrap once o and c are non-negative:
 * - when the record code reads the record's length: o, c, c - least, room and room - c (room = size - o), so
 *   the record lies wholly inside the buffer, its length is c, and c >= least;
 * - otherwise: o, limit - o and c - least (limit = size - least, or -1 when the buffer is shorter), so the
 *   record has at least `least` bytes inside the buffer, all the code reads (a captured length of 2^31 or
 *   more fails c - least or wraps it to a non-negative value, and is then indeed at least `least`).
 * The loop runs in stretches of at most BATCH_STRETCH_RECORDS records, each counting from a fresh `r | 0`:
 * when V8 compiles the function on stack replacement (one long call), the loop it entered through has an
 * untyped counter and runs measurably slower (~15% on `ip`); the next stretch is a fresh, typed loop.
 */
import { lit } from './compile-js.js';

/** Records per group of the grouped loop. */
export const BATCH_GROUP_RECORDS = 4;
/** Records per stretch of the grouped loop (a multiple of BATCH_GROUP_RECORDS). */
export const BATCH_STRETCH_RECORDS = 1024;

/** The index expression of the `n`-th record of the current group (the grouped loop counts with `g`). */
export function groupRecordIndex(n: number): string {
  return n === 0 ? 'g' : `g + ${lit(n)}`;
}

/** What a generated batch engine puts into the grouped loop. */
export interface GroupedBatchLoopParts {
  /** Bytes every record of a group is checked to hold (below 2^30, so `c - least` cannot wrap). */
  least: number;
  /**
   * The code of each record of a group (BATCH_GROUP_RECORDS of them), written for the record at
   * groupRecordIndex(n) with its offset in `o` (and its length in `len`, when the code reads it), leaving by
   * `break record<n>;`.
   */
  records: string[][];
  /** The one-record loop (`records: for (; r < stop; r++) { ... }`), run from `r` to `stop`. */
  oneRecord: string[];
}

/**
 * The lines of the grouped loop, from after the caller's declarations of `size`, `v`, the count and `r` (0)
 * up to its return: the stretches of groups, then the one-record loop for up to a group of records.
 */
export function groupedBatchLoopLines({ least, records, oneRecord }: GroupedBatchLoopParts): string[] {
  if (records.length !== BATCH_GROUP_RECORDS) throw new Error(`internal: a group has ${BATCH_GROUP_RECORDS} records, not ${records.length}`);
  if (!(least >= 0 && least < 0x40000000)) throw new Error(`internal: the fused test cannot check ${least} bytes`);
  const group = records.map((_, n) => n);
  const usesLength = records.some((lines) => lines.some((line) => /\blen\b/.test(line)));
  const terms = (n: number): string => (usesLength
    ? `o${lit(n)} | c${lit(n)} | c${lit(n)} - ${lit(least)} | room${lit(n)} | room${lit(n)} - c${lit(n)}`
    : `o${lit(n)} | limit - o${lit(n)} | c${lit(n)} - ${lit(least)}`);
  return [
    ...(usesLength ? [] : [`const limit = size >= ${lit(least)} ? size - ${lit(least)} : -1;`]),
    `const last = count - ${lit(BATCH_GROUP_RECORDS - 1)};`,
    'for (;;) {',
    '  let g = r | 0;',
    `  const stretch = last - g > ${lit(BATCH_STRETCH_RECORDS)} ? g + ${lit(BATCH_STRETCH_RECORDS)} : last;`,
    `  for (; g < stretch; g += ${lit(BATCH_GROUP_RECORDS)}) {`,
    ...group.map((n) => `    const o${lit(n)} = offsets[${groupRecordIndex(n)}] | 0, c${lit(n)} = capturedLengths[${groupRecordIndex(n)}] | 0${usesLength ? `, room${lit(n)} = size - o${lit(n)} | 0` : ''};`),
    `    if ((${group.map(terms).join(' | ')}) < 0) break;`,
    ...group.flatMap((n) => [
      `    record${lit(n)}: {`,
      `      const o = o${lit(n)}${usesLength ? `, len = c${lit(n)}` : ''};`,
      ...records[n]!.map((line) => `      ${line}`),
      '    }',
    ]),
    '  }',
    '  r = g;',
    '  if (g === stretch && g < last) continue;',
    '  if (r >= count) break;',
    `  const stop = r + ${lit(BATCH_GROUP_RECORDS)} < count ? r + ${lit(BATCH_GROUP_RECORDS)} : count;`,
    ...oneRecord.map((line) => `  ${line}`),
    '}',
  ];
}
