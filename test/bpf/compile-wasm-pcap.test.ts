/**
 * compileToWasmPcapWalker (classic BPF compiled to WebAssembly walking pcap records in place) against a
 * walk in JavaScript with the interpreter run on every record: random valid forward-only programs over
 * random pcap record runs in both byte orders, placed anywhere in the memory, ending cleanly or in a cut
 * header, cut data or a bogus captured length, with and without a stop address; against libpcap's
 * bpf_filter on libpcap's own programs for the benchmark filters; and the arguments it refuses.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BpfError, createInterpreter, parseProgram } from '../../src/bpf/index.js';
import type { RawInstruction } from '../../src/bpf/opcodes.js';
import { compileToWasmPcapWalker, generateWasmPcapWalkModule, instantiateWasmPcapWalker, type BpfWasmPcapWalk } from '../../src/bpf/compile-wasm-pcap.js';
import { encodePcap } from '../../src/capture/pcap-writer.js';
import { wasmApi, type WasmMemory } from '../../src/bpf/wasm-encoder.js';
import { describeWithOracle } from '../support/oracle.js';
import { libpcapAvailable } from '../support/libpcap.js';
import { libpcapBenchmarkCase } from './libpcap-benchmark.js';
import type { OraclePacket } from '../support/libpcap.js';
import { runnableProgram, randomPacket } from './program-arbitrary.js';

/** The largest captured length the walks below accept (a record claiming more is "bogus"). */
const LARGEST = 4096;

/** Pcap records (no file header) in the given byte order, as the pcap writer encodes them. */
function pcapRecords(packets: readonly OraclePacket[], bigEndian: boolean): Uint8Array {
  return encodePcap(packets.map((p, i) => ({ data: p.data, wireLength: p.wireLength ?? p.data.length, timestampNs: BigInt(i) * 1000n })), { linkType: 1, bigEndian }).subarray(24);
}

/** A 32-bit header word in the given byte order. */
function word(value: number, bigEndian: boolean): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value, !bigEndian);
  return bytes;
}

/** A run of records in a memory, and how it ends. */
interface Layout {
  memory: WasmMemory;
  start: number;
  end: number;
  /** Address of each whole record's header. */
  headers: number[];
  packets: OraclePacket[];
  bigEndian: boolean;
}

const layoutArbitrary: fc.Arbitrary<Layout> = fc.record({
  packets: fc.array(randomPacket(70), { maxLength: 20 }),
  bigEndian: fc.boolean(),
  start: fc.nat(100),
  ending: fc.constantFrom('clean', 'cut-header', 'cut-data', 'bogus'),
  cut: fc.nat(15),
}).map(({ packets, bigEndian, start, ending, cut }) => {
  const records = pcapRecords(packets, bigEndian);
  let tail = new Uint8Array(0);
  if (ending === 'cut-header') tail = new Uint8Array(cut % 16);
  if (ending === 'cut-data' || ending === 'bogus') {
    // A header claiming more bytes than follow (cut data) or more than the largest record (bogus), then some data.
    tail = new Uint8Array(16 + cut);
    tail.set(word(ending === 'bogus' ? LARGEST + 1 + cut : cut + 1, bigEndian), 8);
    tail.set(word(cut + 1, bigEndian), 12);
  }
  const memory = new (wasmApi().Memory)({ initial: 1 });
  const bytes = new Uint8Array(memory.buffer);
  bytes.fill(0x5a);
  bytes.set(records, start);
  bytes.set(tail, start + records.length);
  const headers: number[] = [];
  let at = start;
  for (const packet of packets) { headers.push(at); at += 16 + packet.data.length; }
  return { memory, start, end: start + records.length + tail.length, headers, packets, bigEndian };
});

/** What a walk must give: the interpreter on every whole record before the stop (records from `stopIndex` on are not walked). */
function expectedWalk(program: readonly RawInstruction[], layout: Layout, stopIndex: number): { walk: BpfWasmPcapWalk; listed: number[] } {
  const run = createInterpreter(program);
  const listed: number[] = [];
  const walked = Math.min(stopIndex, layout.packets.length);
  for (let i = 0; i < walked; i++) {
    const packet = layout.packets[i]!;
    if (run(packet.data, packet.data.length, packet.wireLength ?? packet.data.length) !== 0) listed.push(layout.headers[i]!);
  }
  const position = walked < layout.packets.length ? layout.headers[walked]! : layout.start + pcapRecords(layout.packets, layout.bigEndian).length;
  return { walk: { accepted: listed.length, position, records: walked }, listed };
}

