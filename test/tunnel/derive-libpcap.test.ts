/**
 * Differential test of derived stock expressions against real libpcap: for generated captures of every
 * encapsulation (GRE with each C/K/S combination and payload type, VXLAN, Geneve with options; outer
 * IPv4/IPv6, VLAN tags outside and inside), the guarded filter of a field of one frame must select
 * exactly the frames whose decoder-reported field, in the same encapsulation shape, has the same value.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import { encodePcap } from '../../src/capture/pcap-writer.js';
import { buildPacket } from '../../src/packet/build/index.js';
import { LayerKind, PacketDecoder, fieldsOfLayers } from '../../src/packet/index.js';
import type { PacketField } from '../../src/packet/index.js';
import { deriveStockExpression } from '../../src/tunnel/index.js';
import type { StockExpressionDerivation } from '../../src/tunnel/index.js';
import { libpcapAvailable, libpcapCompile, libpcapRun } from '../support/libpcap.js';
import { describeWithOracle, hasCommand } from '../support/oracle.js';
import { tcpdumpSelect } from './support/tcpdump.js';
import { arbitraryTunnelFrame, tunnelShapes } from './support/tunnel-frames.js';

const seed = Number(process.env.TUNNEL_SEED ?? Math.floor(Math.random() * 2 ** 31));
const FRAMES_PER_SHAPE = 8;

/** One frame of the pool, decoded once: fields by `layer:name@offset`, and the shape key of each layer prefix. */
interface PoolFrame { data: Uint8Array; fields: Map<string, PacketField>; fieldList: PacketField[]; kinds: number[]; offsets: number[]; headerLengths: number[]; introducedBy: number[]; greFlags: number[]; networkIndex: number }

const decoder = new PacketDecoder();
function decodeFrame(data: Uint8Array): PoolFrame {
  const layers = decoder.decode(data, 1);
  const fields = new Map<string, PacketField>();
  const fieldList = fieldsOfLayers(layers);
  for (const field of fieldList) fields.set(`${field.layerIndex}:${field.name}@${field.offset}`, field);
  const kinds: number[] = [];
  const offsets: number[] = [];
  const headerLengths: number[] = [];
  const introducedBy: number[] = [];
  const greFlags: number[] = [];
  let networkIndex = -1;
  for (let i = 0; i < layers.count; i++) {
    kinds.push(layers.kinds[i]!);
    offsets.push(layers.offsets[i]!);
    headerLengths.push(layers.headerLengths[i]!);
    introducedBy.push(layers.introducedBy[i]!);
    greFlags.push(layers.kinds[i] === LayerKind.gre ? ((data[offsets[i]!]! << 8) | data[offsets[i]! + 1]!) & 0xf007 : -1);
    if (networkIndex < 0 && (layers.kinds[i] === LayerKind.ipv4 || layers.kinds[i] === LayerKind.ipv6)) networkIndex = i;
  }
  return { data, fields, fieldList, kinds, offsets, headerLengths, introducedBy, greFlags, networkIndex };
}

/** Bytes of each header that are fixed (RFC 791, RFC 9293, RFC 2784, RFC 8926, RFC 8200); fields beyond sit where earlier bytes put them. */
const fixedHeaderBytes = new Map<number, number>([[LayerKind.ipv4, 20], [LayerKind.tcp, 20], [LayerKind.gre, 4], [LayerKind.geneve, 8], [LayerKind.ipv6Extension, 2]]);

/** The names and offsets of a frame's fields in layer `index` up to absolute offset `upTo`. */
function fieldPrefix(frame: PoolFrame, index: number, upTo: number): string {
  return frame.fieldList.filter((f) => f.layerIndex === index && f.offset <= upTo).map((f) => `${f.name}@${f.offset}`).join(',');
}

/**
 * The test's own notion of "same encapsulation shape" for a field: same layer types at the same offsets
 * up to the field's layer; beyond the outer network layer (from the link layer when the field is before
 * it) the same type numbers introducing each layer and the same GRE flag bits (C, R, K, S, version) on
 * the way; and for a field in the variable part of its header, the same header length and the same
 * fields before it in that header (GRE: the same C, R, K, S bits).
 */
