/**
 * The direct engine's optimizations, checked on their own: range inference gives the furthest byte of
 * the protocol layouts, loads shared between tests are found, dead register assignments go, and jump
 * threading never tests the same field twice on one path where an earlier test decided it.
 */
import { describe, expect, it } from 'vitest';
import { LinkType } from '../../src/capture/linktype.js';
import {
  DirectUnsupportedError, buildDirectGraph, compileDirectFilter, directGraphOrder, directTests, directValueKey, generateDirectSources, lowerDirectFilter,
  optimizeDirect, prepareDirectFilter, threadDirectGraph,
} from '../../src/direct/index.js';
import { createInterpreter } from '../../src/bpf/index.js';
import { CompileError, compileFilter } from '../../src/compiler/index.js';
import { buildPacket } from '../../src/packet/build/index.js';
import { loadCompilerCorpus } from '../compiler/support/corpus.js';
import type { DirectGraphNode, DirectNode } from '../../src/direct/index.js';

/** Every root-to-leaf path of a graph, as lists of nodes. */
function paths(root: DirectGraphNode, limit = 10_000): DirectNode[][] {
  const found: DirectNode[][] = [];
  const walk = (node: DirectGraphNode, path: DirectNode[]): void => {
    if (found.length >= limit) return;
    if (node.kind === 'leaf') { found.push(path); return; }
    walk(node.whenTrue, [...path, node]);
    if (node.whenFalse !== node.whenTrue) walk(node.whenFalse, [...path, node]);
  };
  walk(root, []);
  return found;
}

const etherTypeTests = (path: DirectNode[]): number =>
  path.filter((n) => n.test.compare && directValueKey(n.test.compare.left) === '[12:2]' && n.test.compare.right.kind === 'const' && n.test.compare.right.value === 0x86dd).length;

