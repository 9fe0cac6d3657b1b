/** Naming one field of a decoded frame: `ipv4.destination` (innermost), `ipv4.destination@5` (layer 5), `ipv4.destination[0]` (outermost). */
import type { PacketField, PacketLayers } from '../packet/index.js';
import { StockExpressionError } from './errors.js';

/** Which field of a frame: its decoder name, optionally the layer index and the occurrence (0 outermost, -1 innermost). */
export interface StockFieldSelector {
  /** Qualified decoder name (`ipv4.destination`, `gre.key`, `geneve.option.class`). */
  name: string;
  /** Index of the layer in the decoded stack (as `decode --offsets` and `locate` print it after `#`). */
  layerIndex?: number;
  /** Among the matching fields, outermost first: 0 is the outermost, -1 (the default) the innermost. */
  occurrence?: number;
}

const selectorPattern = /^([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)+)(?:@(\d+))?(?:\[(-?\d+)\])?$/;

/** Parses `NAME`, `NAME@LAYER` and `NAME[OCCURRENCE]` (or both, `NAME@LAYER[OCCURRENCE]`) into a selector. */
export function parseStockFieldSelector(text: string): StockFieldSelector {
  const match = selectorPattern.exec(text.trim());
  if (!match) {
    throw new StockExpressionError(`invalid field '${text}': expected LAYER.FIELD (ipv4.destination), optionally @LAYER_INDEX (ipv4.destination@5) or [OCCURRENCE] (ipv4.destination[0] for the outermost)`);
  }
  const selector: StockFieldSelector = { name: match[1]! };
  if (match[2] !== undefined) selector.layerIndex = Number(match[2]);
  if (match[3] !== undefined) selector.occurrence = Number(match[3]);
  return selector;
}

/** What a frame decoded to, for error messages (`ethernet/vlan/ipv4/gre/ethernet/ipv4/icmp`). */
export function describeStack(names: readonly string[]): string {
  return names.length === 0 ? '(nothing decoded)' : names.join('/');
}

/** Picks the selected field among a frame's fields, or throws naming what the frame has instead. */
export function selectStockField(fields: readonly PacketField[], selector: StockFieldSelector, layers: PacketLayers, layerNames: readonly string[]): PacketField {
  const matching = fields.filter((f) => f.name === selector.name && (selector.layerIndex === undefined || f.layerIndex === selector.layerIndex));
  const stack = describeStack(layerNames);
  const error = layers.error;
  const stopped = error ? `; decoding stopped at ${error.layer}.${error.field} (byte ${error.offset}): ${error.reason}` : '';
  if (matching.length === 0) {
    const where = selector.layerIndex === undefined ? '' : ` at layer #${selector.layerIndex}`;
    const layerName = selector.name.split('.')[0]!;
    const known = [...new Set(fields.filter((f) => f.layer === layerName).map((f) => f.name))];
    const hint = known.length > 0 ? ` (its ${layerName} fields: ${known.join(', ')})` : '';
    throw new StockExpressionError(`field '${selector.name}'${where} is not in this frame, which decodes as ${stack}${hint}${stopped}`);
  }
  const occurrence = selector.occurrence ?? -1;
  const index = occurrence < 0 ? matching.length + occurrence : occurrence;
  const field = matching[index];
  if (field === undefined) {
    throw new StockExpressionError(`field '${selector.name}' occurs ${matching.length} time(s) in this frame (${stack}); occurrence ${occurrence} is out of range`);
  }
  return field;
}
