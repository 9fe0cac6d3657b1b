/**
 * `pktfilter compile [-d | -dd | -ddd | --asm | --xt-bpf | --dot] [-y LINKTYPE] [-s SNAPLEN] [-O0] [--strict] [-F FILE] EXPRESSION…`:
 * compiles a pcap-filter(7) expression to classic BPF and prints it (tcpdump -d by default); `--strict`
 * refuses pktfilter's extensions (`gre`, `vxlan`).
 */
import { readFile } from 'node:fs/promises';
import { formatProgram, type BpfOutputFormat } from '../bpf/index.js';
import { LinkType, parseLinkType } from '../capture/linktype.js';
import { CompileError, compileFilter, DEFAULT_FILTER_SNAPLEN as DEFAULT_SNAPLEN } from '../compiler/index.js';
import { CliError } from './errors.js';
import { describeRefusal } from './refusal.js';
import { HOSTS_USAGE, hostResolverFromFile, takeHostsOption } from './hosts-option.js';

const usage = `usage: pktfilter compile [-d | -dd | -ddd | --asm | --xt-bpf | --dot] [-y LINKTYPE] [-s SNAPLEN] [-O0] [--strict] ${HOSTS_USAGE} [-F FILE] EXPRESSION...`;
const formatFlags: Record<string, BpfOutputFormat> = { '-d': 'd', '-dd': 'dd', '-ddd': 'ddd', '--asm': 'asm', '--xt-bpf': 'comma', '--dot': 'dot' };

/** The parsed command line of `compile`. */
export interface CompileCommand {
  format: BpfOutputFormat;
  linkType: number;
  snaplen: number;
  optimize: boolean;
  /** Refuse pktfilter's extensions (`--strict`). */
  strict: boolean;
  /** Resolve host names from this hosts file (`--hosts`, `--hosts-file FILE`). */
  hostsFile?: string;
  /** The expression: argv words joined with spaces (as tcpdump joins them), or the -F file's text. */
  expression: string;
}

/** Removes `#` comments to the end of each line, as tcpdump does for -F files. */
export function stripFilterFileComments(text: string): string {
  return text.split('\n').map((line) => { const at = line.indexOf('#'); return at < 0 ? line : line.slice(0, at); }).join('\n');
}

function optionValue(argv: string[], index: number, name: string): string {
  const value = argv[index];
  if (value === undefined) throw new CliError(`${name} needs a value\n${usage}`);
  return value;
}

/** Parses the snapshot length like tcpdump's -s (0 means the default 262144). */
export function parseSnaplen(text: string): number {
  if (!/^\d+$/.test(text)) throw new CliError(`invalid snaplen '${text}' (a decimal number of bytes)`);
  const value = Number(text);
  if (value > 262144) throw new CliError(`invalid snaplen ${value}: the largest is 262144`);
  return value === 0 ? DEFAULT_SNAPLEN : value;
}

/** Parses `compile`'s arguments (without the verb); reads the -F file. */
export async function parseCompileArguments(argv: string[]): Promise<CompileCommand> {
  let format: BpfOutputFormat | undefined;
  let linkType: number | undefined;
  let snaplen = DEFAULT_SNAPLEN;
  let optimize = true;
  let strict = false;
  let hostsFile: string | undefined;
  let file: string | undefined;
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') { words.push(...argv.slice(i + 1)); break; }
    if (arg in formatFlags) {
      if (format !== undefined) throw new CliError(`choose one output format (got ${arg} after another)\n${usage}`);
      format = formatFlags[arg];
    } else if (arg === '-y') {
      const name = optionValue(argv, ++i, '-y');
      linkType = parseLinkType(name);
      if (linkType === undefined) throw new CliError(`unknown link type '${name}' (try EN10MB, RAW, LINUX_SLL, LINUX_SLL2, NULL, LOOP, IPV4, IPV6 or a number)`);
    } else if (arg === '-s') {
      snaplen = parseSnaplen(optionValue(argv, ++i, '-s'));
    } else if (arg === '-O0' || arg === '-O') {
      optimize = false;
    } else if (arg === '--strict') {
      strict = true;
    } else if (takeHostsOption(argv, i)) {
      ({ hostsFile, last: i } = takeHostsOption(argv, i)!);
    } else if (arg === '-F') {
      file = optionValue(argv, ++i, '-F');
    } else if (arg.startsWith('-') && arg.length > 1 && words.length === 0) {
      throw new CliError(`unknown option ${arg}\n${usage}`);
    } else {
      words.push(arg);
    }
  }
  let expression = words.join(' ');
  if (file !== undefined) {
    try {
      expression = stripFilterFileComments(await readFile(file, 'utf8'));
    } catch (error) {
      throw new CliError(`cannot read filter file ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`, 1);
    }
  }
  const chosen = format ?? 'd';
  return { format: chosen, linkType: linkType ?? (chosen === 'comma' ? LinkType.RAW : LinkType.EN10MB), snaplen, optimize, strict, ...(hostsFile !== undefined ? { hostsFile } : {}), expression };
}

/** Runs `pktfilter compile`. */
export async function run(argv: string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) { process.stdout.write(usage + '\n'); return 0; }
  const command = await parseCompileArguments(argv);
  let program;
  try {
    program = compileFilter(command.expression, { linkType: command.linkType, snaplen: command.snaplen, optimize: command.optimize, strict: command.strict, resolver: hostResolverFromFile(command.hostsFile) });
  } catch (error) {
    if (error instanceof CompileError) {
      throw new CliError(describeRefusal(error, command.expression, command.linkType), 1);
    }
    throw error;
  }
  process.stdout.write(formatProgram(program, command.format));
  return 0;
}
