/**
 * Runs a filter over one record-aligned fragment of a capture (see fragments.ts): the fragment is parsed
 * with the capture parser (its frame counter and file offsets set to the fragment's place in the file), each
 * run of records of one link type is gathered into reused Uint32Arrays and filtered with ONE batch call,
 * and the result is what the output needs: the match count, the printed lines, or the matching pcap
 * records' bytes exactly as they lie in the file. The same code runs in the main thread (-j 1) and in the
 * workers (-j N), so both give the same output.
 */
import type { RawInstruction } from '../../bpf/opcodes.js';
import {
  BpfError, BpfStepBudgetError, compileToJs, compileToJsBatch, createBatchInterpreter, createInterpreter,
  type BpfBatchFilterFunction, type BpfFilterFunction,
} from '../../bpf/index.js';
import { CaptureRecordCursor, CaptureFormatError } from '../../capture/index.js';
import { createCaptureParser } from '../../capture/detect.js';
import type { FilterCaptureFragment } from './fragments.js';

/** What a fragment run produces, depending on the output mode. */
export type FilterOutputMode = 'count' | 'print' | 'json' | 'pcap-records';

/** Everything a fragment runner needs to know (plain data, so it can be posted to a worker). */
export interface FilterRunSettings {
  expression: string;
  /** Refuse pktfilter's extensions when compiling `expression`. */
  strict?: boolean;
  /** Resolve host names in `expression` from this hosts file. */
  hostsFile?: string;
  program?: RawInstruction[];
  /** The BPF interpreter, BPF->JS, or the direct JS predicate (src/direct; only where a FilterDirectCompiler is given). */
  engine: 'interp' | 'js' | 'direct';
  mode: FilterOutputMode;
  /** Stop after this many matches in the fragment (the merge applies the overall limit). */
  limit?: number;
  /** Programs compiled already, by link type (the main thread compiles them, so workers need no compiler). */
  programs?: Record<number, RawInstruction[]>;
  /** The one-line refusal of the expression for a link type, reported when a record of that link type is met. */
  refusals?: Record<number, string>;
}

/** Compiles the settings' expression for a link type; throws FilterRefusal when it is refused. */
export type FilterProgramCompiler = (linkType: number) => RawInstruction[];

/** Compiles the settings' expression for a link type to direct JS predicates; undefined where the direct engine falls back to BPF (protochain). */
export type FilterDirectCompiler = (linkType: number) => { batch: BpfBatchFilterFunction; match: BpfFilterFunction } | undefined;

/** The result of one fragment (plain data, so it can be posted back from a worker). */
export interface FilterFragmentResult {
  /** Matching records (at most `limit`). */
  matches: number;
  /** Printed text of each match (print and json modes). */
  lines?: string[];
  /** The matching pcap records (header and data) back to back, and the end of each in `records` (pcap-records mode). */
  records?: Uint8Array;
  recordEnds?: Uint32Array;
  /** Records whose program looped without end (counted as rejected). */
  looping: number;
  /** The capture damage that ended the fragment, after every record before it was filtered. */
  damage?: { offset: number; problem: string };
  /** A failure that is not damage (a refused expression for a link type): its one-line message. */
  failure?: string;
}

/** Records gathered per batch call. */
const BATCH_CAPACITY = 8192;

/** Filters fragments with one compiled program per link type. */
export class FilterFragmentRunner {
  private readonly batchFilters = new Map<number, BpfBatchFilterFunction>();
  private readonly singleFilters = new Map<number, BpfFilterFunction>();
  private readonly offsets = new Uint32Array(BATCH_CAPACITY);
  private readonly capturedLengths = new Uint32Array(BATCH_CAPACITY);
  private readonly wireLengths = new Uint32Array(BATCH_CAPACITY);
  private readonly frames = new Uint32Array(BATCH_CAPACITY);
  private readonly accepted = new Uint32Array(BATCH_CAPACITY);
  /** Matching frame numbers of the current fragment (print modes), and their count. */
  private matchedFrames = new Uint32Array(1024);
  private matchedCount = 0;
  private records: Uint8Array[] = [];
  private recordEnds: number[] = [];
  private recordBytes = 0;
  private looping = 0;
  private pending = 0;
  private pendingLinkType = -1;
  private batchBuffer: Uint8Array = new Uint8Array(0);
  private matches = 0;
  private readonly limit: number;
  private readonly settings: FilterRunSettings;

