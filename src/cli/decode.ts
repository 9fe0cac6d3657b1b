/** `pktfilter decode` (placeholder until its area lands). */
import { CliError } from './errors.js';

/** Runs `pktfilter decode`. */
export async function run(_argv: string[]): Promise<number> {
  throw new CliError('decode: not implemented yet', 1);
}
