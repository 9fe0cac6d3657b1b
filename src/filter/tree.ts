/** Helpers over filter trees: comparison that ignores where nodes came from. */
import type { Expr } from './ast.js';

function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    if (key === 'span' || key === 'inherited') continue;
    const child = (value as Record<string, unknown>)[key];
    if (child !== undefined) out[key] = strip(child);
  }
  return out;
}

/** A copy of `expr` with sorted keys and without source spans or `inherited` flags, for comparing trees. */
export function stripFilterLocations(expr: Expr): unknown {
  return strip(expr);
}

/** True when two trees mean the same filter written the same way (spans and inheritance ignored). */
export function filterTreesEqual(a: Expr, b: Expr): boolean {
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}
