/**
 * fast-check generators for the BPF tests: random programs that libpcap's bpf_filter can run without
 * undefined behaviour (known opcodes, forward jumps in range, scratch read only after the prologue stored
 * it, no constant division by 0, last instruction RET), random invalid programs, and random packets.
 */
import fc from 'fast-check';
import type { RawInstruction } from '../../src/bpf/opcodes.js';
import type { OraclePacket } from '../support/libpcap.js';

const u32 = fc.oneof(
  fc.integer({ min: 0, max: 0xffffffff }),
  fc.constantFrom(0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 33, 63, 64, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff),
  fc.integer({ min: 0, max: 300 }),
);
/** Offsets near the ends of the generated packets, and a few far past them (including 32-bit wrap-around). */
const offset = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 90 }) },
  { weight: 1, arbitrary: fc.constantFrom(0xffffffff, 0xfffffffe, 0xfffffffc, 0x80000000, 0xfffff000, 1 << 20) },
);

const loadAbsolute = [0x20, 0x28, 0x30];
const loadIndirect = [0x40, 0x48, 0x50];
const aluK = [0x04, 0x14, 0x24, 0x54, 0x44, 0xa4, 0x64, 0x74];
const aluX = [0x0c, 0x1c, 0x2c, 0x3c, 0x9c, 0x5c, 0x4c, 0xac, 0x6c, 0x7c];
const jumps = [0x15, 0x25, 0x35, 0x45, 0x1d, 0x2d, 0x3d, 0x4d];

type Builder = (index: number, last: number, stored: readonly number[]) => fc.Arbitrary<RawInstruction>;
const insn = (code: number, k: fc.Arbitrary<number> = fc.constant(0)): fc.Arbitrary<RawInstruction> => k.map((value) => ({ code, jt: 0, jf: 0, k: value }));

const builders: Builder[] = [
  () => fc.constantFrom(...loadAbsolute).chain((code) => insn(code, offset)),
  () => fc.constantFrom(...loadIndirect).chain((code) => insn(code, offset)),
  () => insn(0xb1, offset),
  () => fc.constantFrom(0x80, 0x81).chain((code) => insn(code)),
  () => fc.constantFrom(0x00, 0x01).chain((code) => insn(code, u32)),
  (_i, _l, stored) => (stored.length ? fc.constantFrom(0x60, 0x61).chain((code) => insn(code, fc.constantFrom(...stored))) : insn(0x00, u32)),
  () => fc.constantFrom(0x02, 0x03).chain((code) => insn(code, fc.integer({ min: 0, max: 15 }))),
  () => fc.constantFrom(...aluK).chain((code) => insn(code, u32)),
  () => fc.constantFrom(0x34, 0x94).chain((code) => insn(code, u32.filter((k) => k !== 0))),
  () => fc.constantFrom(...aluX).chain((code) => insn(code)),
  () => fc.constantFrom(0x84, 0x07, 0x87).chain((code) => insn(code)),
  (index, last) => insn(0x05, fc.integer({ min: 0, max: last - index - 1 })),
  (index, last) => fc.record({
    code: fc.constantFrom(...jumps),
    jt: fc.integer({ min: 0, max: Math.min(255, last - index - 1) }),
    jf: fc.integer({ min: 0, max: Math.min(255, last - index - 1) }),
    k: u32,
  }),
  () => fc.constantFrom(0x06, 0x16).chain((code) => insn(code, u32)),
];

/** A random program libpcap's bpf_filter runs with defined behaviour; uses every classic opcode. */
export function runnableProgram(maxLength = 24): fc.Arbitrary<RawInstruction[]> {
  return fc.record({
    stored: fc.uniqueArray(fc.integer({ min: 0, max: 15 }), { maxLength: 4 }),
    body: fc.integer({ min: 0, max: maxLength }),
    seeds: fc.array(fc.integer({ min: 0, max: builders.length * 3 - 1 }), { minLength: maxLength, maxLength }),
    ret: fc.constantFrom(0x06, 0x16).chain((code) => insn(code, u32)),
  }).chain(({ stored, body, seeds, ret }) => {
    // The prologue loads something into A and X and stores to the slots later loads may read.
    const prologue: RawInstruction[] = stored.map((slot, i) => ({ code: i % 2 ? 0x03 : 0x02, jt: 0, jf: 0, k: slot }));
    const last = prologue.length + body;
    const parts = seeds.slice(0, body).map((seed, i) => {
      // Bias towards loads and jumps, which decide most results.
      const choice = seed % builders.length;
      return builders[choice]!(prologue.length + i, last, stored);
    });
    return fc.tuple(...parts).map((instructions) => [...prologue, ...instructions, ret]);
  });
}

