/**
 * Real tshark over the committed corpus: every frame shows the fields its layers say (addresses,
 * ports, VLAN ids, GRE keys and protocol types, flags, ICMP types) and every checksum it can verify
 * is good.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { CORPUS_CAPTURES } from '../../corpus/build-corpus.js';
import { describeWithOracle, hasCommand } from '../support/oracle.js';
import { compareTsharkFields, expectedTsharkFields, tsharkFields } from '../packet/build/tshark-fields.js';
import { readCorpusFile } from './read-capture.js';

const corpusDirectory = resolve(dirname(fileURLToPath(import.meta.url)), '../../corpus');

describeWithOracle('corpus against tshark', hasCommand('tshark', ['-v']), 'tshark', () => {
  for (const capture of CORPUS_CAPTURES.filter((c) => c.format === 'pcap')) {
    it(`${capture.file}: tshark sees every field the story put there, checksums good`, () => {
      const frames = capture.frames();
      const read = readCorpusFile(new Uint8Array(readFileSync(join(corpusDirectory, capture.file))));
      const rows = tsharkFields(read.records.map((r) => r.data), capture.linkType);
      expect(rows).toHaveLength(frames.length);
      const problems = frames.flatMap((frame, i) => {
        const found = compareTsharkFields(rows[i]!, expectedTsharkFields(frame.layers));
        return found.length ? [`frame ${i + 1} (${frame.note}): ${found.join('; ')}`] : [];
      });
      expect(problems).toEqual([]);
    });
  }
});
