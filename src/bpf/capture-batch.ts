/**
 * A capture file held in memory as a batch for the batch engines: one walk collects each record's offset
 * into the file's own bytes, its captured and wire lengths and its link type (no packet is copied), so a
 * filter then runs over the whole file in one call (`pktfilter filter --count`, the capture walker).
 */
import { walkCapture } from '../capture/walk.js';
import { BpfError } from './errors.js';

/** The records of a capture as parallel arrays over `buffer` (the file's bytes); the arrays hold `count` entries. */
export interface BpfCaptureBatch {
  buffer: Uint8Array;
  offsets: Uint32Array;
  capturedLengths: Uint32Array;
  wireLengths: Uint32Array;
  /** LINKTYPE_* of each record (pcapng interfaces may differ; a program is compiled for one). */
  linkTypes: Uint32Array;
  count: number;
}

/**
 * Walks the pcap or pcapng file in `bytes` and returns its records as a batch. Throws CaptureFormatError
 * where the file is damaged, and BpfError for a file of 4 GiB or more (offsets are 32-bit).
 */
export function collectBpfCaptureBatch(bytes: Uint8Array): BpfCaptureBatch {
  if (bytes.length > 0xffffffff) throw new BpfError(`capture of ${bytes.length} bytes: batch offsets are 32-bit, so files must be under 4 GiB`, 'batch-arguments');
  let capacity = 1024;
  let offsets: Uint32Array = new Uint32Array(capacity);
  let capturedLengths: Uint32Array = new Uint32Array(capacity);
  let wireLengths: Uint32Array = new Uint32Array(capacity);
  let linkTypes: Uint32Array = new Uint32Array(capacity);
  let count = 0;
  const grow = (array: Uint32Array): Uint32Array => { const larger = new Uint32Array(capacity); larger.set(array); return larger; };
  walkCapture(bytes, (record) => {
    if (record.buffer !== bytes) throw new BpfError('internal: the capture walker did not read the given bytes in place', 'internal');
    if (count === offsets.length) {
      capacity *= 2;
      offsets = grow(offsets); capturedLengths = grow(capturedLengths); wireLengths = grow(wireLengths); linkTypes = grow(linkTypes);
    }
    offsets[count] = record.dataOffset;
    capturedLengths[count] = record.capturedLength;
    wireLengths[count] = record.wireLength;
    linkTypes[count] = record.linkType;
    count++;
  });
  return {
    buffer: bytes,
    offsets: offsets.subarray(0, count),
    capturedLengths: capturedLengths.subarray(0, count),
    wireLengths: wireLengths.subarray(0, count),
    linkTypes: linkTypes.subarray(0, count),
    count,
  };
}
