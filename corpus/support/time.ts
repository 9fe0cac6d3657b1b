/** Fixed capture times for the corpus (no clock, no randomness: re-running the builder gives the same bytes). */

/** Nanoseconds since the epoch of a UTC date-time `YYYY-MM-DDTHH:MM:SS` plus a fraction in nanoseconds. */
export function utcNs(dateTime: string, nanoseconds = 0n): bigint {
  const ms = Date.parse(`${dateTime}Z`);
  if (Number.isNaN(ms)) throw new Error(`corpus: bad date-time ${dateTime}`);
  return BigInt(ms) * 1_000_000n + nanoseconds;
}

/** Seconds (possibly fractional, as written in a story: 1.028) as nanoseconds. */
export function secondsNs(seconds: number): bigint {
  return BigInt(Math.round(seconds * 1e6)) * 1000n;
}