describe('compileToWasmPcapWalker agrees with the interpreter', () => {
  it('on random valid forward-only programs over random pcap records in both byte orders', () => {
    let records = 0;
    fc.assert(fc.property(runnableProgram(24), layoutArbitrary, fc.option(fc.nat(22)), (program, layout, stopIndex) => {
      const walker = compileToWasmPcapWalker(program, layout.memory);
      const stopBefore = stopIndex === null ? undefined : stopIndex < layout.packets.length ? layout.headers[stopIndex]! : layout.end + stopIndex;
      const options = { bigEndian: layout.bigEndian, largestRecord: LARGEST, ...(stopBefore !== undefined ? { stopBefore } : {}) };
      const expected = expectedWalk(program, layout, stopIndex ?? Infinity);
      expect(walker.count(layout.start, layout.end, options)).toEqual(expected.walk);
      const matchesAt = 0x8000;
      const listing = walker.list(layout.start, layout.end, matchesAt, options);
      expect(listing).toEqual(expected.walk);
      expect(Array.from(new Uint32Array(layout.memory.buffer, matchesAt, listing.accepted))).toEqual(expected.listed);
      records += expected.walk.records;
    }), { numRuns: 1500 });
    expect(records).toBeGreaterThan(5000);
  });

  it('with one walk generated (the file\'s byte order, counting or listing): the same walk, a smaller module, and no other walk', () => {
    fc.assert(fc.property(runnableProgram(24), layoutArbitrary, fc.boolean(), (program, layout, list) => {
      const only = { bigEndian: layout.bigEndian, list };
      const wasm = generateWasmPcapWalkModule(program, only);
      expect(wasm.length).toBeLessThan(generateWasmPcapWalkModule(program).length);
      const walker = instantiateWasmPcapWalker(wasm, layout.memory);
      const options = { bigEndian: layout.bigEndian, largestRecord: LARGEST };
      const expected = expectedWalk(program, layout, Infinity);
      const matchesAt = 0x8000;
      const walk = (listing: boolean, bigEndian: boolean): BpfWasmPcapWalk => (listing ? walker.list(layout.start, layout.end, matchesAt, { ...options, bigEndian }) : walker.count(layout.start, layout.end, { ...options, bigEndian }));
      expect(walk(list, layout.bigEndian)).toEqual(expected.walk);
      if (list) expect(Array.from(new Uint32Array(layout.memory.buffer, matchesAt, expected.walk.accepted))).toEqual(expected.listed);
      expect(() => walk(!list, layout.bigEndian)).toThrow(/generated without the (count|list)(Little|Big) walk/);
      expect(() => walk(list, !layout.bigEndian)).toThrow(/generated without the (count|list)(Little|Big) walk/);
    }), { numRuns: 300 });
  });

  it('stops before a record claiming more than the largest captured length, and walks it when allowed', () => {
    const packets: OraclePacket[] = [{ data: new Uint8Array(60) }, { data: new Uint8Array(200) }, { data: new Uint8Array(40) }];
    const memory = new (wasmApi().Memory)({ initial: 1 });
    const records = pcapRecords(packets, false);
    new Uint8Array(memory.buffer).set(records, 8);
    const walker = compileToWasmPcapWalker(parseProgram('ret #1'), memory);
    expect(walker.count(8, 8 + records.length, { bigEndian: false, largestRecord: 199 })).toEqual({ accepted: 1, position: 8 + 76, records: 1 });
    expect(walker.count(8, 8 + records.length, { bigEndian: false, largestRecord: 200 })).toEqual({ accepted: 3, position: 8 + records.length, records: 3 });
    // Read in the wrong byte order, the first length (60 = 0x3c000000 big-endian) is bogus.
    expect(walker.count(8, 8 + records.length, { bigEndian: true })).toEqual({ accepted: 0, position: 8, records: 0 });
  });
});

describe('compileToWasmPcapWalker refuses', () => {
  it('backward jumps, unrunnable programs and addresses outside the memory', () => {
    // ld #1; ja -2 (lands on instruction 0, which bpf_validate accepts); ret #0
    const backward: RawInstruction[] = [{ code: 0x00, jt: 0, jf: 0, k: 1 }, { code: 0x05, jt: 0, jf: 0, k: 0xfffffffe }, { code: 0x06, jt: 0, jf: 0, k: 0 }];
    expect(() => compileToWasmPcapWalker(backward)).toThrow(/instruction 1: ja jumps backward .*compileToWasmPcapWalker runs forward-only programs/);
    expect(() => compileToWasmPcapWalker([])).toThrow(BpfError);
    const walker = compileToWasmPcapWalker(parseProgram('ret #1'));
    expect(() => walker.count(0, 65537, { bigEndian: false })).toThrow(/end 65537 is not an address/);
    expect(() => walker.count(10, 5, { bigEndian: false })).toThrow(/start 10 is after end 5/);
    expect(() => walker.list(0, 1600, 1000, { bigEndian: false })).toThrow(/overlaps the records/);
    expect(() => walker.list(0, 1600, 65300, { bigEndian: false })).toThrow(/do not fit the memory/);
    expect(() => walker.count(0, 16, { bigEndian: false, largestRecord: 2 ** 31 })).toThrow(/largestRecord/);
  });
});

describeWithOracle('compileToWasmPcapWalker agrees with libpcap bpf_filter', libpcapAvailable(), 'gcc with libpcap-dev', () => {
  it('on libpcap\'s programs for the benchmark filters over the harness packets, in both byte orders', () => {
    const { stock, programs, packets, expected } = libpcapBenchmarkCase();
    for (const bigEndian of [false, true]) {
      const records = pcapRecords(packets, bigEndian);
      const memory = new (wasmApi().Memory)({ initial: Math.ceil((2 * records.length + 65536) / 65536) });
      new Uint8Array(memory.buffer).set(records, 64);
      const headers: number[] = [];
      let at = 64;
      for (const packet of packets) { headers.push(at); at += 16 + packet.data.length; }
      const matchesAt = (64 + records.length + 3) & ~3;
      programs.forEach((program, i) => {
        const walker = compileToWasmPcapWalker(program, memory);
        const walk = walker.list(64, 64 + records.length, matchesAt, { bigEndian });
        expect(walk.records).toBe(packets.length);
        const accepted = new Set(new Uint32Array(memory.buffer, matchesAt, walk.accepted));
        expect(headers.map((h) => accepted.has(h)), stock[i]!).toEqual(expected[i]!.map((v) => v !== 0));
      });
    }
  });
});
