/**
 * The differential harness: for every corpus expression on one link type, libpcap's programs (optimized
 * and not) and ours (optimized and -O0) all run through libpcap's bpf_filter over the same packets in
 * ONE batch, and our programs also through our interpreter, JS and WebAssembly engines, and each expression
 * through the direct JS engine (src/direct, against our -O0 program's verdicts). Reports every disagreement.
 */
import type { RawInstruction } from '../../../src/bpf/opcodes.js';
import { BpfStepBudgetError, BpfWasmRecordArea, compileToJs, compileToWasmBatch, createInterpreter, type BpfFilterFunction } from '../../../src/bpf/index.js';
import { CompileError, compileFilter } from '../../../src/compiler/index.js';
import { compileDirectFilter, DirectUnsupportedError } from '../../../src/direct/index.js';
import { libpcapCompile, libpcapRun } from '../../support/libpcap.js';
import type { HarnessPacket } from './packets.js';

/** One expression's outcome on one link type. */
export interface ExpressionOutcome {
  expression: string;
  libpcapError?: string;
  ourError?: string;
  /** Which of our stages refused (optimized compile). */
  ourErrorOrigin?: 'parse' | 'compile';
  /** Our -O0 refusal (libpcap's unoptimized compile is compared with it). */
  ourRawError?: string;
  libpcapRawError?: string;
  libpcapLength?: number;
  ourLength?: number;
}

/** A packet on which our program's verdict differs from libpcap's. */
export interface VerdictMismatch { expression: string; optimized: boolean; packet: string; ours: number; libpcap: number; libpcapOther: number }

/** A packet on which one of our engines disagrees with libpcap's bpf_filter on the same program. */
export interface EngineMismatch { expression: string; engine: 'interp' | 'js' | 'direct' | 'wasm'; packet: string; expected: number; got: number | string }

/** Everything the harness found on one link type. */
export interface DifferentialReport {
  linkType: number;
  packets: number;
  outcomes: ExpressionOutcome[];
  /** Expressions one side refuses and the other accepts (optimized or -O0). */
  refusalMismatches: ExpressionOutcome[];
  /** Expressions both refuse with different messages. */
  messageMismatches: ExpressionOutcome[];
  verdictMismatches: VerdictMismatch[];
  engineMismatches: EngineMismatch[];
  /** Packet/expression pairs where libpcap's own optimized and unoptimized programs disagree (allowed for us to match either). */
  libpcapSelfDisagreements: number;
  /** Pairs compared (expressions accepted by both × packets × 2). */
  comparisons: number;
  /**
   * Packets left out because some protochain program loops forever on them (libpcap 1.10's AH step sets
   * the offset to (length + 2) * 4 from the network header, which can point back at an earlier header;
   * libpcap's bpf_filter would never return).
   */
  loopingPackets: string[];
  /** Expressions whose libpcap programs read scratch memory before writing it (verdicts then depend on garbage): not compared. */
  uninitializedScratch: string[];
}

/**
 * True when some path reads a scratch word before writing it. libpcap's bpf_filter leaves scratch memory
 * uninitialized (its verdict then depends on stack contents) while our engines and the kernel start from
 * zero, so engine comparisons skip such programs (libpcap emits them too: `geneve and tcp or udp`).
 */
export function readsUninitializedScratch(program: readonly RawInstruction[]): boolean {
  const written: (number | undefined)[] = new Array(program.length + 1).fill(undefined);
  written[0] = 0;
  const merge = (at: number, mask: number): void => { if (at > 0 && at < written.length) written[at] = written[at] === undefined ? mask : written[at]! & mask; };
  for (let i = 0; i < program.length; i++) {
    const mask = written[i];
    if (mask === undefined) continue;
    const { code, k, jt, jf } = program[i]!;
    const cls = code & 0x07;
    if ((cls === 0x00 || cls === 0x01) && (code & 0xe0) === 0x60 && !(mask & (1 << k))) return true;
    const after = cls === 0x02 || cls === 0x03 ? mask | (1 << k) : mask;
    if (cls === 0x06) continue;
    if (cls === 0x05) {
      if ((code & 0xf0) === 0x00) { if (k < 0x80000000) merge(i + 1 + k, after); continue; }
      merge(i + 1 + jt, after);
      merge(i + 1 + jf, after);
      continue;
    }
    merge(i + 1, after);
  }
  return false;
}

