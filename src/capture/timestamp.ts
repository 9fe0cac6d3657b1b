/**
 * Timestamp conversions between file units and nanoseconds since the epoch: pcap seconds plus a micro- or
 * nanosecond fraction, and pcapng 64-bit counts of if_tsresol units shifted by if_tsoffset seconds.
 * Reading floors to whole nanoseconds (as Wireshark does); writing binary resolutions rounds up so that a
 * timestamp read from a file is written back to the same units.
 */
import { CaptureWriteError } from './errors.js';
import type { CaptureTimestampResolution } from './info.js';

const NS_PER_SECOND = 1_000_000_000n;
const TWO_POW_32 = 4294967296;
const UINT64_LIMIT = 1n << 64n;

/** Converts the two 32-bit timestamp words of a record to nanoseconds. */
export interface TimestampClock {
  /** Nanoseconds since the epoch of a record whose timestamp words are `high` and `low`. */
  toNanoseconds(high: number, low: number): bigint;
}

/** pcap record timestamps: `high` is seconds and `low` the fraction in micro- or nanoseconds. */
export class PcapClock implements TimestampClock {
  private readonly fractionNs: number;

  constructor(readonly nanosecond: boolean) {
    this.fractionNs = nanosecond ? 1 : 1000;
  }

  /** The last seconds value converted, and its nanoseconds (records of one second share it). */
  private lastSeconds = -1;
  private lastSecondsNs = 0n;

  /** Seconds times 10^9 plus the fraction scaled to nanoseconds. */
  toNanoseconds(high: number, low: number): bigint {
    if (high !== this.lastSeconds) {
      this.lastSeconds = high;
      this.lastSecondsNs = BigInt(high) * NS_PER_SECOND;
    }
    return this.lastSecondsNs + BigInt(low * this.fractionNs);
  }
}

/** A clock that always reads zero (pcapng Simple Packet Blocks carry no timestamp). */
export const ZERO_CLOCK: TimestampClock = { toNanoseconds: () => 0n };

/** Decodes a pcapng if_tsresol option byte (high bit set: power of two; clear: power of ten). */
export function decodeTimestampResolution(value: number): CaptureTimestampResolution {
  return (value & 0x80) !== 0 ? { base: 2, exponent: value & 0x7f } : { base: 10, exponent: value };
}

/** Encodes a resolution as the pcapng if_tsresol option byte. */
export function encodeTimestampResolution(resolution: CaptureTimestampResolution): number {
  const { base, exponent } = resolution;
  if (!Number.isInteger(exponent) || exponent < 0 || exponent > 127) {
    throw new CaptureWriteError(`timestamp resolution exponent ${exponent} is outside 0..127`);
  }
  return base === 2 ? 0x80 | exponent : exponent;
}

/** The microsecond resolution pcapng assumes when an interface has no if_tsresol. */
export const MICROSECOND_RESOLUTION: CaptureTimestampResolution = { base: 10, exponent: 6 };

/** pcapng timestamps: a 64-bit unit count (`high` and `low` words) in the interface's resolution. */
export class PcapngClock implements TimestampClock {
  private readonly offsetNs: bigint;
  private readonly multiplier: bigint;
  private readonly divisor: bigint;
  private readonly shift: bigint;

  constructor(readonly resolution: CaptureTimestampResolution, offsetSeconds: bigint) {
    this.offsetNs = offsetSeconds * NS_PER_SECOND;
    const { base, exponent } = resolution;
    if (base === 2) {
      this.multiplier = NS_PER_SECOND;
      this.divisor = 1n;
      this.shift = BigInt(exponent);
    } else {
      this.multiplier = exponent <= 9 ? 10n ** BigInt(9 - exponent) : 1n;
      this.divisor = exponent > 9 ? 10n ** BigInt(exponent - 9) : 1n;
      this.shift = 0n;
      if (exponent >= 3 && exponent <= 9) this.lowScale = 10 ** (9 - exponent);
    }
  }

  /** True when `other` maps units to time the same way (so raw timestamp words can be copied between them). */
  sameAs(other: PcapngClock): boolean {
    return this.resolution.base === other.resolution.base && this.resolution.exponent === other.resolution.exponent
      && this.offsetNs === other.offsetNs;
  }

  /** Nanoseconds of `units` interface units, floored, plus the interface's offset. */
  unitsToNanoseconds(units: bigint): bigint {
    return ((units * this.multiplier) >> this.shift) / this.divisor + this.offsetNs;
  }

  /**
   * For decimal resolutions of 10^-3..10^-9 s, `low` units times the nanoseconds per unit stay below 2^53:
   * the part of `high` is then converted once per high word and the rest in plain numbers.
   */
  private readonly lowScale: number = 0;
  private lastHigh = -1;
  private lastHighNs = 0n;

  /** Nanoseconds of the 64-bit unit count `high * 2^32 + low`. */
  toNanoseconds(high: number, low: number): bigint {
    if (this.lowScale !== 0) {
      if (high !== this.lastHigh) {
        this.lastHigh = high;
        this.lastHighNs = this.unitsToNanoseconds(BigInt(high) << 32n);
      }
      return this.lastHighNs + BigInt(low * this.lowScale);
    }
    const units = high < 0x200000 ? BigInt(high * TWO_POW_32 + low) : (BigInt(high) << 32n) | BigInt(low);
    return this.unitsToNanoseconds(units);
  }

  /** The unit count a writer stores for `timestampNs` (the inverse of unitsToNanoseconds on its results). */
  nanosecondsToUnits(timestampNs: bigint): bigint {
    const ns = timestampNs - this.offsetNs;
    let units: bigint;
    if (this.resolution.base === 2) {
      // Round up: floor(ceil(ns * 2^k / 10^9) * 10^9 / 2^k) == ns whenever 2^k < 10^9.
      const scaled = ns << this.shift;
      units = scaled >= 0n ? (scaled + NS_PER_SECOND - 1n) / NS_PER_SECOND : scaled / NS_PER_SECOND;
    } else {
      units = (ns * this.divisor) / this.multiplier;
    }
    if (ns < 0n || units >= UINT64_LIMIT) {
      throw new CaptureWriteError(`timestamp ${timestampNs} ns does not fit the interface's 64-bit timestamp after its offset`);
    }
    return units;
  }
}

/** Splits a pcap timestamp into seconds and fraction words, checking that it fits 32-bit seconds. */
export function pcapTimestampWords(timestampNs: bigint, nanosecond: boolean): [seconds: number, fraction: number] {
  if (timestampNs < 0n || timestampNs >= 4294967296n * NS_PER_SECOND) {
    throw new CaptureWriteError(`timestamp ${timestampNs} ns does not fit a pcap record's unsigned 32-bit seconds`);
  }
  const seconds = Number(timestampNs / NS_PER_SECOND);
  const nanoseconds = Number(timestampNs % NS_PER_SECOND);
  return [seconds, nanosecond ? nanoseconds : Math.floor(nanoseconds / 1000)];
}