  /**
   * `compile` compiles the expression for a link type the settings have no program for (the main thread
   * passes compile-program.ts's; a worker has none: the main thread sends every program it needs). `direct`
   * gives the direct engine's predicates (`--engine direct`, main thread only); without it that engine runs BPF->JS.
   */
  constructor(settings: FilterRunSettings, private readonly compile?: FilterProgramCompiler, private readonly direct?: FilterDirectCompiler) {
    this.settings = { ...settings };
    this.limit = settings.limit ?? Number.POSITIVE_INFINITY;
  }

  /** Adds programs and refusals compiled by the main thread for link types met later in the capture. */
  addPrograms(programs: Record<number, RawInstruction[]>, refusals: Record<number, string>): void {
    this.settings.programs = { ...this.settings.programs, ...programs };
    this.settings.refusals = { ...this.settings.refusals, ...refusals };
  }

  /** The program for a link type (given, or compiled now); a refused expression throws FilterRefusal with its one-line message. */
  programFor(linkType: number): RawInstruction[] {
    const given = this.settings.program ?? this.settings.programs?.[linkType];
    if (given !== undefined) return given;
    const refusal = this.settings.refusals?.[linkType];
    if (refusal !== undefined) throw new FilterRefusal(refusal);
    if (this.compile === undefined) throw new Error(`no program was compiled for link type ${linkType}`);
    return this.compile(linkType);
  }

  /** The direct engine's predicates for a link type, when that engine was asked for and handles the expression. */
  private directFor(linkType: number): ReturnType<FilterDirectCompiler> {
    return this.settings.engine === 'direct' && this.direct !== undefined ? this.direct(linkType) : undefined;
  }

  /** The batch filter for a link type (compiled on first use; the program is compiled first, for its refusal). */
  batchFilterFor(linkType: number): BpfBatchFilterFunction {
    let filter = this.batchFilters.get(linkType);
    if (filter === undefined) {
      const program = this.programFor(linkType);
      try {
        filter = this.directFor(linkType)?.batch ?? (this.settings.engine === 'interp' ? createBatchInterpreter(program) : compileToJsBatch(program));
      } catch (error) {
        if (error instanceof BpfError) throw new FilterRefusal(error.message);
        throw error;
      }
      this.batchFilters.set(linkType, filter);
    }
    return filter;
  }

  /** The single-packet filter for a link type (only for batches where a record's program loops). */
  private singleFilterFor(linkType: number): BpfFilterFunction {
    let filter = this.singleFilters.get(linkType);
    if (filter === undefined) {
      const program = this.programFor(linkType);
      filter = this.directFor(linkType)?.match ?? (this.settings.engine === 'interp' ? createInterpreter(program) : compileToJs(program));
      this.singleFilters.set(linkType, filter);
    }
    return filter;
  }

