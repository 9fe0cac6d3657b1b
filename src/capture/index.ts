// Public API of src/capture (owned by its area; re-exported by src/index.ts).
//
// Reading: walkCapture(bytes, visit) walks a whole file in memory with ONE reused CaptureRecordCursor
// (valid only during the visit; snapshot() keeps it; buffer/dataOffset read bytes without a view).
// readCapture(path | Readable) streams with constant memory: open() gives the CaptureInfo, `for await`
// yields plain snapshots, walk(visit, { beforeNextChunk }) is the fast streaming walk. Both throw
// CaptureFormatError (offset, problem) after delivering every complete record before the damage.
// Writing: PcapWriter / PcapngWriter (path or Writable; write() awaits, append() + drained() for walks),
// encodePcap / encodePcapng / encodePcapngSections in memory, createCaptureWriter(target, info) to copy
// records unchanged in the format they were read in.
export { CaptureFormatError, CaptureWriteError } from './errors.js';
export type {
  CaptureFormat, CaptureInfo, CaptureInterface, CaptureRecord, CaptureRecordInput, CaptureSection, CaptureSummary,
  CaptureTimestampResolution, PcapngPacketBlockType,
} from './info.js';
export { CaptureRecordCursor, type CaptureVisitor } from './cursor.js';
export { walkCapture, readCaptureSync } from './walk.js';
export { CaptureReader, readCapture, type CaptureWalkOptions, type ReadCaptureOptions } from './stream-reader.js';
export { MAX_CAPTURED_LENGTH, MAX_BLOCK_LENGTH } from './limits.js';
export { PcapWriter } from './pcap-writer.js';
export {
  PcapngWriter, encodePcapng, encodePcapngSections,
  type PcapngInterfaceOptions, type PcapngRecordInput, type PcapngSectionInput, type PcapngSectionOptions,
} from './pcapng-writer.js';
export { createCaptureWriter, type CaptureWriter } from './capture-writer.js';
export type { CaptureWriteTarget } from './output.js';
