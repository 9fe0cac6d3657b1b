/** The `pktfilter` command line: one module per verb, each exporting `run(argv): Promise<number>`. */
import { CliError } from './errors.js';

type Verb = { summary: string; load: () => Promise<{ run: (argv: string[]) => Promise<number> }> };

const verbs: Record<string, Verb> = {
  decode: { summary: 'decode -r FILE [-c N] [-e] [-v] [--json | --offsets | -T fields -e FIELD...]', load: () => import('./decode.js') },
  filter: { summary: 'filter -r FILE [-w OUT] [-c N] [--count] [--json] [--engine auto|interp|js|direct] [-j N] [--strict] [--hosts] EXPRESSION...', load: () => import('./filter.js') },
  compile: { summary: 'compile [-d|-dd|-ddd|--asm|--xt-bpf|--dot] [-y LINKTYPE] [-s SNAPLEN] [-O0] [--strict] [--hosts] EXPRESSION...', load: () => import('./compile.js') },
  parse: { summary: 'parse [--json] EXPRESSION...', load: () => import('./parse.js') },
  bpf: { summary: 'bpf [-d|-dd|-ddd|--asm|--xt-bpf|--dot] [--validate libpcap|kernel] PROGRAM_FILE', load: () => import('./bpf.js') },
  locate: { summary: 'locate -r FILE -n FRAME FIELD...  (the stock tcpdump expression that reads a field of that frame)', load: () => import('./locate.js') },
  run: { summary: 'run [--engine interp|js] -r CAPTURE PROGRAM_FILE', load: () => import('./run.js') },
};

function usage(): string {
  return ['usage: pktfilter COMMAND [OPTIONS]', '', ...Object.values(verbs).map((v) => `  pktfilter ${v.summary}`), ''].join('\n');
}

/**
 * A reader that closes standard output early (`pktfilter decode ... | head -1`) ends the output quietly, as with
 * tcpdump: the failed write's EPIPE is not an error of ours (verbs that write a lot stop on it themselves). Other
 * errors of stdout stay errors. Stateless, so the same function can be found on stdout and not added twice.
 */
function ignoreClosedStdout(error: NodeJS.ErrnoException): void {
  if (error.code !== 'EPIPE') throw error;
}

/** Runs the CLI with `argv` (without node and script) and resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  if (!process.stdout.listeners('error').includes(ignoreClosedStdout)) process.stdout.on('error', ignoreClosedStdout);
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === '-h' || verb === '--help' || verb === 'help') {
    process.stdout.write(usage());
    return verb === undefined ? 2 : 0;
  }
  const entry = verbs[verb];
  if (!entry) {
    process.stderr.write(`pktfilter: unknown command '${verb}'\n${usage()}`);
    return 2;
  }
  try {
    const module = await entry.load();
    return await module.run(rest);
  } catch (error) {
    // Every failure is one clear line; a stack trace only with PKTFILTER_DEBUG set.
    if (process.env.PKTFILTER_DEBUG) console.error(error);
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`pktfilter ${verb}: ${message}\n`);
    return error instanceof CliError ? error.exitCode : 1;
  }
}