/**
 * A random runnable program that starts as libpcap's programs do, with an absolute load and a jump on it
 * (ldh/ldb/ld then jeq, or ldh then jset: the pairs the interpreter runs in its entry step), its targets
 * anywhere in the random rest (often on its final `ret`), testing values the packets often hold.
 */
export function entryStepProgram(maxLength = 16): fc.Arbitrary<RawInstruction[]> {
  const value = fc.oneof(u32, fc.constantFrom(0x0800, 0x86dd, 0x8100, 0x45, 0x60, 6, 17, 0, 1, 0x1fff));
  return fc.record({
    // The jump may skip the rest's prologue, so the rest must not read scratch (libpcap's would be garbage).
    rest: runnableProgram(maxLength).filter((program) => !program.some((insn) => insn.code === 0x60 || insn.code === 0x61)),
    pair: fc.constantFrom<[number, number]>([0x28, 0x15], [0x30, 0x15], [0x20, 0x15], [0x28, 0x45]),
    k: fc.oneof(fc.integer({ min: 0, max: 90 }), fc.constantFrom(12, 13, 14, 20, 23, 0x7fffffef, 0x7ffffff0, 0xffffffff)),
    value,
    targets: fc.tuple(fc.nat(255), fc.nat(255)),
  }).map(({ rest, pair: [load, jump], k, value: v, targets: [jt, jf] }) => [
    { code: load, jt: 0, jf: 0, k },
    { code: jump, jt: jt % rest.length, jf: jf % rest.length, k: v },
    ...rest,
  ]);
}

/** A random program of any shape, mostly invalid (for the validators). */
export function anyProgram(maxLength = 12): fc.Arbitrary<RawInstruction[]> {
  const field = fc.record({
    code: fc.oneof(fc.integer({ min: 0, max: 0xff }), fc.integer({ min: 0, max: 0xffff })),
    jt: fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 255 })),
    jf: fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 255 })),
    k: fc.oneof(fc.integer({ min: 0, max: 20 }), u32),
  });
  return fc.oneof(
    fc.array(field, { minLength: 0, maxLength }),
    runnableProgram(maxLength),
    runnableProgram(maxLength).chain((p) => fc.tuple(fc.nat(p.length - 1), field).map(([at, replacement]) => p.map((x, i) => (i === at ? replacement : x)))),
  );
}

/**
 * Random bytes shaped like an Ethernet frame: a common EtherType, an IPv4 or IPv6 version nibble and
 * a common IP protocol, so that compiled filters get past their first tests.
 */
function ethernetLike(maxLength: number): fc.Arbitrary<Uint8Array> {
  return fc.record({
    bytes: fc.uint8Array({ minLength: 14, maxLength: Math.max(14, maxLength) }),
    etherType: fc.constantFrom(0x0800, 0x0800, 0x86dd, 0x8100, 0x0806, 0x88a8),
    protocol: fc.constantFrom(6, 17, 1, 47, 58, 44),
  }).map(({ bytes, etherType, protocol }) => {
    const b = Uint8Array.from(bytes);
    b[12] = etherType >> 8; b[13] = etherType & 0xff;
    if (b.length > 14) b[14] = etherType === 0x86dd ? 0x60 : 0x45;
    if (b.length > 23) b[etherType === 0x86dd ? 20 : 23] = protocol;
    if (etherType === 0x8100 && b.length > 17) { b[16] = 0x08; b[17] = 0x00; }
    return b;
  });
}

/** A random packet: up to `maxLength` captured bytes, sometimes empty, often with a wire length above the captured one. */
export function randomPacket(maxLength = 80): fc.Arbitrary<OraclePacket> {
  return fc.record({
    data: fc.oneof(fc.uint8Array({ maxLength }), fc.constant(new Uint8Array(0)), ethernetLike(maxLength)),
    extra: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1500 })),
  }).map(({ data, extra }) => ({ data, wireLength: data.length + extra }));
}
