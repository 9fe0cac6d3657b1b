/** `pktfilter parse` (placeholder until its area lands). */
import { CliError } from './errors.js';

/** Runs `pktfilter parse`. */
export async function run(_argv: string[]): Promise<number> {
  throw new CliError('parse: not implemented yet', 1);
}
