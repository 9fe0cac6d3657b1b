/** `--hosts` (resolve names from /etc/hosts) and `--hosts-file FILE`, shared by parse, compile and filter. */
import { readFileSync } from 'node:fs';
import { hostsFileResolver } from '../filter/hosts.js';
import type { HostResolver } from '../filter/index.js';
import { CliError } from './errors.js';

/** The usage words of the option. */
export const HOSTS_USAGE = '[--hosts | --hosts-file FILE]';

/** If argv[index] is a hosts option, the file it names and the index of its last word; otherwise undefined. */
export function takeHostsOption(argv: readonly string[], index: number): { hostsFile: string; last: number } | undefined {
  if (argv[index] === '--hosts') return { hostsFile: '/etc/hosts', last: index };
  if (argv[index] !== '--hosts-file') return undefined;
  const hostsFile = argv[index + 1];
  if (hostsFile === undefined) throw new CliError('--hosts-file needs a file name');
  return { hostsFile, last: index + 1 };
}

const resolvers = new Map<string, HostResolver>();

/** The resolver reading `hostsFile` (undefined without one, so names are refused); a clear error if it cannot be read. */
export function hostResolverFromFile(hostsFile: string | undefined): HostResolver | undefined {
  if (hostsFile === undefined) return undefined;
  let resolver = resolvers.get(hostsFile);
  if (!resolver) {
    let text: string;
    try { text = readFileSync(hostsFile, 'utf8'); } catch (error) {
      throw new CliError(`cannot read hosts file '${hostsFile}': ${(error as Error).message}`, 1);
    }
    resolver = hostsFileResolver(text);
    resolvers.set(hostsFile, resolver);
  }
  return resolver;
}
