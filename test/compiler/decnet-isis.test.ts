/**
 * `decnet host` and the IS-IS / OSI primitives: verdicts against a model of the header layouts and against
 * libpcap 1.10.3 (pcap_compile + bpf_filter), DECnet address parsing against libpcap's programs, and the
 * aimed harness packets actually reaching both outcomes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createInterpreter } from '../../src/bpf/interpreter.js';
import { LinkType } from '../../src/capture/linktype.js';
import { compileFilter } from '../../src/compiler/index.js';
import { parseDecnetAddress } from '../../src/compiler/gen-decnet.js';
import { buildPacket } from '../../src/packet/build/index.js';
import { libpcapAvailable, libpcapCompile, libpcapRun } from '../support/libpcap.js';
import { describeWithOracle } from '../support/oracle.js';
import { decnetIsisPackets, decnetRoutingHeader, isisHeader } from './support/decnet-isis-packets.js';

const ours = (expression: string, packet: Uint8Array, linkType = LinkType.EN10MB): boolean =>
  createInterpreter(compileFilter(expression, { linkType }))(packet, packet.length, packet.length) !== 0;

const ethernet = (etherType: number, payload: Uint8Array): Uint8Array =>
  buildPacket([{ type: 'ethernet', destination: '02:00:00:00:00:01', source: '02:00:00:00:00:02', etherType }, { type: 'payload', data: payload }]);

/** The ISO 10589 PDU types, written out from the standard (not from the compiler's table). */
const PDU = { l1Iih: 15, l2Iih: 16, p2pIih: 17, l1Lsp: 18, l2Lsp: 20, l1Csnp: 24, l2Csnp: 25, l1Psnp: 26, l2Psnp: 27 };
const keywordTypes: Record<string, number[]> = {
  l1: [PDU.l1Iih, PDU.p2pIih, PDU.l1Lsp, PDU.l1Csnp, PDU.l1Psnp],
  l2: [PDU.l2Iih, PDU.p2pIih, PDU.l2Lsp, PDU.l2Csnp, PDU.l2Psnp],
  iih: [PDU.l1Iih, PDU.l2Iih, PDU.p2pIih],
  lsp: [PDU.l1Lsp, PDU.l2Lsp],
  snp: [PDU.l1Csnp, PDU.l2Csnp, PDU.l1Psnp, PDU.l2Psnp],
  csnp: [PDU.l1Csnp, PDU.l2Csnp],
  psnp: [PDU.l1Psnp, PDU.l2Psnp],
};

describe('DECnet addresses', () => {
  it('parses AREA.NODE as area << 10 | node, masking each part as libpcap does', () => {
    expect(parseDecnetAddress('1.2')).toBe(0x0402);
    expect(parseDecnetAddress('63.1023')).toBe(0xffff);
    expect(parseDecnetAddress('64.1')).toBe(0x0001);
    expect(parseDecnetAddress('1.1024')).toBe(0x0400);
    expect(parseDecnetAddress('1.0x2')).toBe(0x0400);
    expect(parseDecnetAddress('x.2')).toBeUndefined();
    fc.assert(fc.property(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: 1023 }), (area, node) => {
      expect(parseDecnetAddress(`${area}.${node}`)).toBe(area * 1024 + node);
    }), { numRuns: 200 });
  });

  it('finds the source and destination in short and long data packets, with and without the pad byte', () => {
    const address = fc.integer({ min: 0, max: 0xffff });
    fc.assert(fc.property(address, address, address, fc.boolean(), fc.constantFrom(0, 1), (destination, source, wanted, long, padding) => {
      const frame = ethernet(0x6003, decnetRoutingHeader(destination, source, long, padding));
      const area = wanted >>> 10;
      const node = wanted & 0x3ff;
      expect(ours(`decnet src ${area}.${node}`, frame)).toBe(source === wanted);
      expect(ours(`decnet dst ${area}.${node}`, frame)).toBe(destination === wanted);
      expect(ours(`decnet host ${area}.${node}`, frame)).toBe(source === wanted || destination === wanted);
      expect(ours(`decnet src and dst ${area}.${node}`, frame)).toBe(source === wanted && destination === wanted);
      // Another EtherType never matches.
      expect(ours(`decnet host ${area}.${node}`, ethernet(0x0800, decnetRoutingHeader(destination, source, long, padding)))).toBe(false);
    }), { numRuns: 150 });
  });
});

