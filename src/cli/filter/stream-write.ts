/**
 * The record-by-record streaming path of `pktfilter filter -w` for pcapng input: the capture writer
 * re-encodes each matching record and declares its interface the first time one needs it, so the output
 * is a valid pcapng file whatever sections and interfaces the input had.
 */
import type { RawInstruction } from '../../bpf/opcodes.js';
import { BpfError, BpfStepBudgetError, compileToJs, createInterpreter, type BpfFilterFunction } from '../../bpf/index.js';
import { CaptureFormatError, createCaptureWriter, readCapture, type CaptureWriter } from '../../capture/index.js';
import { CliError } from '../errors.js';
import { filterDirectCompiler, filterProgramCompiler, filterRunSettings } from './compile-program.js';
import { FilterRefusal } from './run-fragment.js';
import type { FilterCommand } from '../filter.js';

/** Filters `command.capture` record by record and writes the matches to `command.output`; resolves to the exit code. */
export async function runFilterStreamingWrite(command: FilterCommand, fixedProgram: RawInstruction[] | undefined): Promise<number> {
  // The same compilers as the fragment path (compile-program.ts), so refusals read the same.
  const settings = filterRunSettings(command, 'pcap-records', fixedProgram);
  const compile = filterProgramCompiler(settings);
  const direct = command.engine === 'direct' ? filterDirectCompiler(settings) : undefined;
  const filters = new Map<number, BpfFilterFunction>();
  const filterFor = (linkType: number): BpfFilterFunction => {
    let filter = filters.get(linkType);
    if (filter) return filter;
    try {
      // The program first, for its refusal; the direct engine falls back to BPF->JS where it must (protochain).
      const program = compile(linkType);
      filter = direct?.(linkType)?.match ?? (command.engine === 'interp' ? createInterpreter(program) : compileToJs(program));
    } catch (error) {
      if (error instanceof FilterRefusal || error instanceof BpfError) throw new CliError(error.message, 1);
      throw error;
    }
    filters.set(linkType, filter);
    return filter;
  };

  const reader = readCapture(command.capture);
  let writer: CaptureWriter | undefined;
  let matches = 0;
  let looping = 0;
  try {
    const info = await reader.open();
    // Compile for the first interface up front so that a refused expression fails before any output.
    if (info.interfaces.length > 0) filterFor(info.interfaces[0]!.linkType);
    writer = createCaptureWriter(command.output!, info);
    await reader.walk((record) => {
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
      writer!.append(record);
      return command.limit === undefined || matches < command.limit;
    }, { beforeNextChunk: () => writer?.drained() });
  } catch (error) {
    if (writer) await writer.close().catch(() => undefined);
    if (error instanceof CaptureFormatError) throw new CliError(error.message, 1);
    if (error instanceof CliError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`cannot read ${command.capture}: no such file`, 1);
    throw error;
  }
  if (writer) await writer.close();
  if (command.countOnly) process.stdout.write(`${matches}\n`);
  if (looping > 0) process.stderr.write(`pktfilter filter: ${looping} packet(s) rejected because the program looped without end (protochain on a cyclic header chain)\n`);
  return 0;
}
