/**
 * `pktfilter locate -r FILE -n FRAME [--json] [FIELD...]`: for each named field of one frame, the stock
 * tcpdump expression that tests it for that frame's encapsulation, its value, the filter, the layout
 * assumptions it rests on and the guarded filter; without FIELD, every field of the frame with its expression.
 */
import { statSync } from 'node:fs';
import { CaptureFormatError, readCapture } from '../capture/index.js';
import type { CaptureRecord } from '../capture/index.js';
import { PacketDecoder, fieldsOfLayers, packetSummary } from '../packet/index.js';
import type { PacketLayers } from '../packet/index.js';
import { StockExpressionError, deriveStockExpressionForField, parseStockFieldSelector, selectStockField } from '../tunnel/index.js';
import type { StockExpressionDerivation, StockFieldSelector } from '../tunnel/index.js';
import { layerTypeName } from '../packet/index.js';
import { CliError } from './errors.js';

const usage = 'usage: pktfilter locate -r FILE -n FRAME [--json] [FIELD...]   (FIELD: ipv4.destination, ipv4.destination@LAYER, ipv4.destination[OCCURRENCE])';

/** The parsed command line of `locate`. */
export interface LocateCommand {
  file: string;
  /** 1-based frame number, as tcpdump and tshark count. */
  frame: number;
  json: boolean;
  fields: StockFieldSelector[];
  /** The field names as typed, for messages. */
  fieldTexts: string[];
}

/** Parses `locate`'s arguments (without the verb). */
export function parseLocateArguments(argv: readonly string[]): LocateCommand {
  let file: string | undefined;
  let frame: number | undefined;
  let json = false;
  const fields: StockFieldSelector[] = [];
  const fieldTexts: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-r' || arg === '-n') {
      const value = argv[++i];
      if (value === undefined) throw new CliError(`${arg} needs a value\n${usage}`);
      if (arg === '-r') file = value;
      else {
        if (!/^\d+$/.test(value) || Number(value) < 1) throw new CliError(`invalid frame number '${value}' for -n (frames count from 1)`);
        frame = Number(value);
      }
    } else if (arg === '--json') json = true;
    else if (arg === '-h' || arg === '--help') throw new CliError(usage, 0);
    else if (arg.startsWith('-')) throw new CliError(`unknown option '${arg}'\n${usage}`);
    else {
      try {
        fields.push(parseStockFieldSelector(arg));
      } catch (error) {
        throw new CliError((error as Error).message);
      }
      fieldTexts.push(arg);
    }
  }
  if (file === undefined) throw new CliError(`-r FILE is required\n${usage}`);
  if (frame === undefined) throw new CliError(`-n FRAME is required\n${usage}`);
  return { file, frame, json, fields, fieldTexts };
}

/** Reads frame `frame` (1-based) of a capture, or throws naming how many frames the file has. */
async function readFrame(file: string, frame: number): Promise<CaptureRecord> {
  try {
    statSync(file);
  } catch (error) {
    throw new CliError(`cannot read '${file}': ${(error as NodeJS.ErrnoException).code ?? String(error)}`, 1);
  }
  let count = 0;
  let found: CaptureRecord | undefined;
  try {
    await readCapture(file).walk((record) => {
      count++;
      if (count === frame) { found = record.snapshot(); return false; }
      return true;
    });
  } catch (error) {
    if (error instanceof CaptureFormatError) throw new CliError(found ? error.message : `${error.message} (before frame ${frame})`, 1);
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== undefined) throw new CliError(`cannot read '${file}': ${code}`, 1);
    throw error;
  }
  if (found === undefined) throw new CliError(`frame ${frame} is out of range: '${file}' has ${count} frame${count === 1 ? '' : 's'}`, 1);
  return found;
}

/** The text block `locate` prints for one derived field. */
export function formatStockDerivation(derivation: StockExpressionDerivation): string {
  const lines = [
    `${derivation.field} (layer #${derivation.layerIndex}, byte ${derivation.offset}, ${derivation.size} byte${derivation.size === 1 ? '' : 's'}) = ${String(derivation.value)}`,
    `  expression:     ${derivation.expression}`,
    `  filter:         ${derivation.filter}`,
    '  assumptions:',
    ...derivation.assumptions.map((a) => `    - ${a.statement}  [${a.checkedByFilter ? 'checked by the filter' : 'guard'}: ${a.guard}]`),
    `  guarded filter: ${derivation.guardedFilter}`,
  ];
  return lines.join('\n') + '\n';
}

/** The frame's field listing (no FIELD given): each field with its layer, value, offset and expression. */
function formatFieldList(frame: number, layers: PacketLayers): string {
  const lines = [`frame ${frame}: ${packetSummary(layers)}`];
  for (const field of fieldsOfLayers(layers)) {
    const mask = field.mask !== undefined ? ` mask 0x${field.mask.toString(16)}` : '';
    lines.push(`  #${field.layerIndex} ${field.name} = ${String(field.value)}  @${field.offset} size ${field.size}${mask}  ${field.expression}`);
  }
  return lines.join('\n') + '\n';
}

/** Runs `pktfilter locate`. */
export async function run(argv: string[]): Promise<number> {
  const command = parseLocateArguments(argv);
  const record = await readFrame(command.file, command.frame);
  const layers = new PacketDecoder().decode(record.data, record.linkType);
  const fields = fieldsOfLayers(layers);
  if (command.fields.length === 0) {
    if (command.json) {
      const list = fields.map((f) => ({ layerIndex: f.layerIndex, field: f.name, value: f.value, offset: f.offset, size: f.size, mask: f.mask, expression: f.expression, filter: f.filter }));
      process.stdout.write(JSON.stringify({ frame: command.frame, summary: packetSummary(layers), fields: list }) + '\n');
    } else process.stdout.write(formatFieldList(command.frame, layers));
    return 0;
  }
  const names: string[] = [];
  for (let i = 0; i < layers.count; i++) names.push(layerTypeName(layers.kinds[i]!));
  const derivations: StockExpressionDerivation[] = [];
  for (const [index, selector] of command.fields.entries()) {
    try {
      derivations.push(deriveStockExpressionForField(layers, selectStockField(fields, selector, layers, names)));
    } catch (error) {
      if (error instanceof StockExpressionError) throw new CliError(`frame ${command.frame}: ${command.fieldTexts[index]}: ${error.message}`, 1);
      throw error;
    }
  }
  if (command.json) process.stdout.write(JSON.stringify({ frame: command.frame, summary: packetSummary(layers), fields: derivations }) + '\n');
  else process.stdout.write(`frame ${command.frame}: ${packetSummary(layers)}\n` + derivations.map(formatStockDerivation).join(''));
  return 0;
}
