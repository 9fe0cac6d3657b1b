/**
 * Prints, for every link type, how our optimized programs over the compiler corpus compare in length
 * with libpcap's (pcap_compile with optimize=1, what `tcpdump -d` prints): totals, how many are shorter,
 * and any that is longer. Run with `npm run program-size`; test/compiler/program-size.test.ts asserts it.
 */
import { LinkType, linkTypeName } from '../src/capture/linktype.js';
import { CompileError, compileFilter } from '../src/compiler/index.js';
import { libpcapAvailable, libpcapCompile } from '../test/support/libpcap.js';
import { loadCompilerCorpus } from '../test/compiler/support/corpus.js';

const LINK_TYPES = [LinkType.EN10MB, LinkType.RAW, LinkType.IPV4, LinkType.IPV6, LinkType.NULL, LinkType.LOOP, LinkType.LINUX_SLL, LinkType.LINUX_SLL2];

if (!libpcapAvailable()) {
  process.stderr.write('program-size: needs gcc and libpcap-dev (apt-get install -y gcc libpcap-dev)\n');
  process.exit(2);
}
const expressions = loadCompilerCorpus().map((e) => e.expression);
const pad = (text: string | number, width: number): string => String(text).padStart(width);
console.log(`${'link type'.padEnd(11)} ${pad('programs', 8)} ${pad('ours', 7)} ${pad('libpcap', 7)} ${pad('shorter', 8)} ${pad('share', 6)} ${pad('longer', 6)}`);
let allPrograms = 0;
let allShorter = 0;
for (const linkType of LINK_TYPES) {
  const theirs = libpcapCompile(expressions, { linkType: linkType === LinkType.RAW ? 12 : linkType, optimize: true });
  let programs = 0; let ours = 0; let libpcap = 0; let shorter = 0; const longer: string[] = [];
  expressions.forEach((expression, i) => {
    const their = theirs[i]!;
    if (!their.ok) return;
    let length: number;
    try {
      length = compileFilter(expression, { linkType }).length;
    } catch (error) {
      if (error instanceof CompileError) return;
      throw error;
    }
    programs++; ours += length; libpcap += their.program.length;
    if (length < their.program.length) shorter++;
    if (length > their.program.length) longer.push(expression);
  });
  allPrograms += programs; allShorter += shorter;
  console.log(`${linkTypeName(linkType).padEnd(11)} ${pad(programs, 8)} ${pad(ours, 7)} ${pad(libpcap, 7)} ${pad(shorter, 8)} ${pad(`${((100 * shorter) / programs).toFixed(1)}%`, 6)} ${pad(longer.length, 6)}`);
  for (const expression of longer) console.log(`  longer: ${expression}`);
}
console.log(`${'all'.padEnd(11)} ${pad(allPrograms, 8)} ${''.padStart(7)} ${''.padStart(7)} ${pad(allShorter, 8)} ${pad(`${((100 * allShorter) / allPrograms).toFixed(1)}%`, 6)}`);
