/** The line (or JSON object) `pktfilter filter` prints for a matching record: what `decode` prints for it. */
import type { CaptureRecordCursor } from '../../capture/index.js';
import { PacketDecoder } from '../../packet/index.js';
import { formatDecodedPacket, parseDecodeArguments } from '../decode.js';

/** Makes the formatter of matching records, as `decode` formats them (JSON objects with `json`). */
export function createFilterDescriber(json: boolean): (record: CaptureRecordCursor, frame: number) => string {
  const command = parseDecodeArguments(['-r', '-', ...(json ? ['--json'] : [])]);
  const decoder = new PacketDecoder();
  return (record, frame) => formatDecodedPacket(command, frame, record, decoder.decode(record.data, record.linkType));
}
