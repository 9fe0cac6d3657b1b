/** `pktfilter bpf` (placeholder until its area lands). */
import { CliError } from './errors.js';

/** Runs `pktfilter bpf`. */
export async function run(_argv: string[]): Promise<number> {
  throw new CliError('bpf: not implemented yet', 1);
}
