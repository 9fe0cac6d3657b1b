/**
 * Our printers against real tcpdump: for every filter in corpus/filters/bpf-formats.txt, `tcpdump -r
 * file.pcap -d/-dd/-ddd EXPR` is parsed by our parsers (format detected), printed again byte-identical,
 * and the program equals libpcap's pcap_compile result; bpf_asm and the comma form round-trip it too.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { detectBpfFormat, formatProgram, parseProgram, tcpdumpDVisible } from '../../src/bpf/index.js';
import { encodePcap } from '../../src/capture/pcap-writer.js';
import { describeWithOracle, hasCommand } from '../support/oracle.js';
import { libpcapAvailable, libpcapCompile } from '../support/libpcap.js';

const filters = readFileSync(resolve(import.meta.dirname, '../../corpus/filters/bpf-formats.txt'), 'utf8')
  .split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));

describeWithOracle('printers and parsers against tcpdump -d/-dd/-ddd', hasCommand('tcpdump', ['--version']) && libpcapAvailable(), 'tcpdump and libpcap helper', () => {
  const directory = mkdtempSync(join(tmpdir(), 'pktfilter-bpf-formats-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  // An empty EN10MB capture with snaplen 262144: tcpdump compiles for its link type and snaplen.
  const capture = join(directory, 'en10mb.pcap');
  writeFileSync(capture, encodePcap([], { linkType: 1, snaplen: 262144 }));
  const compiled = libpcapCompile(filters, { linkType: 1, snaplen: 262144 });

  it('has a few hundred filters, all compiled by libpcap', () => {
    expect(filters.length).toBeGreaterThanOrEqual(300);
    compiled.forEach((result, i) => expect(result.ok, filters[i]).toBe(true));
  });

  for (const option of ['d', 'dd', 'ddd'] as const) {
    it(`reads and reprints tcpdump -${option} byte for byte`, () => {
      filters.forEach((filter, i) => {
        const result = spawnSync('tcpdump', ['-r', capture, `-${option}`, filter], { encoding: 'utf8' });
        expect(result.status, `${filter}: ${result.stderr}`).toBe(0);
        const text = result.stdout;
        expect(detectBpfFormat(text), filter).toBe(option);
        const program = parseProgram(text);
        const expected = compiled[i]!;
        if (!expected.ok) throw new Error(expected.error);
        // -d does not show k of tax/txa/neg/ret a/... (libpcap leaves some set, e.g. in protochain): those read back as 0.
        expect(program, filter).toEqual(option === 'd' ? tcpdumpDVisible(expected.program) : expected.program);
        expect(formatProgram(program, option), filter).toBe(text);
      });
    });
  }

  it('round-trips every corpus program through bpf_asm, the comma form, and each other format', () => {
    for (const result of compiled) {
      if (!result.ok) continue;
      for (const format of ['d', 'dd', 'ddd', 'asm', 'comma'] as const) {
        const text = formatProgram(result.program, format);
        expect(detectBpfFormat(text)).toBe(format);
        expect(parseProgram(text)).toEqual(format === 'd' ? tcpdumpDVisible(result.program) : result.program);
      }
    }
  });
});
