/**
 * `pktfilter decode -r FILE [-c COUNT] [-e] [-v] [--json | --offsets | -T fields -e FIELD...]`:
 * decodes every record of a pcap or pcapng file and prints one tcpdump-like line per packet, one JSON
 * object per packet, every field with its offset and tcpdump expression, or tshark's `-T fields` cells.
 * A damaged file prints every good record first, then one error line (exit 1).
 */
import { statSync } from 'node:fs';
import { CaptureFormatError, readCapture } from '../capture/index.js';
import type { CaptureRecordCursor } from '../capture/index.js';
import {
  PacketDecoder, fieldsOfLayers, isKnownTsharkField, packetObject, packetSummary, tsharkFieldRow,
} from '../packet/index.js';
import type { PacketLayers } from '../packet/index.js';
import { CliError } from './errors.js';

const usage = 'usage: pktfilter decode -r FILE [-c COUNT] [-e] [-v] [--json | --offsets | -T fields -e FIELD [-e FIELD...] [-o ip.defragment:FALSE] [-o ipv6.defragment:FALSE]]';

/** What `decode` prints per packet. */
export type DecodeOutputMode = 'summary' | 'json' | 'offsets' | 'fields';

/** The parsed command line of `decode`. */
export interface DecodeCommand {
  file: string;
  limit?: number;
  linkLevel: boolean;
  verbose: boolean;
  mode: DecodeOutputMode;
  fields: string[];
  /** tshark's ip.defragment and ipv6.defragment preferences (default TRUE, as in tshark). */
  ipDefragment: boolean;
  ipv6Defragment: boolean;
}

function optionValue(argv: readonly string[], index: number, name: string): string {
  const value = argv[index];
  if (value === undefined) throw new CliError(`${name} needs a value\n${usage}`);
  return value;
}

/** Parses `decode`'s arguments (without the verb); `-e` takes a field name once `-T fields` is given. */
export function parseDecodeArguments(argv: readonly string[]): DecodeCommand {
  const fieldsMode = argv.some((arg, i) => arg === '-T' && argv[i + 1] === 'fields') || argv.includes('-Tfields');
  let file: string | undefined;
  let limit: number | undefined;
  let linkLevel = false;
  let verbose = false;
  let json = false;
  let offsets = false;
  const fields: string[] = [];
  let ipDefragment = true;
  let ipv6Defragment = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-r') file = optionValue(argv, ++i, '-r');
    else if (arg === '-c') {
      const text = optionValue(argv, ++i, '-c');
      if (!/^\d+$/.test(text) || Number(text) < 1) throw new CliError(`invalid count '${text}' for -c (a positive number)`);
      limit = Number(text);
    } else if (arg === '-T') {
      const format = optionValue(argv, ++i, '-T');
      if (format !== 'fields') throw new CliError(`-T takes 'fields', not '${format}'`);
    } else if (arg === '-Tfields') {
      // Same as -T fields.
    } else if (arg === '-e') {
      if (fieldsMode) {
        const name = optionValue(argv, ++i, '-e');
        if (!isKnownTsharkField(name)) throw new CliError(`unknown or unsupported field '${name}' for -e (tshark field names such as ip.src, tcp.flags, vlan.id)`);
        fields.push(name);
      } else linkLevel = true;
    } else if (arg === '-o') {
      const preference = optionValue(argv, ++i, '-o');
      const match = /^(ip|ipv6)\.defragment:(TRUE|FALSE)$/i.exec(preference);
      if (!match) throw new CliError(`unsupported preference '${preference}' for -o (ip.defragment:TRUE|FALSE, ipv6.defragment:TRUE|FALSE)`);
      const value = match[2]!.toUpperCase() === 'TRUE';
      if (match[1]!.toLowerCase() === 'ip') ipDefragment = value;
      else ipv6Defragment = value;
    } else if (arg === '-v') verbose = true;
    else if (arg === '--json') json = true;
    else if (arg === '--offsets') offsets = true;
    else if (arg === '-h' || arg === '--help') throw new CliError(usage, 0);
    else throw new CliError(`unknown option '${arg}'\n${usage}`);
  }
  if (file === undefined) throw new CliError(`-r FILE is required\n${usage}`);
  if ([json, offsets, fieldsMode].filter(Boolean).length > 1) throw new CliError(`--json, --offsets and -T fields exclude each other\n${usage}`);
  if (fieldsMode && fields.length === 0) throw new CliError(`-T fields needs at least one -e FIELD\n${usage}`);
  const mode: DecodeOutputMode = json ? 'json' : offsets ? 'offsets' : fieldsMode ? 'fields' : 'summary';
  const command: DecodeCommand = { file, linkLevel, verbose, mode, fields, ipDefragment, ipv6Defragment };
  if (limit !== undefined) command.limit = limit;
  return command;
}

