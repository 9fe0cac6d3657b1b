/** A HostResolver reading an /etc/hosts-format text (what the CLI uses when asked to resolve names). */
import type { HostResolver } from './semantics.js';

/** Builds a resolver from /etc/hosts text: `ADDRESS NAME [ALIAS...]` lines, `#` comments. */
export function hostsFileResolver(hostsText: string): HostResolver {
  const table = new Map<string, { ipv4: string[]; ipv6: string[] }>();
  for (const line of hostsText.split('\n')) {
    const [address, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (!address || names.length === 0) continue;
    const family = address.includes(':') ? 'ipv6' : 'ipv4';
    for (const name of names) {
      const entry = table.get(name) ?? { ipv4: [], ipv6: [] };
      if (!entry[family].includes(address)) entry[family].push(address);
      table.set(name, entry);
    }
  }
  return (name) => {
    const entry = table.get(name);
    return entry ? { ipv4: [...entry.ipv4], ipv6: [...entry.ipv6] } : undefined;
  };
}
