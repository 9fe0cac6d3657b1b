/**
 * The committed corpus captures (corpus/*.pcap, *.pcapng) decoded by us and by tshark: every
 * `-T fields` cell of every record must be the same. tshark runs with IP reassembly off (a datagram
 * reassembled from several frames is a cross-packet feature we do not reproduce), and we decode
 * with the same setting.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readCaptureSync } from '../../src/capture/index.js';
import { PacketDecoder, TSHARK_FIELD_NAMES, tsharkFieldRow } from '../../src/packet/index.js';
import { describeWithOracle } from '../support/oracle.js';
import { tsharkAvailable } from './support/tshark.js';

const corpus = join(process.cwd(), 'corpus');
const captures = readdirSync(corpus).filter((name) => /\.pcap(ng)?$/.test(name)).sort();

describeWithOracle('corpus captures against tshark -T fields', tsharkAvailable(), 'tshark', () => {
  it('has captures to compare', () => {
    expect(captures.length).toBeGreaterThan(0);
  });
  for (const name of captures) {
    it(`decodes ${name} field for field as tshark does`, () => {
      const path = join(corpus, name);
      const { records } = readCaptureSync(new Uint8Array(readFileSync(path)));
      const result = spawnSync('tshark', ['-n', '-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE', '-r', path, '-T', 'fields', '-E', 'separator=/t', ...TSHARK_FIELD_NAMES.flatMap((f) => ['-e', f])], { encoding: 'utf8', maxBuffer: 1 << 28 });
      expect(result.status).toBe(0);
      const theirs = result.stdout.split('\n').slice(0, -1);
      expect(theirs).toHaveLength(records.length);
      const decoder = new PacketDecoder();
      const mismatches: string[] = [];
      records.forEach((record, index) => {
        const ours = tsharkFieldRow(decoder.decode(record.data, record.linkType), TSHARK_FIELD_NAMES, { number: index + 1, wireLength: record.wireLength, ipDefragment: false, ipv6Defragment: false }).join('\t');
        if (ours !== theirs[index]) mismatches.push(`frame ${index + 1}:\n  ours   ${ours}\n  tshark ${theirs[index]}`);
      });
      expect(mismatches.slice(0, 3)).toEqual([]);
    });
  }
});