function sameShape(a: PoolFrame, b: PoolFrame, field: PacketField): boolean {
  const last = field.layerIndex;
  if (b.kinds.length <= last) return false;
  const pinnedFrom = last < a.networkIndex ? 0 : a.networkIndex;
  for (let i = 0; i <= last; i++) {
    if (a.kinds[i] !== b.kinds[i] || a.offsets[i] !== b.offsets[i]) return false;
    if (i > pinnedFrom && a.introducedBy[i] !== b.introducedBy[i]) return false;
    if (i >= pinnedFrom && i < last && a.greFlags[i] !== b.greFlags[i]) return false;
  }
  const fixed = fixedHeaderBytes.get(a.kinds[last]!);
  if (fixed !== undefined && field.offset - a.offsets[last]! >= fixed) {
    if (a.headerLengths[last] !== b.headerLengths[last] || fieldPrefix(a, last, field.offset) !== fieldPrefix(b, last, field.offset)) return false;
    if (a.kinds[last] === LayerKind.gre && (a.greFlags[last]! & 0xf000) !== (b.greFlags[last]! & 0xf000)) return false;
  }
  return true;
}

interface Target { frame: number; derivation: StockExpressionDerivation; field: PacketField }

const shapes = tunnelShapes();
const pool: PoolFrame[] = [];
const targets: Target[] = [];
shapes.forEach((shape, k) => {
  const [stacks, picks] = fc.sample(fc.tuple(
    fc.array(arbitraryTunnelFrame(shape), { minLength: FRAMES_PER_SHAPE, maxLength: FRAMES_PER_SHAPE }),
    fc.array(fc.tuple(fc.nat(FRAMES_PER_SHAPE - 1), fc.nat(), fc.boolean()), { minLength: 3, maxLength: 3 }),
  ), { seed: seed + k, numRuns: 1 })[0]!;
  const first = pool.length;
  for (const stack of stacks) pool.push(decodeFrame(buildPacket(stack)));
  // The innermost destination address of one frame, then two random fields (mostly beyond the tunnel header).
  const chosen: { frame: number; field: PacketField }[] = [];
  const innermost = [...pool[first]!.fields.values()].filter((f) => f.name === 'ipv4.destination' || f.name === 'ipv6.destination').pop()!;
  chosen.push({ frame: first, field: innermost });
  for (const [frameOffset, pick, deep] of picks) {
    const frame = pool[first + frameOffset]!;
    const tunnelIndex = frame.kinds.findIndex((kind) => kind === LayerKind.gre || kind === LayerKind.vxlan || kind === LayerKind.geneve);
    const candidates = [...frame.fields.values()].filter((f) => f.layer !== 'payload' && (!deep || f.layerIndex >= tunnelIndex));
    chosen.push({ frame: first + frameOffset, field: candidates[pick % candidates.length]! });
  }
  for (const { frame, field } of chosen) {
    const derivation = deriveStockExpression(pool[frame]!.data, 1, { name: field.name, layerIndex: field.layerIndex, occurrence: [...pool[frame]!.fields.values()].filter((f) => f.name === field.name && f.layerIndex === field.layerIndex).indexOf(field) });
    targets.push({ frame, derivation, field });
  }
});

/** The frames whose decoder reports the target's field, in the same shape, with the same value. */
function expectedFrames(target: Target): number[] {
  const origin = pool[target.frame]!;
  const key = `${target.field.layerIndex}:${target.field.name}@${target.field.offset}`;
  const out: number[] = [];
  pool.forEach((frame, index) => {
    const field = frame.fields.get(key);
    if (field !== undefined && field.value === target.field.value && sameShape(origin, frame, target.field)) out.push(index);
  });
  return out;
}