describe('direct optimizer', () => {
  it('infers the furthest byte of port tests from the IPv4 and IPv6 layouts', () => {
    // Ethernet (14) + IPv6 (40) + destination port (2 bytes at 2) = 58; Ethernet + the longest IPv4 header
    // (IHL 15: 60 bytes) + destination port = 78.
    const ether = prepareDirectFilter('tcp port 80', { linkType: LinkType.EN10MB }).analysis;
    expect(ether.constantEnd).toBe(58);
    expect(ether.allEnd).toBe(78);
    // Raw IP has no link header: 44 and 64.
    const raw = prepareDirectFilter('tcp port 80', { linkType: LinkType.RAW }).analysis;
    expect(raw.constantEnd).toBe(44);
    expect(raw.allEnd).toBe(64);
    // `ip` reads the EtherType only; `len` reads nothing.
    expect(prepareDirectFilter('ip').analysis).toMatchObject({ constantEnd: 14, allEnd: 14, readsWireLength: false });
    expect(prepareDirectFilter('len > 100').analysis).toMatchObject({ constantEnd: 0, allEnd: 0, readsWireLength: true });
    // A read at an offset computed from a 32-bit load is unbounded.
    expect(prepareDirectFilter('ether[ether[0:4]] = 1').analysis.allEnd).toBe(Infinity);
  });

  it('bounds the offsets a tunnel computes, following the tests in order, and keeps the -O0 verdicts at every cut', () => {
    // `gre` stores the inner headers' start in X and scratch words, and later tests move it (`x = x + 14`
    // after an Ethernet payload): in evaluation order every read stays bounded, so the furthest byte is known.
    const { analysis } = prepareDirectFilter('gre and ip host 10.5.5.5', { linkType: LinkType.EN10MB });
    expect(Number.isFinite(analysis.allEnd)).toBe(true);
    // The furthest-reaching frame: IPv4 carrier with 40 bytes of options, GRE with checksum, key and
    // sequence number (16 bytes), Ethernet inside, inner IPv4 to 10.5.5.5 (its destination ends 124 bytes in).
    const frame = buildPacket([
      { type: 'ethernet' }, { type: 'ipv4', options: new Uint8Array(40) },
      { type: 'gre', checksumPresent: true, keyPresent: true, sequencePresent: true, key: 1, sequenceNumber: 2 },
      { type: 'ethernet' }, { type: 'ipv4', destination: '10.5.5.5' }, { type: 'payload', data: new Uint8Array(8) },
    ]);
    expect(analysis.allEnd).toBeGreaterThanOrEqual(14 + 60 + 16 + 14 + 20);
    const reference = createInterpreter(compileFilter('gre and ip host 10.5.5.5', { linkType: LinkType.EN10MB, optimize: false }));
    const direct = compileDirectFilter('gre and ip host 10.5.5.5', { linkType: LinkType.EN10MB });
    const offsets = Uint32Array.from({ length: frame.length + 1 }, () => 0);
    const caps = Uint32Array.from({ length: frame.length + 1 }, (_, n) => n);
    const expected = Array.from(caps, (cut) => reference(frame, cut, frame.length, 0));
    expect(expected[frame.length]).not.toBe(0);
    expect(Array.from(caps, (cut) => direct.match(frame, cut, frame.length, 0))).toEqual(expected);
    // In a buffer with room past the furthest read, so that the batch's grouped path (which trusts the bound) runs.
    const buffer = new Uint8Array(analysis.allEnd + 64);
    buffer.set(frame);
    expect(generateDirectSources('gre and ip host 10.5.5.5', { linkType: LinkType.EN10MB }).batch).toContain(`size - ${analysis.allEnd}`);
    const matches = new Uint32Array(caps.length);
    const count = direct.batch(buffer, offsets, caps, new Uint32Array(caps.length).fill(frame.length), caps.length, matches);
    expect(Array.from(matches.subarray(0, count))).toEqual(expected.flatMap((verdict, cut) => (verdict !== 0 ? [cut] : [])));
  });

  it('shares the EtherType read between the IPv6 and IPv4 halves of a port test', () => {
    expect([...prepareDirectFilter('tcp port 80').analysis.sharedLoads]).toContain('[12:2]');
    expect(prepareDirectFilter('ip').analysis.sharedLoads.size).toBe(0);
  });

  it('drops register assignments no later test reads', () => {
    const lowered = lowerDirectFilter('gre and ip host 10.5.5.5').root;
    const optimized = optimizeDirect(lowered);
    const assigning = (root: typeof lowered): number => directTests(root).filter((t) => t.assigns.length > 0).length;
    expect(assigning(lowered)).toBeGreaterThan(assigning(optimized));
    // The tunnel's offsets still cross from test to test.
    expect(assigning(optimized)).toBeGreaterThan(0);
    // Without tunnels nothing crosses: no assignment is left.
    expect(assigning(optimizeDirect(lowerDirectFilter('tcp port 80 and host 10.1.2.3').root))).toBe(0);
  });

  it('threads jumps so that no path tests the EtherType for IPv6 twice', () => {
    const root = prepareDirectFilter('udp port 53 or udp port 67 or udp port 68').program.root;
    const graph = buildDirectGraph(root);
    const threaded = threadDirectGraph(graph);
    expect(Math.max(...paths(graph).map(etherTypeTests))).toBe(3);
    expect(Math.max(...paths(threaded).map(etherTypeTests))).toBe(1);
    expect(directGraphOrder(threaded).length).toBeLessThan(directGraphOrder(graph).length);
    // The input graph is left as built.
    expect(Math.max(...paths(graph).map(etherTypeTests))).toBe(3);
  });

  it('drops checks that earlier checks on every path imply', () => {
    const graph = threadDirectGraph(buildDirectGraph(prepareDirectFilter('ip and ip[9] = 6 and ip[8] > 1').program.root));
    const checks = directGraphOrder(graph).map((n) => n.test.checks.length);
    // ip[9] (byte 23) is checked; ip[8] (byte 22) is then covered.
    expect(checks).toEqual([1, 1, 0]);
  });

  it('replaces every test from which no accepting leaf is reachable by a reject', () => {
    // -O0 evaluates `proto gre` for IPv6 too, though `ip[54:4]` then rejects every IPv6 packet: no IPv6 test is left.
    const graph = threadDirectGraph(buildDirectGraph(prepareDirectFilter('proto gre and (ip[54:4] = 0x0a050505 or ip[58:4] = 0x0a050505)').program.root));
    expect(directGraphOrder(graph).filter((n) => n.test.compare?.right.kind === 'const' && n.test.compare.right.value === 0x86dd)).toEqual([]);
    // Over the corpus: from every node left, some path reaches the accepting leaf.
    const expressions = [...new Set(loadCompilerCorpus().map((e) => e.expression))];
    let graphs = 0;
    for (const expression of expressions) {
      let root;
      try { root = prepareDirectFilter(expression, { linkType: LinkType.EN10MB }).program.root; } catch (error) {
        if (error instanceof CompileError || error instanceof DirectUnsupportedError) continue;
        throw error;
      }
      const threaded = threadDirectGraph(buildDirectGraph(root));
      const nodes = directGraphOrder(threaded);
      if (nodes.length > 400) continue;
      const accepting = new Set<DirectNode>();
      for (const node of [...nodes].reverse()) {
        const reaches = (n: DirectGraphNode): boolean => (n.kind === 'leaf' ? n.accept : accepting.has(n));
        if (reaches(node.whenTrue) || reaches(node.whenFalse)) accepting.add(node);
      }
      expect(nodes.filter((n) => !accepting.has(n)).length, expression).toBe(0);
      graphs++;
    }
    expect(graphs).toBeGreaterThan(500);
  });

  it('reads a packet field a test uses more than once into one temporary', () => {
    // The GRE flags byte decides the length of three optional fields: one read per version and record.
    const { single } = generateDirectSources('gre and ip host 10.5.5.5');
    for (const line of single.split('\n')) {
      const reads = line.match(/p\[o \+ [a-z]\w* \+ \d+\]/g) ?? [];
      expect(new Set(reads).size, line).toBe(reads.length);
    }
    expect(single).toMatch(/u\d+ = p\[o \+ a \+ 0\];/);
  });
});
