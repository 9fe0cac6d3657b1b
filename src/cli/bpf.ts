/** `pktfilter bpf [-d | -dd | -ddd | --asm | --xt-bpf | --dot] [--validate libpcap|kernel] PROGRAM_FILE`. */
import { BpfError, formatProgram, validateProgram } from '../bpf/index.js';
import type { BpfOutputFormat, BpfValidationMode } from '../bpf/index.js';
import { readProgramFile } from '../bpf/read-program-file.js';
import { CliError } from './errors.js';

const usage = 'usage: pktfilter bpf [-d | -dd | -ddd | --asm | --xt-bpf | --dot] [--validate libpcap|kernel] PROGRAM_FILE';
const formatFlags: Record<string, BpfOutputFormat> = { '-d': 'd', '-dd': 'dd', '-ddd': 'ddd', '--asm': 'asm', '--xt-bpf': 'comma', '--dot': 'dot' };

/** Reads a program in any text format (detected; `-` = stdin), validates it, and prints it in the chosen format. */
export async function run(argv: string[]): Promise<number> {
  let format: BpfOutputFormat | undefined;
  let mode: BpfValidationMode = 'libpcap';
  let file: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') { process.stdout.write(usage + '\n'); return 0; }
    if (arg in formatFlags) {
      if (format !== undefined) throw new CliError(`choose one output format (got ${arg} after another)\n${usage}`);
      format = formatFlags[arg];
    } else if (arg === '--validate' || arg.startsWith('--validate=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      if (value !== 'libpcap' && value !== 'kernel') throw new CliError(`--validate takes libpcap or kernel, not ${value === undefined ? 'nothing' : `'${value}'`}`);
      mode = value;
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new CliError(`unknown option ${arg}\n${usage}`);
    } else {
      if (file !== undefined) throw new CliError(`one PROGRAM_FILE only (got ${file} and ${arg})`);
      file = arg;
    }
  }
  if (file === undefined) throw new CliError(`missing PROGRAM_FILE\n${usage}`);
  try {
    const program = await readProgramFile(file);
    const verdict = validateProgram(program, mode);
    if (!verdict.ok) {
      const details = verdict.issues.map((issue) => `${issue.message} [${issue.rule}]`).join('; ');
      throw new CliError(`${file}: invalid program (${mode} rules): ${details}`, 1);
    }
    process.stdout.write(formatProgram(program, format ?? 'd'));
    return 0;
  } catch (error) {
    if (error instanceof BpfError) throw new CliError(error.message, 1);
    throw error;
  }
}
