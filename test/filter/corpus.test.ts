/**
 * The language corpus (corpus/filters/language/*.tsv): every row is checked against our parser, and against
 * libpcap 1.10.3 (pcap_compile): accepted rows must compile there too, refused rows must be refused there
 * too (except our documented extensions and deviations), and an accepted row's canonical text must compile
 * to the same program as the row itself, so the canonical form is the same filter.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FilterError, filterTreesEqual, parseFilter, printFilter } from '../../src/filter/index.js';
import type { HostResolver } from '../../src/filter/index.js';
import { describeWithOracle } from '../support/oracle.js';
import { libpcapAvailable, libpcapCompile, toCommaForm } from '../support/libpcap.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const corpusDirectory = join(root, 'corpus/filters/language');

interface Row {
  file: string;
  line: number;
  expression: string;
  accepted: boolean;
  /** Canonical text for accepted rows; the reason substring for refused rows. */
  expected: string;
  tags: Set<string>;
  linkType: number;
}

function loadCorpus(): Row[] {
  const rows: Row[] = [];
  for (const file of readdirSync(corpusDirectory).filter((f) => f.endsWith('.tsv')).sort()) {
    readFileSync(join(corpusDirectory, file), 'utf8').split('\n').forEach((text, index) => {
      if (text.trim() === '' || text.startsWith('#')) return;
      const [expression, expectation, tagText] = text.split('\t');
      if (expression === undefined || expectation === undefined) throw new Error(`${file}:${index + 1}: needs EXPRESSION<TAB>EXPECTATION`);
      const tags = new Set((tagText ?? '').split(' ').filter(Boolean));
      const linkTypeTag = [...tags].find((t) => t.startsWith('lt='));
      let accepted: boolean;
      let expected: string;
      if (expectation === '=') { accepted = true; expected = expression; } else if (expectation.startsWith('=> ')) { accepted = true; expected = expectation.slice(3); } else if (expectation.startsWith('!! ')) { accepted = false; expected = expectation.slice(3); } else throw new Error(`${file}:${index + 1}: bad expectation '${expectation}'`);
      rows.push({ file, line: index + 1, expression, accepted, expected, tags, linkType: linkTypeTag ? Number(linkTypeTag.slice(3)) : 1 });
    });
  }
  return rows;
}

const rows = loadCorpus();
/** The only host the corpus names; libpcap finds it in /etc/hosts. */
const resolver: HostResolver = (name) => (name === 'localhost' ? { ipv4: ['127.0.0.1'], ipv6: [] } : undefined);
const where = (row: Row): string => `${row.file}:${row.line} ${JSON.stringify(row.expression)}`;

describe('filter language corpus', () => {
  it('holds at least 600 expressions, accepted and refused', () => {
    expect(rows.length).toBeGreaterThanOrEqual(600);
    expect(rows.filter((r) => r.accepted).length).toBeGreaterThan(200);
    expect(rows.filter((r) => !r.accepted).length).toBeGreaterThan(150);
  });

  it('accepts every accepted row with the expected canonical text, and the canonical text re-parses to the same tree', () => {
    const failures: string[] = [];
    for (const row of rows.filter((r) => r.accepted)) {
      try {
        const tree = parseFilter(row.expression, { resolver });
        const printed = printFilter(tree);
        if (printed !== row.expected) { failures.push(`${where(row)}: printed ${JSON.stringify(printed)}, expected ${JSON.stringify(row.expected)}`); continue; }
        if (!filterTreesEqual(parseFilter(printed, { resolver }), tree)) failures.push(`${where(row)}: canonical text re-parses to another tree`);
      } catch (error) {
        failures.push(`${where(row)}: refused: ${(error as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('refuses every refused row with a FilterError naming the reason, with a span inside the expression', () => {
    const failures: string[] = [];
    for (const row of rows.filter((r) => !r.accepted)) {
      try {
        const tree = parseFilter(row.expression, { resolver });
        failures.push(`${where(row)}: accepted as ${JSON.stringify(printFilter(tree))}`);
      } catch (error) {
        if (!(error instanceof FilterError)) { failures.push(`${where(row)}: threw ${String(error)}`); continue; }
        if (!error.reason.includes(row.expected)) failures.push(`${where(row)}: reason ${JSON.stringify(error.reason)} lacks ${JSON.stringify(row.expected)}`);
        if (error.span.start < 0 || error.span.start > row.expression.length || error.span.end < error.span.start) failures.push(`${where(row)}: bad span ${JSON.stringify(error.span)}`);
        if (!error.message.includes('^')) failures.push(`${where(row)}: message has no caret`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('puts every span of an accepted tree inside the expression, children inside parents', () => {
    const failures: string[] = [];
    const visit = (node: unknown, parent: { start: number; end: number }, row: Row): void => {
      if (node === null || typeof node !== 'object') return;
      const span = (node as { span?: { start: number; end: number } }).span;
      let inner = parent;
      if (span) {
        if (span.start < parent.start || span.end > parent.end || span.start >= span.end) failures.push(`${where(row)}: span ${JSON.stringify(span)} outside ${JSON.stringify(parent)}`);
        inner = span;
      }
      for (const [key, value] of Object.entries(node)) if (key !== 'span') visit(value, inner, row);
    };
    for (const row of rows.filter((r) => r.accepted)) visit(parseFilter(row.expression, { resolver }), { start: 0, end: row.expression.length }, row);
    expect(failures).toEqual([]);
  });
});

describeWithOracle('filter language corpus against libpcap 1.10.3', libpcapAvailable(), 'gcc and libpcap-dev (libpcap-helper)', () => {
  it('libpcap agrees on what is accepted and refused, and on the meaning of the canonical text', () => {
    const failures: string[] = [];
    const linkTypes = [...new Set(rows.map((r) => r.linkType))];
    for (const linkType of linkTypes) {
      const group = rows.filter((r) => r.linkType === linkType);
      const canonicalOf = (row: Row): string => (row.accepted && !row.tags.has('ext') ? row.expected : row.expression);
      // One batch per link type: each row's expression, then each accepted row's canonical text. Unoptimized,
      // so that a filter that can never match (`tcp and udp`) still compiles, and programs compare as generated.
      const results = libpcapCompile([...group.map((r) => r.expression), ...group.map(canonicalOf)], { linkType, optimize: false });
      group.forEach((row, index) => {
        const own = results[index]!;
        const canonical = results[group.length + index]!;
        const extension = row.tags.has('ext');
        const differs = row.tags.has('differs');
        if (row.accepted && !extension && !own.ok) failures.push(`${where(row)}: we accept, libpcap refuses: ${own.error}`);
        if (row.accepted && extension && own.ok) failures.push(`${where(row)}: tagged ext but libpcap 1.10.3 accepts it`);
        if (!row.accepted && !differs && own.ok) failures.push(`${where(row)}: we refuse, libpcap accepts`);
        if (!row.accepted && differs && !own.ok) failures.push(`${where(row)}: tagged differs but libpcap refuses it too: ${own.error}`);
        if (row.accepted && !extension && own.ok && !row.tags.has('nocompare')) {
          if (!canonical.ok) failures.push(`${where(row)}: canonical ${JSON.stringify(row.expected)} refused by libpcap: ${canonical.error}`);
          else if (toCommaForm(canonical.program) !== toCommaForm(own.program)) failures.push(`${where(row)}: canonical ${JSON.stringify(row.expected)} compiles to another program`);
        }
      });
    }
    expect(failures).toEqual([]);
  });
});