const jsonReplacer = (_key: string, value: unknown): unknown => {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  if (typeof value === 'bigint') return value.toString();
  return value;
};

/** tcpdump's time of day (UTC) with microseconds. */
function timeOfDay(timestampNs: bigint): string {
  const seconds = timestampNs / 1_000_000_000n;
  const micros = (timestampNs % 1_000_000_000n) / 1000n;
  const day = Number(seconds % 86400n);
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
  return `${pad(Math.floor(day / 3600))}:${pad(Math.floor(day / 60) % 60)}:${pad(day % 60)}.${pad(Number(micros), 6)}`;
}

/** Formats one packet in the chosen mode. */
export function formatDecodedPacket(command: DecodeCommand, frame: number, record: { timestampNs: bigint; wireLength: number; linkType: number }, layers: PacketLayers): string {
  switch (command.mode) {
    case 'fields':
      return tsharkFieldRow(layers, command.fields, { number: frame, wireLength: record.wireLength, ipDefragment: command.ipDefragment, ipv6Defragment: command.ipv6Defragment }).join('\t') + '\n';
    case 'json': {
      const packet = packetObject(layers);
      return JSON.stringify({ frame, timestampNs: record.timestampNs, capturedLength: layers.data.length, wireLength: record.wireLength, ...packet }, jsonReplacer) + '\n';
    }
    case 'offsets': {
      const lines = [`frame ${frame}: ${packetSummary(layers)}`];
      for (const field of fieldsOfLayers(layers)) {
        const mask = field.mask !== undefined ? ` mask 0x${field.mask.toString(16)}` : '';
        lines.push(`  #${field.layerIndex} ${field.name} = ${String(field.value)}  @${field.offset} size ${field.size}${mask}  ${field.expression}  [${field.filter}]`);
      }
      return lines.join('\n') + '\n';
    }
    default:
      return `${String(frame).padStart(5)}  ${timeOfDay(record.timestampNs)} ${packetSummary(layers, { linkLevel: command.linkLevel, verbose: command.verbose })}\n`;
  }
}

/** Standard output for one run: writes wait while its buffer is full, and stop once a reader closed it (`| head`). */
class DecodeOutput {
  closed = false;
  private readonly onError = (error: NodeJS.ErrnoException): void => { if (error.code === 'EPIPE') this.closed = true; };

  constructor() { process.stdout.on('error', this.onError); }

  /** Writes `text`; resolves once stdout can take more (or is closed). */
  async write(text: string): Promise<void> {
    if (this.closed || process.stdout.write(text)) return;
    await new Promise<void>((resolve) => {
      const done = (): void => { process.stdout.off('drain', done); process.stdout.off('error', done); resolve(); };
      process.stdout.on('drain', done);
      process.stdout.on('error', done);
    });
  }

  /** Stops listening (the output is finished). */
  close(): void { process.stdout.off('error', this.onError); }
}

/** Runs `pktfilter decode`. */
export async function run(argv: string[]): Promise<number> {
  const command = parseDecodeArguments(argv);
  let size = 0;
  try {
    size = statSync(command.file).size;
  } catch (error) {
    throw new CliError(`cannot read '${command.file}': ${(error as NodeJS.ErrnoException).code ?? String(error)}`, 1);
  }
  const progress = process.stderr.isTTY === true && size > 64 * 1024 * 1024;
  const decoder = new PacketDecoder();
  const reader = readCapture(command.file);
  const output = new DecodeOutput();
  let pending = '';
  let frame = 0;
  let lastProgress = 0;
  const visit = (record: CaptureRecordCursor): boolean => {
    frame++;
    const layers = decoder.decode(record.data, record.linkType);
    pending += formatDecodedPacket(command, frame, record, layers);
    if (progress && frame - lastProgress >= 100_000) {
      lastProgress = frame;
      process.stderr.write(`\rdecoded ${frame} packets (${Math.floor((100 * record.fileOffset) / size)}%)`);
    }
    return !output.closed && (command.limit === undefined || frame < command.limit);
  };
  let failure: unknown;
  try {
    await reader.walk(visit, {
      beforeNextChunk: async () => {
        if (pending.length > 0) { const text = pending; pending = ''; await output.write(text); }
      },
    });
  } catch (error) {
    failure = error;
  }
  if (pending.length > 0) await output.write(pending);
  output.close();
  if (progress) process.stderr.write('\r\x1b[K');
  if (failure !== undefined) {
    if (failure instanceof CaptureFormatError) throw new CliError(failure.message, 1);
    const code = (failure as NodeJS.ErrnoException).code;
    if (code !== undefined) throw new CliError(`cannot read '${command.file}': ${code}`, 1);
    throw failure;
  }
  return 0;
}
