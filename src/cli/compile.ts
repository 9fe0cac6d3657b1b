/** `pktfilter compile` (placeholder until its area lands). */
import { CliError } from './errors.js';

/** Runs `pktfilter compile`. */
export async function run(_argv: string[]): Promise<number> {
  throw new CliError('compile: not implemented yet', 1);
}
