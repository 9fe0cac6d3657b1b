/** A NetworkResolver reading /etc/networks-format text (what the CLI may use to resolve `net NAME`). */
import { parseDottedIPv4 } from './addresses.js';
import type { NetworkResolver } from './semantics.js';

/**
 * Builds a resolver from networks(5) text: `NAME NUMBER [ALIAS...]` lines, `#` comments. NUMBER is dotted
 * (1 to 4 parts) and is kept right-aligned as inet_network(3) returns it; lines with a bad number are skipped.
 */
export function networksFileResolver(networksText: string): NetworkResolver {
  const table = new Map<string, number>();
  for (const line of networksText.split('\n')) {
    const [name, number, ...aliases] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (!name || !number) continue;
    const parsed = parseDottedIPv4(number);
    if (!parsed) continue;
    for (const key of [name, ...aliases]) if (!table.has(key)) table.set(key, parsed.value >>> 0);
  }
  return (name) => table.get(name);
}
