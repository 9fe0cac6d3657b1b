/**
 * The batch form shared by the batch engines: many records in one buffer, described by parallel arrays,
 * run through a program in one call (no per-packet call or view). Record r's captured bytes start at
 * `offsets[r]` of `buffer` and are `capturedLengths[r]` long (clamped to the bytes present, as the
 * single-packet engines clamp), its wire length is `wireLengths[r]`.
 */
import { BpfError } from './errors.js';

/**
 * Runs a program over records 0 … count - 1 and returns how many it accepted (returned non-zero). When
 * `matches` is given, the indices of the accepted records are written to its front, in order; the entries
 * from the returned count on are scratch (the loop may write a rejected record's index there).
 */
export type BpfBatchFilterFunction = (
  buffer: Uint8Array, offsets: Uint32Array, capturedLengths: Uint32Array, wireLengths: Uint32Array, count: number, matches?: Uint32Array,
) => number;

/** Checks a batch call's arguments and throws a BpfError naming the first one that is wrong. */
export function checkBpfBatchArguments(
  buffer: Uint8Array, offsets: Uint32Array, capturedLengths: Uint32Array, wireLengths: Uint32Array, count: number, matches: Uint32Array | undefined,
): void {
  const fail = (what: string): never => { throw new BpfError(`batch filter: ${what}`, 'batch-arguments'); };
  if (!(buffer instanceof Uint8Array)) fail('the buffer must be a Uint8Array');
  if (!(offsets instanceof Uint32Array)) fail('offsets must be a Uint32Array');
  if (!(capturedLengths instanceof Uint32Array)) fail('capturedLengths must be a Uint32Array');
  if (!(wireLengths instanceof Uint32Array)) fail('wireLengths must be a Uint32Array');
  if (!Number.isSafeInteger(count) || count < 0) fail(`count ${String(count)} is not a non-negative integer`);
  if (count > offsets.length) fail(`count ${count} exceeds the ${offsets.length} offsets`);
  if (count > capturedLengths.length) fail(`count ${count} exceeds the ${capturedLengths.length} captured lengths`);
  if (count > wireLengths.length) fail(`count ${count} exceeds the ${wireLengths.length} wire lengths`);
  if (matches !== undefined) {
    if (!(matches instanceof Uint32Array)) fail('matches must be a Uint32Array');
    else if (matches.length < count) fail(`matches holds ${matches.length} indices, fewer than count ${count}`);
  }
}