  /** Filters the gathered records with one batch call and records the accepted ones (up to the limit). */
  private flush(): void {
    const count = this.pending;
    if (count === 0) return;
    this.pending = 0;
    const buffer = this.batchBuffer;
    const filter = this.batchFilterFor(this.pendingLinkType);
    const wantIndices = this.settings.mode !== 'count';
    let accepted: number;
    try {
      accepted = filter(buffer, this.offsets, this.capturedLengths, this.wireLengths, count, wantIndices ? this.accepted : undefined);
    } catch (error) {
      if (!(error instanceof BpfStepBudgetError)) throw error;
      accepted = this.flushOneByOne(count);
    }
    if (accepted === 0) return;
    const room = this.limit - this.matches;
    if (accepted > room) accepted = room;
    this.matches += accepted;
    if (!wantIndices) return;
    for (let i = 0; i < accepted; i++) {
      const index = this.accepted[i]!;
      if (this.settings.mode === 'pcap-records') {
        // The record's 16-byte header and its captured bytes, exactly as they lie in the file.
        const start = this.offsets[index]! - 16;
        const end = this.offsets[index]! + this.capturedLengths[index]!;
        this.records.push(buffer.subarray(start, end));
        this.recordBytes += end - start;
        this.recordEnds.push(this.recordBytes);
      } else {
        if (this.matchedCount === this.matchedFrames.length) {
          const larger = new Uint32Array(this.matchedFrames.length * 2);
          larger.set(this.matchedFrames);
          this.matchedFrames = larger;
        }
        this.matchedFrames[this.matchedCount++] = this.frames[index]!;
      }
    }
  }

  /** Runs a batch record by record (a program looped on one of them): looping records count as rejected. */
  private flushOneByOne(count: number): number {
    const filter = this.singleFilterFor(this.pendingLinkType);
    let accepted = 0;
    for (let index = 0; index < count; index++) {
      let verdict: number;
      try {
        verdict = filter(this.batchBuffer.subarray(this.offsets[index]!), this.capturedLengths[index]!, this.wireLengths[index]!);
      } catch (error) {
        if (!(error instanceof BpfStepBudgetError)) throw error;
        this.looping++;
        verdict = 0;
      }
      if (verdict !== 0) this.accepted[accepted++] = index;
    }
    return accepted;
  }

  /**
   * Filters one fragment. `describe` formats a matching record for the print modes (it is given the
   * record's cursor and 1-based frame number); it runs in a second parse that visits only the matches.
   */
  run(fragment: FilterCaptureFragment, describe?: (record: CaptureRecordCursor, frame: number) => string): FilterFragmentResult {
    this.matches = 0;
    this.matchedCount = 0;
    this.records = [];
    this.recordEnds = [];
    this.recordBytes = 0;
    this.looping = 0;
    this.pending = 0;
    const bytes = fragment.bytes;
    this.batchBuffer = bytes;
    let damage: FilterFragmentResult['damage'];
    let failure: string | undefined;
    const visit = (record: CaptureRecordCursor, index: number): boolean => {
      if (record.buffer !== this.batchBuffer || record.linkType !== this.pendingLinkType || this.pending === BATCH_CAPACITY) {
        this.flush();
        if (this.matches >= this.limit) return false;
        this.batchBuffer = record.buffer;
        this.pendingLinkType = record.linkType;
      }
      const slot = this.pending++;
      this.offsets[slot] = record.dataOffset;
      this.capturedLengths[slot] = record.capturedLength;
      this.wireLengths[slot] = record.wireLength;
      this.frames[slot] = index;
      return true;
    };
    try {
      try {
        if (!this.runPcapRecords(fragment)) parseFragment(fragment, visit);
      } finally {
        // Every record before the damage is filtered before the damage is reported.
        if (this.matches < this.limit) this.flush();
      }
    } catch (error) {
      if (error instanceof CaptureFormatError) damage = { offset: error.offset, problem: error.problem };
      else if (error instanceof FilterRefusal) failure = error.message;
      else throw error;
    }
    const result: FilterFragmentResult = { matches: this.matches, looping: this.looping };
    if (damage !== undefined) result.damage = damage;
    if (failure !== undefined) result.failure = failure;
    if (this.settings.mode === 'pcap-records') {
      const joined = new Uint8Array(this.recordBytes);
      let offset = 0;
      for (const record of this.records) { joined.set(record, offset); offset += record.length; }
      result.records = joined;
      result.recordEnds = Uint32Array.from(this.recordEnds);
      this.records = [];
    } else if (this.settings.mode !== 'count') {
      result.lines = this.describeMatches(fragment, describe);
    }
    return result;
  }