describe('IS-IS PDU keywords', () => {
  it('match exactly the ISO 10589 PDU types each names, only with NLPID 0x83 in an ISO LLC frame', () => {
    const llcFrame = (pduType: number, nlpid: number): Uint8Array => buildPacket([
      { type: 'ethernet', destination: '01:80:c2:00:00:14', source: '02:00:00:00:00:02', etherType: 0 },
      { type: 'llc', dsap: 0xfe, ssap: 0xfe, control: 0x03 }, { type: 'payload', data: isisHeader(pduType, nlpid) },
    ]);
    fc.assert(fc.property(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x83, 0x83, 0x81, 0x82), fc.constantFrom(...Object.keys(keywordTypes)), (pduType, nlpid, keyword) => {
      const frame = llcFrame(pduType, nlpid);
      expect(ours(keyword, frame)).toBe(nlpid === 0x83 && keywordTypes[keyword]!.includes(pduType));
      expect(ours(`isis proto ${pduType}`, frame)).toBe(nlpid === 0x83);
      expect(ours(`iso proto ${nlpid}`, frame)).toBe(true);
    }), { numRuns: 150 });
  });
});

describeWithOracle('DECnet and IS-IS against libpcap 1.10.3', libpcapAvailable(), 'gcc and libpcap-dev', () => {
  it('compiles decnet addresses to the same programs as libpcap, whatever the parts', () => {
    const part = fc.oneof(fc.integer({ min: 0, max: 1100 }), fc.integer({ min: 0, max: 0xffffffff }), fc.constantFrom(63, 64, 1023, 1024, 65535));
    const texts = fc.sample(fc.tuple(part, part, fc.constantFrom('src', 'dst', 'host')), { numRuns: 120, seed: 7 })
      .map(([area, node, dir]) => `decnet ${dir} ${area}.${node}`);
    const theirs = libpcapCompile(texts, { linkType: LinkType.EN10MB });
    texts.forEach((text, i) => {
      const result = theirs[i]!;
      expect(result.ok, `${text}: ${result.ok ? '' : result.error}`).toBe(true);
      // The same instructions and constants (libpcap may lay the two `ret`s out the other way round).
      const shape = (program: readonly { code: number; k: number }[]): string[] => program.map((i) => `${i.code}:${i.k}`).sort();
      if (result.ok) expect(shape(compileFilter(text, { linkType: LinkType.EN10MB })), text).toEqual(shape(result.program));
    });
  });

  for (const linkType of [LinkType.EN10MB, LinkType.LINUX_SLL, LinkType.LINUX_SLL2]) {
    it(`gives libpcap's verdicts on the aimed packets, each primitive matching some and missing some (link type ${linkType})`, () => {
      const packets = decnetIsisPackets(linkType);
      const expressions = ['decnet src 1.2', 'decnet dst 1.2', 'decnet host 63.1023', 'decnet host 1.1024', 'decnet src and dst 1.2',
        'l1', 'l2', 'iih', 'lsp', 'snp', 'csnp', 'psnp', 'isis proto 18', 'iso proto \\clnp', 'iso proto \\esis',
        ...(linkType === LinkType.EN10MB ? ['vlan and decnet src 1.2', 'pppoes and decnet dst 1.2', 'vlan and l1'] : [])];
      const compiled = libpcapCompile(expressions, { linkType });
      const programs = compiled.map((r, i) => { if (!r.ok) throw new Error(`${expressions[i]}: ${r.error}`); return r.program; });
      const verdicts = libpcapRun(programs, packets, linkType);
      expressions.forEach((expression, i) => {
        const run = createInterpreter(compileFilter(expression, { linkType }));
        const mine = packets.map((p) => run(p.data, p.data.length, p.wireLength) !== 0);
        const theirs = verdicts[i]!.map((v) => v !== 0);
        expect(mine, expression).toEqual(theirs);
        // SLL's ISO frames put the NLPID where libpcap does not look (it reads the LLC byte): no IS-IS match there.
        const reachable = !(linkType === LinkType.LINUX_SLL && !expression.startsWith('decnet'));
        if (reachable) expect(theirs.some(Boolean), `${expression} matches some aimed packet`).toBe(true);
        expect(theirs.some((v) => !v), `${expression} misses some aimed packet`).toBe(true);
      });
    });
  }
});
