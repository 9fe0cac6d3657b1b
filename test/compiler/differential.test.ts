/**
 * The differential harness over the whole corpus (corpus/filters/compiler/*.txt) on every link type:
 * libpcap's programs and ours run through libpcap's bpf_filter on the same packets, ours also through
 * our interpreter and JS engine, and the direct JS engine (src/direct) as a third; refusals and their
 * messages are compared with pcap_compile's.
 */
import { expect, it } from 'vitest';
import { LinkType, linkTypeName } from '../../src/capture/linktype.js';
import { libpcapAvailable } from '../support/libpcap.js';
import { describeWithOracle } from '../support/oracle.js';
import { loadCompilerCorpus } from './support/corpus.js';
import { runDifferential, type DifferentialReport } from './support/differential.js';
import { harnessPackets } from './support/packets.js';

/**
 * Refusals that differ from libpcap because of the filter parser (src/filter), not the compiler: each
 * is listed with the reason, and the test fails when one disappears so the list stays honest.
 */
const KNOWN_PARSER_REFUSALS = new Map<string, string>([
  // (empty: `iso proto N`, refused by the parser until 06:20, is accepted now)
]);

/**
 * Expressions libpcap accepts that the compiler knowingly refuses (with "not supported by this compiler
 * yet"). The test checks each is refused that way on every link type, so the list shrinks as the gaps close.
 * (Empty: `geneve or vlan` and every encapsulation after geneve compile since 07:25.)
 */
const KNOWN_COMPILER_GAPS = new Set<string>([]);

const LINK_TYPES = [LinkType.EN10MB, LinkType.RAW, LinkType.IPV4, LinkType.IPV6, LinkType.NULL, LinkType.LOOP, LinkType.LINUX_SLL, LinkType.LINUX_SLL2];
const PACKETS_PER_LINK_TYPE = 250;

describeWithOracle('compiler differential harness (libpcap 1.10 pcap_compile + bpf_filter)', libpcapAvailable(), 'gcc and libpcap-dev', () => {
  const corpus = loadCompilerCorpus();
  const expressions = corpus.map((e) => e.expression);

  it('has a corpus of at least 400 expressions, including refused ones', () => {
    expect(expressions.length).toBeGreaterThanOrEqual(400);
    expect(new Set(corpus.map((e) => e.file))).toContain('refused.txt');
  });

  for (const linkType of LINK_TYPES) {
    it(`gives libpcap's verdict and refusals on ${linkTypeName(linkType)}`, () => {
      const report: DifferentialReport = runDifferential(linkType, expressions, harnessPackets(linkType, PACKETS_PER_LINK_TYPE));
      const summary = `${linkTypeName(linkType)}: ${report.outcomes.length} expressions x ${report.packets} packets, ${report.comparisons} comparisons, `
        + `${report.libpcapSelfDisagreements} pairs where libpcap -O and -O0 disagree, `
        + `${report.loopingPackets.length} packets left out because libpcap's protochain loops forever on them, `
        + `${report.uninitializedScratch.length} expressions not compared because libpcap's program reads uninitialized scratch memory (${report.uninitializedScratch.join('; ')})`;
      process.stderr.write(`${summary}\n`);
      expect(report.comparisons).toBeGreaterThan(100_000);
      expect(report.loopingPackets.length).toBeLessThan(report.packets / 10);
      expect(report.uninitializedScratch.length).toBeLessThan(5);
      expect(report.verdictMismatches.slice(0, 10)).toEqual([]);
      expect(report.engineMismatches.slice(0, 10)).toEqual([]);
      const unexpected = report.refusalMismatches.filter((o) => !KNOWN_PARSER_REFUSALS.has(o.expression) && !KNOWN_COMPILER_GAPS.has(o.expression));
      for (const expression of KNOWN_COMPILER_GAPS) {
        const outcome = report.outcomes.find((o) => o.expression === expression);
        expect(outcome?.ourError, expression).toMatch(/not supported by this compiler yet/);
      }
      expect(unexpected.map((o) => ({ expression: o.expression, ours: o.ourError, libpcap: o.libpcapError, oursO0: o.ourRawError, libpcapO0: o.libpcapRawError }))).toEqual([]);
      for (const expression of KNOWN_PARSER_REFUSALS.keys()) {
        const outcome = report.outcomes.find((o) => o.expression === expression);
        expect(outcome?.ourErrorOrigin, `${expression} is no longer refused by the parser: remove it from KNOWN_PARSER_REFUSALS`).toBe('parse');
      }
      // Messages: every refusal that comes from the compiler itself says what libpcap says.
      const compilerMessages = report.messageMismatches.filter((o) => o.ourErrorOrigin === 'compile');
      expect(compilerMessages.map((o) => ({ expression: o.expression, ours: o.ourError, libpcap: o.libpcapError }))).toEqual([]);
    });
  }
});
