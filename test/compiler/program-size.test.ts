/**
 * Program size against libpcap's optimizer (`tcpdump -d`, pcap_compile with optimize=1): over the whole
 * corpus and every link type, our optimized program is never longer than libpcap's; the totals and how
 * many are shorter are printed.
 */
import { expect, it } from 'vitest';
import { LinkType, linkTypeName } from '../../src/capture/linktype.js';
import { CompileError, compileFilter } from '../../src/compiler/index.js';
import { libpcapAvailable, libpcapCompile } from '../support/libpcap.js';
import { describeWithOracle } from '../support/oracle.js';
import { loadCompilerCorpus } from './support/corpus.js';

const LINK_TYPES = [LinkType.EN10MB, LinkType.RAW, LinkType.IPV4, LinkType.IPV6, LinkType.NULL, LinkType.LOOP, LinkType.LINUX_SLL, LinkType.LINUX_SLL2];

describeWithOracle('compiler program size vs libpcap -O', libpcapAvailable(), 'gcc and libpcap-dev', () => {
  const expressions = loadCompilerCorpus().map((e) => e.expression);
  let compared = 0;
  let shorter = 0;
  const shorterByLinkType = new Map<number, { here: number; shorter: number }>();

  for (const linkType of LINK_TYPES) {
    it(`is never longer than libpcap's on ${linkTypeName(linkType)}`, () => {
      const theirs = libpcapCompile(expressions, { linkType: linkType === LinkType.RAW ? 12 : linkType, optimize: true });
      const longer: { expression: string; ours: number; libpcap: number }[] = [];
      let ourTotal = 0;
      let theirTotal = 0;
      let here = 0;
      let hereShorter = 0;
      expressions.forEach((expression, i) => {
        const libpcap = theirs[i]!;
        if (!libpcap.ok) return;
        let ours: number;
        try {
          ours = compileFilter(expression, { linkType }).length;
        } catch (error) {
          if (error instanceof CompileError) return; // refusal parity is the differential harness's job
          throw error;
        }
        here++;
        ourTotal += ours;
        theirTotal += libpcap.program.length;
        if (ours > libpcap.program.length) longer.push({ expression, ours, libpcap: libpcap.program.length });
        if (ours < libpcap.program.length) hereShorter++;
      });
      compared += here;
      shorter += hereShorter;
      shorterByLinkType.set(linkType, { here, shorter: hereShorter });
      process.stderr.write(`${linkTypeName(linkType)}: ${here} programs, ours ${ourTotal} instructions, libpcap ${theirTotal}; shorter on ${hereShorter}, longer on ${longer.length}\n`);
      expect(here).toBeGreaterThan(200);
      expect(longer).toEqual([]);
      expect(ourTotal).toBeLessThanOrEqual(theirTotal);
    });
  }

  it('is shorter than libpcap on at least a quarter of the corpus programs, on Ethernet (what `tcpdump -d` shows) and over all link types', () => {
    expect(compared).toBeGreaterThan(0);
    const share = shorter / compared;
    const ethernet = shorterByLinkType.get(LinkType.EN10MB)!;
    const ethernetShare = ethernet.shorter / ethernet.here;
    process.stderr.write(`shorter than libpcap on ${shorter} of ${compared} programs (${(share * 100).toFixed(1)}%); on EN10MB ${ethernet.shorter} of ${ethernet.here} (${(ethernetShare * 100).toFixed(1)}%)\n`);
    // EN10MB gains most from sharing the IPv4 and IPv6 transport tests through X (optimize/indexed-tails.ts);
    // IPV4/IPV6 also from dropping libpcap's `ld #0; jeq #0` link tests, geneve and protochain from optimizing at all.
    expect(ethernetShare).toBeGreaterThanOrEqual(0.25);
    expect(share).toBeGreaterThanOrEqual(0.25);
  });
});
