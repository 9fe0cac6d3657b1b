/**
 * `pktfilter filter -r CAPTURE [-w OUT] [-c COUNT] [--count] [--json] [--engine interp|js] EXPRESSION…`
 * and `pktfilter filter -r CAPTURE --program PROGRAM_FILE`: runs a filter over a pcap or pcapng file
 * (compiled per link type, so every pcapng interface gets its own program) and prints, writes or counts
 * the matching records.
 */
import type { RawInstruction } from '../bpf/opcodes.js';
import { BpfError, BpfStepBudgetError, compileToJs, createInterpreter, type BpfFilterFunction } from '../bpf/index.js';
import { readProgramFile } from '../bpf/read-program-file.js';
import { CaptureFormatError, createCaptureWriter, readCapture, type CaptureWriter } from '../capture/index.js';
import { linkTypeName } from '../capture/linktype.js';
import { CompileError, compileFilter } from '../compiler/index.js';
import { PacketDecoder } from '../packet/index.js';
import { formatDecodedPacket, parseDecodeArguments } from './decode.js';
import { CliError } from './errors.js';

const usage = 'usage: pktfilter filter -r CAPTURE [-w OUT] [-c COUNT] [--count] [--json] [--engine interp|js] (EXPRESSION... | --program PROGRAM_FILE)';

/** The parsed command line of `filter`. */
export interface FilterCommand {
  capture: string;
  output?: string;
  limit?: number;
  countOnly: boolean;
  json: boolean;
  engine: 'interp' | 'js';
  programFile?: string;
  expression: string;
}

function optionValue(argv: string[], index: number, name: string): string {
  const value = argv[index];
  if (value === undefined) throw new CliError(`${name} needs a value\n${usage}`);
  return value;
}

/** Parses `filter`'s arguments (without the verb). */
export function parseFilterArguments(argv: string[]): FilterCommand {
  let capture: string | undefined;
  let output: string | undefined;
  let limit: number | undefined;
  let countOnly = false;
  let json = false;
  let engine: 'interp' | 'js' = 'js';
  let programFile: string | undefined;
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') { words.push(...argv.slice(i + 1)); break; }
    if (arg === '-r') capture = optionValue(argv, ++i, '-r');
    else if (arg === '-w') output = optionValue(argv, ++i, '-w');
    else if (arg === '-c') {
      const text = optionValue(argv, ++i, '-c');
      if (!/^\d+$/.test(text) || Number(text) < 1) throw new CliError(`invalid count '${text}' for -c (a positive number)`);
      limit = Number(text);
    } else if (arg === '--count') countOnly = true;
    else if (arg === '--json') json = true;
    else if (arg === '--engine' || arg.startsWith('--engine=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : optionValue(argv, ++i, '--engine');
      if (value !== 'interp' && value !== 'js') throw new CliError(`--engine takes interp or js, not '${value}'`);
      engine = value;
    } else if (arg === '--program') programFile = optionValue(argv, ++i, '--program');
    else if (arg.startsWith('-') && arg.length > 1 && words.length === 0) throw new CliError(`unknown option ${arg}\n${usage}`);
    else words.push(arg);
  }
  if (capture === undefined) throw new CliError(`missing -r CAPTURE\n${usage}`);
  if (programFile !== undefined && words.length > 0) throw new CliError(`give an EXPRESSION or --program, not both\n${usage}`);
  if (countOnly && json) throw new CliError('--count and --json exclude each other');
  return { capture, output, limit, countOnly, json, engine, programFile, expression: words.join(' ') };
}

/** Runs `pktfilter filter`. */
export async function run(argv: string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) { process.stdout.write(usage + '\n'); return 0; }
  const command = parseFilterArguments(argv);
  let fixedProgram: RawInstruction[] | undefined;
  if (command.programFile !== undefined) {
    try {
      fixedProgram = await readProgramFile(command.programFile);
    } catch (error) {
      if (error instanceof BpfError) throw new CliError(error.message, 1);
      throw error;
    }
  }
  const prepare = (program: RawInstruction[]): BpfFilterFunction => (command.engine === 'js' ? compileToJs(program) : createInterpreter(program));
  const filters = new Map<number, BpfFilterFunction>();
  const filterFor = (linkType: number): BpfFilterFunction => {
    let filter = filters.get(linkType);
    if (filter) return filter;
    try {
      filter = prepare(fixedProgram ?? compileFilter(command.expression, { linkType }));
    } catch (error) {
      if (error instanceof CompileError) throw new CliError(`${error.message} [link type ${linkTypeName(linkType)}]`, 1);
      if (error instanceof BpfError) throw new CliError(error.message, 1);
      throw error;
    }
    filters.set(linkType, filter);
    return filter;
  };

  const decodeCommand = parseDecodeArguments(['-r', command.capture, ...(command.json ? ['--json'] : [])]);
  const decoder = new PacketDecoder();
  const reader = readCapture(command.capture);
  let writer: CaptureWriter | undefined;
  let matches = 0;
  let looping = 0;
  let lines: string[] = [];
  const flushLines = (): void => { if (lines.length > 0) { process.stdout.write(lines.join('')); lines = []; } };
  try {
    const info = await reader.open();
    // Compile for the first interface up front so that a refused expression fails before any output.
    if (info.interfaces.length > 0) filterFor(info.interfaces[0]!.linkType);
    if (command.output !== undefined) writer = createCaptureWriter(command.output, info);
    await reader.walk((record, index) => {
      let verdict: number;
      try {
        verdict = filterFor(record.linkType)(record.data, record.capturedLength, record.wireLength);
      } catch (error) {
        // protochain's loop (as libpcap builds it) can cycle forever on some IPv6/AH chains: reject those.
        if (!(error instanceof BpfStepBudgetError)) throw error;
        looping++;
        verdict = 0;
      }
      if (verdict === 0) return true;
      matches++;
      if (writer) writer.append(record);
      if (!command.countOnly && !writer) {
        // The line (or JSON object) `decode` prints for this record, with its 1-based frame number.
        lines.push(formatDecodedPacket(decodeCommand, index + 1, record, decoder.decode(record.data, record.linkType)));
        if (lines.length >= 256) flushLines();
      }
      return command.limit === undefined || matches < command.limit;
    }, { beforeNextChunk: () => { flushLines(); return writer?.drained(); } });
  } catch (error) {
    flushLines();
    if (writer) await writer.close().catch(() => undefined);
    if (error instanceof CaptureFormatError) throw new CliError(`${command.capture}: ${error.message}`, 1);
    if (error instanceof CliError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`cannot read ${command.capture}: no such file`, 1);
    throw error;
  }
  flushLines();
  if (writer) await writer.close();
  if (command.countOnly) process.stdout.write(`${matches}\n`);
  if (looping > 0) process.stderr.write(`pktfilter filter: ${looping} packet(s) rejected because the program looped without end (protochain on a cyclic header chain)\n`);
  return 0;
}