/** True when the program has a backward `ja` (protochain's loop): it may not end, and the WebAssembly engine refuses it. */
function hasBackwardJump(program: readonly RawInstruction[]): boolean {
  return program.some((i) => i.code === 0x05 && i.k >= 0x80000000);
}

function tryCompile(expression: string, linkType: number, optimize: boolean): { program?: RawInstruction[]; error?: string; origin?: 'parse' | 'compile' } {
  try {
    return { program: compileFilter(expression, { linkType, optimize }) };
  } catch (error) {
    if (error instanceof CompileError) return { error: error.message, origin: error.origin };
    throw error;
  }
}

/** Runs the harness for `expressions` over `packets` of `linkType`. */
export function runDifferential(linkType: number, expressions: readonly string[], allPackets: readonly HarnessPacket[], options: { engines?: boolean } = {}): DifferentialReport {
  let packets = allPackets;
  // pcap_open_dead takes a DLT: LINKTYPE_RAW (101) is DLT_RAW (12) on Linux; the others are equal.
  const dlt = linkType === 101 ? 12 : linkType;
  const optimized = libpcapCompile(expressions, { linkType: dlt, optimize: true });
  const raw = libpcapCompile(expressions, { linkType: dlt, optimize: false });
  const outcomes: ExpressionOutcome[] = [];
  const programs: RawInstruction[][] = [];
  const runs: { expression: string; base: number }[] = [];
  const ourPrograms: { expression: string; optimized: boolean; program: RawInstruction[]; index: number }[] = [];
  expressions.forEach((expression, i) => {
    const lpOpt = optimized[i]!;
    const lpRaw = raw[i]!;
    const ours = tryCompile(expression, linkType, true);
    const oursRaw = tryCompile(expression, linkType, false);
    const outcome: ExpressionOutcome = {
      expression,
      libpcapError: lpOpt.ok ? undefined : lpOpt.error,
      libpcapRawError: lpRaw.ok ? undefined : lpRaw.error,
      ourError: ours.error,
      ourErrorOrigin: ours.origin,
      ourRawError: oursRaw.error,
      libpcapLength: lpOpt.ok ? lpOpt.program.length : undefined,
      ourLength: ours.program?.length,
    };
    outcomes.push(outcome);
    if (lpOpt.ok && lpRaw.ok && ours.program && oursRaw.program) {
      const base = programs.length;
      programs.push(lpOpt.program, lpRaw.program, ours.program, oursRaw.program);
      runs.push({ expression, base });
      ourPrograms.push({ expression, optimized: true, program: ours.program, index: base + 2 }, { expression, optimized: false, program: oursRaw.program, index: base + 3 });
    }
  });
  const refusalMismatches = outcomes.filter((o) => (o.libpcapError === undefined) !== (o.ourError === undefined) || (o.libpcapRawError === undefined) !== (o.ourRawError === undefined));
  const messageMismatches = outcomes.filter((o) => o.libpcapError !== undefined && o.ourError !== undefined && o.libpcapError !== o.ourError);
  // Leave out packets on which a program with a backward jump (protochain) never ends.
  const looping = new Set<number>();
  for (const program of programs) {
    if (!hasBackwardJump(program)) continue;
    const run = createInterpreter(program, { backwardJumpBudget: 10_000 });
    packets.forEach((packet, p) => {
      try { run(packet.data, packet.data.length, packet.wireLength); } catch (error) { if (error instanceof BpfStepBudgetError) looping.add(p); else throw error; }
    });
  }
  const loopingPackets = [...looping].map((p) => packets[p]!.label);
  packets = packets.filter((_, p) => !looping.has(p));
  const results = programs.length > 0 ? libpcapRun(programs, packets, linkType) : [];
  const verdictMismatches: VerdictMismatch[] = [];
  let libpcapSelfDisagreements = 0;
  let comparisons = 0;
  const uninitializedScratch: string[] = [];
  for (const { expression, base } of runs) {
    if (readsUninitializedScratch(programs[base]!) || readsUninitializedScratch(programs[base + 1]!)) { uninitializedScratch.push(expression); continue; }
    const lpOpt = results[base]!;
    const lpRaw = results[base + 1]!;
    const oursOpt = results[base + 2]!;
    const oursRaw = results[base + 3]!;
    packets.forEach((packet, p) => {
      comparisons += 2;
      if (lpOpt[p] !== lpRaw[p]) libpcapSelfDisagreements++;
      // Ours must equal libpcap's program of the same kind, or libpcap's other program where libpcap disagrees with itself.
      if (oursOpt[p] !== lpOpt[p] && oursOpt[p] !== lpRaw[p]) {
        verdictMismatches.push({ expression, optimized: true, packet: packet.label, ours: oursOpt[p]!, libpcap: lpOpt[p]!, libpcapOther: lpRaw[p]! });
      }
      if (oursRaw[p] !== lpRaw[p] && oursRaw[p] !== lpOpt[p]) {
        verdictMismatches.push({ expression, optimized: false, packet: packet.label, ours: oursRaw[p]!, libpcap: lpRaw[p]!, libpcapOther: lpOpt[p]! });
      }
    });
  }
  const engineMismatches: EngineMismatch[] = [];
  // The WebAssembly engine runs every forward-only program over one record area holding all the packets.
  let area: BpfWasmRecordArea | undefined;
  if (options.engines !== false && packets.length > 0) {
    area = new BpfWasmRecordArea();
    const total = packets.reduce((sum, packet) => sum + packet.data.length, 0);
    const buffer = new Uint8Array(total);
    const offsets = new Uint32Array(packets.length);
    let at = 0;
    packets.forEach((packet, p) => { offsets[p] = at; buffer.set(packet.data, at); at += packet.data.length; });
    area.load(buffer, offsets, Uint32Array.from(packets, (packet) => packet.data.length), Uint32Array.from(packets, (packet) => packet.wireLength), packets.length);
    area.clampRecords();
  }
  if (options.engines !== false) {
    for (const { expression, optimized: isOptimized, program, index } of ourPrograms) {
      if (readsUninitializedScratch(program)) continue;
      const expected = results[index]!;
      const engines: [EngineMismatch['engine'], BpfFilterFunction][] = [['interp', createInterpreter(program)], ['js', compileToJs(program)]];
      // The WebAssembly engine (forward-only programs; it reports accepted records, not return values).
      if (area !== undefined && !hasBackwardJump(program)) {
        const accepted = new Set(area.acceptedIndices(compileToWasmBatch(program, { area }).run()));
        packets.forEach((packet, p) => {
          if (accepted.has(p) !== (expected[p] !== 0)) engineMismatches.push({ expression, engine: 'wasm', packet: packet.label, expected: expected[p]!, got: accepted.has(p) ? 1 : 0 });
        });
      }
      // The third engine: the direct JS predicate has the unoptimized program's verdicts (protochain falls back to BPF).
      if (!isOptimized) {
        try {
          engines.push(['direct', compileDirectFilter(expression, { linkType }).match]);
        } catch (error) {
          if (!(error instanceof DirectUnsupportedError)) throw error;
        }
      }
      packets.forEach((packet, p) => {
        for (const [engine, run] of engines) {
          let got: number | string;
          try { got = run(packet.data, packet.data.length, packet.wireLength); } catch (error) { got = String(error); }
          if (got !== expected[p]) engineMismatches.push({ expression, engine, packet: packet.label, expected: expected[p]!, got });
        }
      });
    }
  }
  return { linkType, packets: packets.length, outcomes, refusalMismatches, messageMismatches, verdictMismatches, engineMismatches, libpcapSelfDisagreements, comparisons, loopingPackets, uninitializedScratch };
}
