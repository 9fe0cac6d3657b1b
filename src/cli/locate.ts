/** `pktfilter locate` (placeholder until the tunnels area lands). */
import { CliError } from './errors.js';

/** Runs `pktfilter locate`. */
export async function run(_argv: string[]): Promise<number> {
  throw new CliError('locate: not implemented yet', 1);
}
