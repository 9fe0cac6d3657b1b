/** libpcap's own programs for the benchmark filters (bench/mix.ts) over the compiler harness's packets, with libpcap's verdicts: the oracle case of the WebAssembly engines' tests. */
import type { RawInstruction } from '../../src/bpf/opcodes.js';
import { BENCHMARK_FILTERS } from '../../bench/mix.js';
import { harnessPackets } from '../compiler/support/packets.js';
import { libpcapCompile, libpcapRun, type OraclePacket } from '../support/libpcap.js';

/** The benchmark filters' Ethernet programs as libpcap compiles them, 600 harness packets, and libpcap's return value for each program and packet. */
export function libpcapBenchmarkCase(): { stock: string[]; programs: RawInstruction[][]; packets: OraclePacket[]; expected: number[][] } {
  const packets = harnessPackets(1, 600);
  const stock = BENCHMARK_FILTERS.map((f) => f.stock);
  const programs = libpcapCompile(stock, { linkType: 1 }).map((result, i) => {
    if (!result.ok) throw new Error(`libpcap refuses ${stock[i]!}: ${result.error}`);
    return result.program;
  });
  return { stock, programs, packets, expected: libpcapRun(programs, packets) };
}
