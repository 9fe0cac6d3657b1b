/** `pktfilter run [--engine interp|js] -r CAPTURE PROGRAM_FILE`: a BPF program's return value for every packet. */
import { BpfError, compileToJs, createInterpreter, validateProgram } from '../bpf/index.js';
import type { BpfFilterFunction } from '../bpf/index.js';
import { readProgramFile } from '../bpf/read-program-file.js';
import { CaptureFormatError, readCapture } from '../capture/index.js';
import { CliError } from './errors.js';

const usage = 'usage: pktfilter run [--engine interp|js] -r CAPTURE PROGRAM_FILE';

/** Runs the program over every packet of the capture and prints one return value per line, in frame order. */
export async function run(argv: string[]): Promise<number> {
  let engine: 'interp' | 'js' = 'js';
  let capture: string | undefined;
  let file: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') { process.stdout.write(usage + '\n'); return 0; }
    if (arg === '--engine' || arg.startsWith('--engine=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      if (value !== 'interp' && value !== 'js') throw new CliError(`--engine takes interp or js, not ${value === undefined ? 'nothing' : `'${value}'`}`);
      engine = value;
    } else if (arg === '-r') {
      capture = argv[++i];
      if (capture === undefined) throw new CliError(`-r needs a capture file\n${usage}`);
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new CliError(`unknown option ${arg}\n${usage}`);
    } else {
      if (file !== undefined) throw new CliError(`one PROGRAM_FILE only (got ${file} and ${arg})`);
      file = arg;
    }
  }
  if (capture === undefined) throw new CliError(`missing -r CAPTURE\n${usage}`);
  if (file === undefined) throw new CliError(`missing PROGRAM_FILE\n${usage}`);
  if (capture === '-' && file === '-') throw new CliError('the capture and the program cannot both come from standard input');

  let filter: BpfFilterFunction;
  try {
    const program = await readProgramFile(file);
    const verdict = validateProgram(program, 'libpcap');
    if (!verdict.ok) {
      throw new CliError(`${file}: invalid program (libpcap rules): ${verdict.issues.map((issue) => `${issue.message} [${issue.rule}]`).join('; ')}`, 1);
    }
    filter = engine === 'js' ? compileToJs(program) : createInterpreter(program);
  } catch (error) {
    if (error instanceof BpfError) throw new CliError(error.message, 1);
    throw error;
  }

  const lines: string[] = [];
  const flush = (): void => { if (lines.length) { process.stdout.write(lines.join('\n') + '\n'); lines.length = 0; } };
  let frame = 0;
  try {
    await readCapture(capture === '-' ? process.stdin : capture).walk((record) => {
      frame++;
      const data = record.data;
      lines.push(String(filter(data, record.capturedLength, record.wireLength)));
      if (lines.length >= 4096) flush();
    });
  } catch (error) {
    flush();
    if (error instanceof BpfError) throw new CliError(`frame ${frame}: ${error.message}`, 1);
    if (error instanceof CaptureFormatError) throw new CliError(error.message, 1);
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new CliError(`cannot read capture ${capture}: no such file`, 1);
    throw error;
  }
  flush();
  return 0;
}