  /**
   * The fast path for a pcap fragment after the first (its restated file header was checked already) that
   * is not the last (it holds whole records only, as the header walk cut it): the record headers are read
   * straight into the batch arrays. Returns false, having done nothing, for any other fragment.
   */
  private runPcapRecords(fragment: FilterCaptureFragment): boolean {
    const bytes = fragment.bytes;
    if (!fragment.restated || fragment.last || bytes.length < 24) return false;
    const magic = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
    let little: boolean;
    if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) little = true;
    else if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) little = false;
    else return false;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const offsets = this.offsets;
    const capturedLengths = this.capturedLengths;
    const wireLengths = this.wireLengths;
    const frames = this.frames;
    const length = bytes.length;
    // A fragment that fits one batch (the usual in-thread chunk) is gathered in one pass and checked as it
    // goes: nothing is filtered before the whole fragment proved to be whole records.
    let position = 24;
    let pending = 0;
    let frame = fragment.firstFrame;
    while (position + 16 <= length && pending < BATCH_CAPACITY) {
      const capturedLength = view.getUint32(position + 8, little);
      offsets[pending] = position + 16;
      capturedLengths[pending] = capturedLength;
      wireLengths[pending] = view.getUint32(position + 12, little);
      frames[pending++] = frame++;
      position += 16 + capturedLength;
    }
    this.pendingLinkType = view.getUint32(20, little) & 0xffff;
    this.batchBuffer = bytes;
    if (position === length) {
      this.pending = pending;
      return true;
    }
    // Larger fragments: a first pass checks that the fragment is whole records, so a surprise cannot leave half a result.
    position = 24;
    while (position + 16 <= length) position += 16 + view.getUint32(position + 8, little);
    if (position !== length) return false;
    frame = fragment.firstFrame;
    pending = 0;
    position = 24;
    while (position < length) {
      const capturedLength = view.getUint32(position + 8, little);
      offsets[pending] = position + 16;
      capturedLengths[pending] = capturedLength;
      wireLengths[pending] = view.getUint32(position + 12, little);
      frames[pending] = frame++;
      position += 16 + capturedLength;
      if (++pending === BATCH_CAPACITY) {
        this.pending = pending;
        this.flush();
        pending = 0;
        if (this.matches >= this.limit) return true;
      }
    }
    this.pending = pending;
    return true;
  }

  /** Formats the matched frames of a fragment with a second parse that stops after the last of them. */
  private describeMatches(fragment: FilterCaptureFragment, describe?: (record: CaptureRecordCursor, frame: number) => string): string[] {
    const lines: string[] = [];
    if (this.matchedCount === 0 || describe === undefined) return lines;
    let next = 0;
    try {
      parseFragment(fragment, (record, index) => {
        if (index !== this.matchedFrames[next]) return true;
        lines.push(describe(record, index + 1));
        return ++next < this.matchedCount;
      });
    } catch (error) {
      // The damage after the last match was already reported by the first parse.
      if (!(error instanceof CaptureFormatError)) throw error;
    }
    return lines;
  }
}

/** An expression or program refused for a link type met in the capture. */
export class FilterRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterRefusal';
  }
}

/**
 * Parses a fragment with the capture parser as if it lay at its place in the file: records are numbered
 * from the fragment's first frame and offsets are file offsets. Throws CaptureFormatError at damage or at a
 * cut-off unit, after visiting every record before it.
 */
export function parseFragment(fragment: FilterCaptureFragment, visit: (record: CaptureRecordCursor, index: number) => boolean | void): void {
  const bytes = fragment.bytes;
  const parser = createCaptureParser(bytes);
  parser.records = fragment.firstFrame;
  const consumed = parser.parse(bytes, 0, bytes.length, fragment.base, new CaptureRecordCursor(), visit);
  if (!parser.stopped && consumed < bytes.length) throw parser.truncated(fragment.base + consumed, bytes.length - consumed);
}
