/** Guesses which text format a BPF program is written in. */

/** The text formats of a BPF program: tcpdump -d / -dd / -ddd, bpf_asm, and the iptables/tc comma form. */
export type BpfTextFormat = 'd' | 'dd' | 'ddd' | 'asm' | 'comma';

/**
 * Detects the format of program text: `(000)` lines are -d, `N,a b c d,...` the comma form, `{ ... }`
 * groups -dd, a count line then number quads -ddd, anything else bpf_asm.
 */
export function detectBpfFormat(text: string): BpfTextFormat {
  const body = text.replace(/^\s+/, '');
  if (/^\(\d+\)/.test(body)) return 'd';
  if (/^['"]?\d+\s*,/.test(body) || /^['"]?0['"]?\s*$/.test(body)) return 'comma';
  // bpf_asm comments (after ';') may hold anything, so they do not count towards the C array test.
  if (/\{[^{}]*,[^{}]*\}/.test(body.replace(/;.*$/gm, ''))) return 'dd';
  const lines = body.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  if (lines.length > 0 && /^\d+$/.test(lines[0]!) && lines.slice(1).every((l) => /^\d+\s+\d+\s+\d+\s+\d+$/.test(l))) return 'ddd';
  return 'asm';
}
