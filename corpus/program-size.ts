/**
 * Prints, for every link type, how our optimized programs over the compiler corpus compare in length
 * with libpcap's (pcap_compile with optimize=1, what `tcpdump -d` prints): totals, how many are shorter,
 * and any that is longer. Run with `npm run program-size`; test/compiler/program-size.test.ts asserts it.
 */
import { LinkType, linkTypeName } from '../src/capture/linktype.js';
import { libpcapAvailable } from '../test/support/libpcap.js';
import { compareProgramSizes } from '../test/compiler/support/program-size.js';
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
  const { programs, ours, libpcap, shorter, longer } = compareProgramSizes(linkType, expressions);
  allPrograms += programs; allShorter += shorter;
  console.log(`${linkTypeName(linkType).padEnd(11)} ${pad(programs, 8)} ${pad(ours, 7)} ${pad(libpcap, 7)} ${pad(shorter, 8)} ${pad(`${((100 * shorter) / programs).toFixed(1)}%`, 6)} ${pad(longer.length, 6)}`);
  for (const { expression } of longer) console.log(`  longer: ${expression}`);
}
console.log(`${'all'.padEnd(11)} ${pad(allPrograms, 8)} ${''.padStart(7)} ${''.padStart(7)} ${pad(allShorter, 8)} ${pad(`${((100 * allShorter) / allPrograms).toFixed(1)}%`, 6)}`);
