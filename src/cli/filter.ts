/** `pktfilter filter` (placeholder until its area lands). */
import { CliError } from './errors.js';

/** Runs `pktfilter filter`. */
export async function run(_argv: string[]): Promise<number> {
  throw new CliError('filter: not implemented yet', 1);
}
