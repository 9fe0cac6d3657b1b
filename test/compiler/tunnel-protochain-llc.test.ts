/**
 * `protochain`, `llc` and the 802.2 LLC protocols after `gre` and `vxlan` (our extensions): for inner
 * Ethernet frames (IPv6 extension chains, AH, 802.3/LLC frames, arbitrary frames) wrapped once or twice,
 * `T and (E)` must give libpcap's verdict of `E` on the bare inner frame. protochain's loop then starts at
 * the run-time network offset; after `geneve` it is refused with libpcap 1.10's own message.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { BpfStepBudgetError, compileToJs, createInterpreter } from '../../src/bpf/index.js';
import { LinkType } from '../../src/capture/linktype.js';
import { CompileError, compileFilter } from '../../src/compiler/index.js';
import { arbitraryPacket } from '../../src/packet/arbitrary/index.js';
import { buildPacket, type BuildLayerSpec } from '../../src/packet/build/index.js';
import { libpcapAvailable, libpcapCompile, libpcapRun } from '../support/libpcap.js';
import { describeWithOracle } from '../support/oracle.js';
import { loadCompilerCorpus } from './support/corpus.js';
import { aimedEthernetStacks } from './support/packets.js';

/** protochain and LLC expressions of the corpus (about the inner frame; geneve lines are libpcap's own business). */
const corpus = loadCompilerCorpus().map((e) => e.expression)
  .filter((e) => /\b(protochain|llc|stp|iso|ipx|netbeui|clnp|esis|isis|l1|l2|iih|lsp|snp|csnp|psnp|atalk|aarp)\b/.test(e))
  .filter((e) => !/\b(geneve|vxlan|gre|len|less|greater|inbound|outbound|ifindex)\b/.test(e));

type Tunnel = 'gre' | 'vxlan';

/** One tunnel over IPv4 or IPv6 carrying Ethernet; `variant` picks the IP version and the GRE C/K/S bits. */
function tunnelLayers(tunnel: Tunnel, variant: number): BuildLayerSpec[] {
  const ip: BuildLayerSpec = variant % 2 === 0 ? { type: 'ipv4', source: '172.16.8.3', destination: '167.99.219.77' } : { type: 'ipv6', source: '2001:db8::1', destination: '2001:db8::2' };
  const bits = (variant >> 1) & 7;
  if (tunnel === 'vxlan') return [ip, { type: 'udp', sourcePort: 50000, destinationPort: 4789 }, { type: 'vxlan', vni: 7 }];
  return [ip, { type: 'gre', protocolType: 0x6558, checksumPresent: (bits & 4) !== 0, keyPresent: (bits & 2) !== 0, sequencePresent: (bits & 1) !== 0, ...((bits & 2) !== 0 ? { key: 42 } : {}), ...((bits & 1) !== 0 ? { sequenceNumber: 9 } : {}) }];
}

const ethernet = (n: number): BuildLayerSpec => ({ type: 'ethernet', source: `02:00:00:00:00:0${n}`, destination: '02:00:00:00:00:0f' });

/** `inner` inside Ethernet / T1 [/ Ethernet / T2]. */
function wrap(inner: Uint8Array, tunnels: readonly Tunnel[], variant: number): Uint8Array {
  const layers: BuildLayerSpec[] = [ethernet(1)];
  tunnels.forEach((tunnel, depth) => {
    if (depth > 0) layers.push(ethernet(2));
    layers.push(...tunnelLayers(tunnel, variant >> depth));
  });
  return buildPacket([...layers, { type: 'payload', data: inner }]);
}

