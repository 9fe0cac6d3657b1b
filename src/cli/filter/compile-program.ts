/**
 * The main thread's side of program compilation for `pktfilter filter`: the expression compiled for one link
 * type, a refusal turned into FilterRefusal. Kept apart from run-fragment.ts so that the worker bundle (which
 * only runs programs the main thread sends) never loads the filter parser and the compiler.
 */
import type { RawInstruction } from '../../bpf/opcodes.js';
import { BpfError } from '../../bpf/errors.js';
import { CompileError, compileFilter } from '../../compiler/index.js';
import { describeRefusal } from '../refusal.js';
import { hostResolverFromFile } from '../hosts-option.js';
import { compileDirectFilter, DirectUnsupportedError } from '../../direct/index.js';
import { FilterRefusal, type FilterDirectCompiler, type FilterOutputMode, type FilterProgramCompiler, type FilterRunSettings } from './run-fragment.js';
import type { FilterCommand } from '../filter.js';

/**
 * The run settings of a `filter` command line in output mode `mode` (with `fixedProgram` from --program): `auto`
 * runs BPF->JS wherever the WebAssembly walker does not take the file.
 */
export function filterRunSettings(command: FilterCommand, mode: FilterOutputMode, fixedProgram: RawInstruction[] | undefined): FilterRunSettings {
  return {
    expression: command.expression, strict: command.strict, ...(command.hostsFile !== undefined ? { hostsFile: command.hostsFile } : {}),
    engine: command.engine === 'auto' ? 'js' : command.engine, mode,
    ...(fixedProgram !== undefined ? { program: fixedProgram } : {}),
    ...(command.limit !== undefined ? { limit: command.limit } : {}),
  };
}

/** The compiler of the settings' expression, by link type; a refused expression throws FilterRefusal with its one-line message. */
export function filterProgramCompiler(settings: FilterRunSettings): FilterProgramCompiler {
  return (linkType: number): RawInstruction[] => {
    if (settings.program !== undefined) return settings.program;
    try {
      return compileFilter(settings.expression, { linkType, strict: settings.strict ?? false, resolver: hostResolverFromFile(settings.hostsFile) });
    } catch (error) {
      if (error instanceof CompileError) throw new FilterRefusal(describeRefusal(error, settings.expression, linkType));
      if (error instanceof BpfError) throw new FilterRefusal(error.message);
      throw error;
    }
  };
}

/** Compiles for every link type in `linkTypes` that `known` lacks, recording a refusal instead of throwing; returns what was added. */
export function compileFilterProgramsFor(
  compile: FilterProgramCompiler, linkTypes: Iterable<number>, known: Set<number>,
): { programs: Record<number, RawInstruction[]>; refusals: Record<number, string>; added: boolean } {
  const programs: Record<number, RawInstruction[]> = {};
  const refusals: Record<number, string> = {};
  let added = false;
  for (const linkType of linkTypes) {
    if (known.has(linkType)) continue;
    known.add(linkType);
    added = true;
    try {
      programs[linkType] = compile(linkType);
    } catch (error) {
      if (!(error instanceof FilterRefusal)) throw error;
      refusals[linkType] = error.message;
    }
  }
  return { programs, refusals, added };
}

/** The direct engine's compiler of the settings' expression, by link type (undefined where it falls back to BPF: protochain). */
export function filterDirectCompiler(settings: FilterRunSettings): FilterDirectCompiler {
  const compiled = new Map<number, ReturnType<FilterDirectCompiler>>();
  return (linkType: number) => {
    if (compiled.has(linkType)) return compiled.get(linkType);
    let direct: ReturnType<FilterDirectCompiler>;
    try {
      const filter = compileDirectFilter(settings.expression, { linkType, strict: settings.strict ?? false, resolver: hostResolverFromFile(settings.hostsFile) });
      direct = { batch: filter.batch, match: filter.match };
    } catch (error) {
      if (error instanceof DirectUnsupportedError) direct = undefined;
      else if (error instanceof CompileError) throw new FilterRefusal(describeRefusal(error, settings.expression, linkType));
      else throw error;
    }
    compiled.set(linkType, direct);
    return direct;
  };
}