const directory = mkdtempSync(join(tmpdir(), 'pktfilter-tunnel-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describeWithOracle('derived stock expressions against libpcap', libpcapAvailable(), 'gcc and libpcap-dev', () => {
  it(`covers every encapsulation shape (seed ${seed}; rerun with TUNNEL_SEED=${seed})`, () => {
    const seen = new Set(targets.map((t) => t.derivation.shape.replace(/@\d+/g, '').replace(/\(\d+\)/g, '')));
    const greFlags = new Set(targets.filter((t) => t.derivation.prerequisites.includes('proto gre') && t.derivation.shape.includes(']')).map((t) => /gre(?:\(\d+\))?\[0x([0-9a-f]+)\]/.exec(t.derivation.shape)?.[1]));
    expect(greFlags.size).toBe(8);
    expect(targets.some((t) => t.derivation.prerequisites.includes('udp port 4789'))).toBe(true);
    expect(targets.some((t) => t.derivation.prerequisites.includes('udp port 6081') && t.derivation.guards.includes('not udp port 4789'))).toBe(true);
    expect(targets.some((t) => t.derivation.accessor === 'ip6' && t.derivation.assumptions.some((a) => a.layer === 'ipv6Extension'))).toBe(true);
    expect(targets.some((t) => t.derivation.accessor === 'udp' && t.derivation.assumptions.some((a) => a.layer === 'vlan' && !a.checkedByFilter))).toBe(true);
    expect(seen.size).toBeGreaterThan(40);
  });

  it(`guarded filters select exactly the frames with the same shape and value; plain filters match their own frame (${targets.length} fields, ${pool.length} frames, seed ${seed})`, () => {
    const expressions = targets.flatMap((t) => [t.derivation.guardedFilter, t.derivation.filter]);
    const compiled = libpcapCompile(expressions, { linkType: 1 });
    compiled.forEach((result, i) => {
      if (!result.ok) throw new Error(`libpcap refuses '${expressions[i]}': ${result.error}`);
    });
    const programs = compiled.map((result) => (result.ok ? result.program : []));
    const verdicts = libpcapRun(programs, pool.map((f) => ({ data: f.data })));
    const failures: string[] = [];
    targets.forEach((target, t) => {
      const selected = verdicts[2 * t]!.flatMap((v, i) => (v !== 0 ? [i] : []));
      const expected = expectedFrames(target);
      if (selected.join() !== expected.join()) {
        const extra = selected.filter((i) => !expected.includes(i));
        const missing = expected.filter((i) => !selected.includes(i));
        failures.push(`${target.derivation.field}@${target.derivation.layerIndex} of frame ${target.frame} (${target.derivation.shape}): extra ${extra.join(',')} missing ${missing.join(',')}\n  ${target.derivation.guardedFilter}`);
      }
      if (verdicts[2 * t + 1]![target.frame] === 0) failures.push(`plain filter misses its own frame ${target.frame}: ${target.derivation.filter}`);
      if (!expected.includes(target.frame)) failures.push(`frame ${target.frame} is not in its own expected set`);
    });
    expect(failures.slice(0, 10)).toEqual([]);
    // The property is not vacuous: some targets share their value and shape with other frames, and many frames are told apart.
    expect(targets.filter((t) => expectedFrames(t).length > 1).length).toBeGreaterThan(targets.length / 10);
  });

  describeWithOracle('and the same filters run by real tcpdump -r', hasCommand('tcpdump', ['--version']), 'tcpdump', () => {
    it('tcpdump selects what libpcap selects for a sample of derived filters', () => {
      const file = join(directory, 'pool.pcap');
      writeFileSync(file, encodePcap(pool.map((f, i) => ({ data: f.data, wireLength: f.data.length, timestampNs: BigInt(i + 1) * 1000n })), { linkType: 1 }));
      const sample = targets.filter((_, i) => i % Math.ceil(targets.length / 12) === 0);
      for (const target of sample) {
        expect(tcpdumpSelect(file, target.derivation.guardedFilter), target.derivation.guardedFilter).toEqual(expectedFrames(target));
      }
    });
  });
});