/** 802.2 frames: an 802.3 length field, then DSAP/SSAP/control (I, S and U formats) and a few bytes. */
function llcFrames(): Uint8Array[] {
  const frame = (...llc: number[]): Uint8Array => {
    const body = new Uint8Array([...llc, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const header = new Uint8Array(14);
    header.set([0x01, 0x80, 0xc2, 0, 0, 0, 0x02, 0, 0, 0, 0, 0x09]);
    header[12] = body.length >> 8;
    header[13] = body.length & 0xff;
    const out = new Uint8Array(14 + body.length);
    out.set(header);
    out.set(body, 14);
    return out;
  };
  return [
    frame(0x42, 0x42, 0x03), frame(0xfe, 0xfe, 0x03, 0x81), frame(0xfe, 0xfe, 0x03, 0x82), frame(0xfe, 0xfe, 0x03, 0x83, 0x1b, 1, 0, 0x12),
    frame(0xfe, 0xfe, 0x03, 0x83, 0x1b, 1, 0, 0x1a), frame(0xfe, 0xfe, 0x03, 0x83, 0x1b, 1, 0, 0x0f), frame(0xe0, 0xe0, 0x03), frame(0xff, 0xff),
    frame(0xf0, 0xf0, 0x00), frame(0xf0, 0xf0, 0x01), frame(0xf0, 0xf0, 0x09), frame(0xaa, 0xaa, 0x03, 0x08, 0x00, 0x07, 0x80, 0x9b),
    frame(0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x80, 0xf3), frame(0x06, 0x06, 0xaf),
  ];
}

describeWithOracle('protochain and LLC after gre/vxlan (inner verdicts against libpcap on the bare frames)', libpcapAvailable(), 'gcc and libpcap-dev', () => {
  const sampled = fc.sample(arbitraryPacket({ linkType: LinkType.EN10MB, mutations: ['none'] }), { numRuns: 60, seed: 5151 }).map((p) => p.data);
  const allInners = [...sampled, ...aimedEthernetStacks().map((stack) => buildPacket(stack)), ...llcFrames()];
  const theirs = libpcapCompile(corpus, { linkType: LinkType.EN10MB });
  const compared = corpus.filter((_, i) => theirs[i]!.ok);
  const programs = theirs.flatMap((r) => (r.ok ? [r.program] : []));
  // Leave out inner frames on which libpcap's protochain never ends (its AH step can point back at itself).
  const inners = allInners.filter((inner) => programs.every((program) => {
    try { createInterpreter(program, { backwardJumpBudget: 10_000 })(inner, inner.length, inner.length); return true; } catch (error) { if (error instanceof BpfStepBudgetError) return false; throw error; }
  }));
  const bare = libpcapRun(programs, inners.map((data) => ({ data })));

  it('has protochain, llc and LLC protocol expressions to compare, and inner frames that reach them', () => {
    for (const expression of ['protochain 6', 'ip6 protochain 17', 'ip protochain 51', 'llc', 'stp', 'iso', 'ipx', 'netbeui', 'l1']) expect(compared, expression).toContain(expression);
    expect(inners.length).toBeGreaterThan(allInners.length - 10);
  });

  for (const tunnels of [['gre'], ['vxlan'], ['gre', 'vxlan'], ['vxlan', 'gre'], ['gre', 'gre']] as Tunnel[][]) {
    const prefix = tunnels.join(' and ');
    it(`${prefix} and (E) gives libpcap's E on the inner frame`, () => {
      const mismatches: string[] = [];
      let accepted = 0;
      compared.forEach((expression, i) => {
        const text = `${prefix} and (${expression})`;
        const program = compileFilter(text);
        const js = compileToJs(program, { backwardJumpBudget: 100_000 });
        const interpreter = createInterpreter(program, { backwardJumpBudget: 100_000 });
        inners.forEach((inner, p) => {
          const expected = bare[i]![p]! !== 0;
          if (expected) accepted++;
          const packet = wrap(inner, tunnels, p + i);
          for (const [engine, run] of [['js', js], ['interpreter', interpreter]] as const) {
            if ((run(packet, packet.length, packet.length) !== 0) !== expected && mismatches.length < 10) mismatches.push(`${engine}: ${text} on inner #${p}: libpcap on the bare frame says ${expected}`);
          }
        });
      });
      expect(mismatches).toEqual([]);
      expect(accepted).toBeGreaterThan(100);
    });
  }

  it('runs protochain after gre in libpcap\'s own bpf_filter too (the loop reads through the scratch word)', () => {
    const expressions = ['gre and protochain 6', 'vxlan and ip6 protochain 17', 'gre and vxlan and ip protochain 6'];
    const programs = expressions.map((e) => compileFilter(e));
    const frames = inners.slice(0, 80);
    const wrapped = [['gre'], ['vxlan'], ['gre', 'vxlan']].map((tunnels) => frames.map((inner, p) => wrap(inner, tunnels as Tunnel[], p)));
    const bareChains = libpcapRun(libpcapCompile(['protochain 6', 'ip6 protochain 17', 'ip protochain 6'], { linkType: LinkType.EN10MB }).map((r) => (r.ok ? r.program : [])), frames.map((data) => ({ data })));
    let accepted = 0;
    expressions.forEach((expression, i) => {
      const verdicts = libpcapRun([programs[i]!], wrapped[i]!.map((data) => ({ data })))[0]!;
      frames.forEach((_, p) => {
        expect(verdicts[p]! !== 0, `${expression} on inner #${p}`).toBe(bareChains[i]![p]! !== 0);
        if (verdicts[p]) accepted++;
      });
    });
    expect(accepted).toBeGreaterThan(5);
  });

  it('geneve and (E) for LLC expressions gives libpcap\'s verdict on Geneve-wrapped 802.2 frames (on EN10MB and RAW outside)', () => {
    const llcExpressions = compared.filter((e) => !/protochain/.test(e));
    let accepted = 0;
    for (const linkType of [LinkType.EN10MB, LinkType.RAW]) {
      const texts = llcExpressions.map((e) => `geneve and (${e})`);
      const theirsGeneve = libpcapCompile(texts, { linkType: linkType === LinkType.RAW ? 12 : linkType });
      const packets = llcFrames().flatMap((inner, p) => [0x6558, 0x0800].map((protocolType) => buildPacket([
        ...(linkType === LinkType.EN10MB ? [ethernet(1)] : []),
        p % 2 === 0 ? { type: 'ipv4', source: '172.16.8.3', destination: '167.99.219.77' } : { type: 'ipv6', source: '2001:db8::1', destination: '2001:db8::2' },
        { type: 'udp', sourcePort: 50000, destinationPort: 6081 },
        { type: 'geneve', vni: 7, protocolType, options: p % 3 === 0 ? [{ optionClass: 0x0102, type: 0x80, data: new Uint8Array(4) }] : [] },
        { type: 'payload', data: protocolType === 0x6558 ? inner : inner.slice(14) },
      ] as BuildLayerSpec[])));
      const ours = texts.map((text) => compileFilter(text, { linkType }));
      const verdicts = libpcapRun([...theirsGeneve.map((r) => (r.ok ? r.program : [])), ...ours], packets.map((data) => ({ data })), linkType);
      texts.forEach((text, i) => {
        expect(theirsGeneve[i]!.ok, text).toBe(true);
        expect(verdicts[texts.length + i], text).toEqual(verdicts[i]);
        expect(ours[i]!.length, `${text}: program no longer than libpcap's`).toBeLessThanOrEqual((theirsGeneve[i] as { program: unknown[] }).program.length);
        accepted += verdicts[i]!.filter((v) => v !== 0).length;
      });
    }
    expect(accepted).toBeGreaterThan(20);
  });

  it('refuses protochain after geneve with libpcap\'s message, and still checks the qualifier first', () => {
    for (const expression of ['geneve and protochain 6', 'gre and geneve and ip6 protochain 6', 'geneve or ip protochain 17']) {
      if (!expression.includes('gre')) expect(libpcapCompile([expression], { linkType: LinkType.EN10MB })[0]).toEqual({ ok: false, error: "'protochain' not supported with variable length headers" });
      expect(() => compileFilter(expression), expression).toThrow("'protochain' not supported with variable length headers");
    }
    expect(() => compileFilter('protochain 6 and geneve')).not.toThrow();
  });
});
