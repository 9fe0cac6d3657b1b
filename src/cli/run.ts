/** `pktfilter run` (placeholder until its area lands). */
import { CliError } from './errors.js';

/** Runs `pktfilter run`. */
export async function run(_argv: string[]): Promise<number> {
  throw new CliError('run: not implemented yet', 1);
}
