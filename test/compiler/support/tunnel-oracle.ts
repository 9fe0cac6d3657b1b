/**
 * Runs tunnel queries over generated packets four ways and compares each with the decoder's verdict
 * (tunnel-model.ts): our program in our interpreter, in our JS engine, and in libpcap's bpf_filter (one
 * batch for every program and packet), optimized and -O0.
 */
import { compileToJs, createInterpreter } from '../../../src/bpf/index.js';
import type { RawInstruction } from '../../../src/bpf/opcodes.js';
import { compileFilter } from '../../../src/compiler/index.js';
import { decodePacket } from '../../../src/packet/index.js';
import { libpcapRun } from '../../support/libpcap.js';
import { tunnelModelVerdict, tunnelQueryText, type TunnelQuery } from './tunnel-model.js';
import type { TunnelPacket } from './tunnel-stacks.js';

/** A disagreement with the decoder's verdict. */
export interface TunnelMismatch { expression: string; engine: string; packet: string; expected: boolean; got: boolean }

/** What a run found: mismatches, and per expression how many packets the decoder says match. */
export interface TunnelOracleReport { mismatches: TunnelMismatch[]; matches: Map<string, number>; comparisons: number }

/** Compares every query on every packet: decoder verdict against interpreter, JS engine and libpcap's bpf_filter. */
export function runTunnelOracle(queries: readonly TunnelQuery[], packets: readonly TunnelPacket[]): TunnelOracleReport {
  const programs: { expression: string; optimized: boolean; program: RawInstruction[]; query: TunnelQuery }[] = [];
  for (const query of queries) {
    const expression = tunnelQueryText(query);
    for (const optimized of [true, false]) programs.push({ expression, optimized, program: compileFilter(expression, { optimize: optimized }), query });
  }
  const libpcap = libpcapRun(programs.map((p) => p.program), packets);
  const decoded = packets.map((p) => decodePacket(p.data).layers);
  const mismatches: TunnelMismatch[] = [];
  const matches = new Map<string, number>();
  let comparisons = 0;
  programs.forEach(({ expression, optimized, program, query }, i) => {
    const interpreter = createInterpreter(program);
    const js = compileToJs(program);
    packets.forEach((packet, p) => {
      const expected = tunnelModelVerdict(decoded[p]!, query);
      if (optimized && expected) matches.set(expression, (matches.get(expression) ?? 0) + 1);
      const verdicts: [string, number][] = [
        ['libpcap bpf_filter', libpcap[i]![p]!],
        ['interpreter', interpreter(packet.data, packet.data.length, packet.wireLength)],
        ['JS engine', js(packet.data, packet.data.length, packet.wireLength)],
      ];
      for (const [engine, verdict] of verdicts) {
        comparisons++;
        if ((verdict !== 0) !== expected) mismatches.push({ expression, engine: `${engine}${optimized ? '' : ' -O0'}`, packet: packet.label, expected, got: verdict !== 0 });
      }
    });
  });
  return { mismatches, matches, comparisons };
}
