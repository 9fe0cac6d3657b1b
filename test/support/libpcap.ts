/**
 * Runs real libpcap for differential tests: compiles filters with pcap_compile and runs programs
 * with bpf_filter, through test/oracle/libpcap-helper.c built here with the system gcc and -lpcap.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RawInstruction } from '../../src/bpf/opcodes.js';
import { encodePcap } from '../../src/capture/pcap-writer.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const source = join(root, 'test/oracle/libpcap-helper.c');
const binary = join(root, '.cache/oracle/libpcap-helper');

let built: boolean | undefined;

/** Builds the helper once (atomically, so parallel test files can race), again when its source is newer; false if gcc or libpcap is missing. */
export function libpcapAvailable(): boolean {
  if (built !== undefined) return built;
  try {
    if (!existsSync(binary) || statSync(binary).mtimeMs < statSync(source).mtimeMs) {
      mkdirSync(dirname(binary), { recursive: true });
      const temporary = `${binary}.${process.pid}`;
      execFileSync('gcc', ['-O2', '-o', temporary, source, '-lpcap'], { stdio: 'pipe' });
      renameSync(temporary, binary);
    }
    built = true;
  } catch {
    built = false;
  }
  return built;
}

/** The comma form `n,code jt jf k,...` of a program (what iptables' xt_bpf takes). */
export function toCommaForm(program: readonly RawInstruction[]): string {
  return [program.length, ...program.map((i) => `${i.code} ${i.jt} ${i.jf} ${i.k >>> 0}`)].join(',');
}

/** Parses the comma form back into raw instructions. */
export function fromCommaForm(text: string): RawInstruction[] {
  const [, ...rest] = text.split(',');
  return rest.map((part) => {
    const [code, jt, jf, k] = part.trim().split(/\s+/).map(Number);
    return { code: code!, jt: jt!, jf: jf!, k: k! };
  });
}

function runHelper(args: string[], input: string): string[] {
  const result = spawnSync(binary, args, { input, maxBuffer: 1 << 30, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`libpcap-helper ${args[0]} failed: ${result.stderr || result.error}`);
  const lines = result.stdout.split('\n');
  lines.pop();
  return lines;
}

/** Options of libpcap's pcap_compile. */
export interface LibpcapCompileOptions { linkType: number; snaplen?: number; optimize?: boolean; netmask?: number }

export type LibpcapCompileResult = { ok: true; program: RawInstruction[] } | { ok: false; error: string };

/**
 * pcap_open_dead takes a DLT_* value, files carry LINKTYPE_* values: they differ only for RAW
 * (LINKTYPE_RAW 101 is DLT_RAW, 12 on Linux). DLT values pass through unchanged.
 */
export function linkTypeToDlt(linkType: number): number {
  return linkType === 101 ? 12 : linkType;
}

/** Compiles each expression with libpcap's pcap_compile (netmask 0, as tcpdump -r uses). */
export function libpcapCompile(expressions: readonly string[], options: LibpcapCompileOptions): LibpcapCompileResult[] {
  for (const e of expressions) if (e.includes('\n')) throw new Error('expression contains a newline');
  const lines = runHelper(
    ['compile', String(linkTypeToDlt(options.linkType)), String(options.snaplen ?? 262144), options.optimize === false ? '0' : '1', String(options.netmask ?? 0)],
    expressions.map((e) => e + '\n').join(''),
  );
  return lines.map((line) => line.startsWith('OK ')
    ? { ok: true, program: fromCommaForm(line.slice(3)) }
    : { ok: false, error: line.replace(/^ERR /, '') });
}

/** A packet for bpf_filter: its captured bytes and, when larger, its wire length. */
export interface OraclePacket { data: Uint8Array; wireLength?: number }

/** Runs every program with libpcap's bpf_filter over every packet: result[program][packet]. */
export function libpcapRun(programs: readonly (readonly RawInstruction[])[], packets: readonly OraclePacket[], linkType = 1): number[][] {
  const directory = mkdtempSync(join(tmpdir(), 'pktfilter-oracle-'));
  try {
    const file = join(directory, 'packets.pcap');
    writeFileSync(file, encodePcap(packets.map((p) => ({ data: p.data, wireLength: p.wireLength ?? p.data.length, timestampNs: 0n })), { linkType, snaplen: 0x7fffffff }));
    const lines = runHelper(['run', file], programs.map((p) => toCommaForm(p) + '\n').join(''));
    return lines.map((line) => {
      if (line.startsWith('ERR')) throw new Error(`libpcap-helper: ${line}`);
      return line === '' ? [] : line.split(' ').map(Number);
    });
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** Whether libpcap's bpf_validate accepts each program. */
export function libpcapValidate(programs: readonly (readonly RawInstruction[])[]): boolean[] {
  return runHelper(['validate'], programs.map((p) => toCommaForm(p) + '\n').join('')).map((l) => l === '1');
}

/** libpcap's bpf_image text of every instruction of every program: result[program][instruction]. */
export function libpcapImage(programs: readonly (readonly RawInstruction[])[]): string[][] {
  return splitBlocks(runHelper(['image'], programs.map((p) => toCommaForm(p) + '\n').join('')));
}

/** libpcap's bpf_dump output (what tcpdump -d, -dd, -ddd print) for every program. */
export function libpcapDump(programs: readonly (readonly RawInstruction[])[], option: 'd' | 'dd' | 'ddd'): string[] {
  const level = { d: '1', dd: '2', ddd: '3' }[option];
  return splitBlocks(runHelper(['dump', level], programs.map((p) => toCommaForm(p) + '\n').join(''))).map((lines) => lines.map((l) => l + '\n').join(''));
}

/** Splits helper output lines into blocks ended by empty lines. */
function splitBlocks(lines: string[]): string[][] {
  const blocks: string[][] = [];
  let current: string[] = [];
  for (const line of lines) {
    if (line === '') { blocks.push(current); current = []; } else current.push(line);
  }
  return blocks;
}
