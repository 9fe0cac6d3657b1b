/**
 * `pktfilter parse [--json] [--hosts | --hosts-file FILE] EXPRESSION...`: prints the canonical text of a
 * filter (or its tree as JSON). The words are joined with spaces, as tcpdump joins them.
 */
import { CliError } from './errors.js';
import { FilterError } from '../filter/errors.js';
import { parseFilter } from '../filter/parser.js';
import { printFilter } from '../filter/printer.js';
import { hostResolverFromFile, takeHostsOption } from './hosts-option.js';

const usage = 'usage: pktfilter parse [--json] [--hosts | --hosts-file FILE] EXPRESSION...';

/** Runs `pktfilter parse`. */
export async function run(argv: string[]): Promise<number> {
  let json = false;
  let hostsFile: string | undefined;
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (words.length === 0 && (arg === '--help' || arg === '-h')) {
      process.stdout.write(`${usage}\n\nPrints the canonical text of a pcap-filter(7) expression (every primitive fully qualified),\nor its tree with --json. Host names are refused unless --hosts (/etc/hosts) or --hosts-file FILE is given.\n`);
      return 0;
    } else if (words.length === 0 && arg === '--json') json = true;
    else if (words.length === 0 && takeHostsOption(argv, i)) ({ hostsFile, last: i } = takeHostsOption(argv, i)!);
    else if (words.length === 0 && arg === '--') continue;
    else if (words.length === 0 && arg.startsWith('--')) throw new CliError(`unknown option '${arg}'\n${usage}`);
    else words.push(arg);
  }
  if (words.length === 0) throw new CliError(`no filter expression given\n${usage}`);
  const resolver = hostResolverFromFile(hostsFile);
  const expression = words.join(' ');
  try {
    const tree = parseFilter(expression, resolver ? { resolver } : {});
    process.stdout.write(json ? `${JSON.stringify(tree, null, 2)}\n` : `${printFilter(tree)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof FilterError) {
      process.stderr.write(`pktfilter parse: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
