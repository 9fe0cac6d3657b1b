/**
 * fast-check arbitraries for capture files: pcap options and records, pcapng sections with interfaces of
 * random if_tsresol / if_tsoffset, and the records a reader must give back for them.
 */
import fc from 'fast-check';
import type { PcapWriteOptions } from '../../../src/capture/pcap-writer.js';
import type { PcapngInterfaceOptions, PcapngRecordInput, PcapngSectionInput } from '../../../src/capture/pcapng-writer.js';

/** Link types of the supported set, some others that pass through, and any 16-bit value. */
export const linkTypeArbitrary = fc.oneof(
  fc.constantFrom(0, 1, 101, 108, 113, 228, 229, 276),
  fc.constantFrom(9, 105, 127, 147, 192),
  fc.integer({ min: 0, max: 0xffff }),
);

/** What a reader must report for one record (a test-side expectation, independent of reader code). */
export interface ExpectedRecord {
  timestampNs: bigint;
  capturedLength: number;
  wireLength: number;
  linkType: number;
  interfaceIndex: number;
  data: Uint8Array;
  comment?: string;
}

const NS = 1_000_000_000n;

/** Captured bytes (up to 300) and a wire length at least as long (caplen < wirelen often). */
const packetArbitrary = fc.record({
  data: fc.uint8Array({ maxLength: 300 }),
  extraWire: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 70_000 })),
});

/** A pcap file: header options and records whose timestamps the header's resolution can hold exactly. */
export const pcapFileArbitrary = fc
  .record({
    linkType: linkTypeArbitrary,
    snaplen: fc.oneof(fc.constant(262144), fc.integer({ min: 0, max: 0xffffffff })),
    nanosecond: fc.boolean(),
    bigEndian: fc.boolean(),
  })
  .chain((options: Required<PcapWriteOptions>) =>
    fc.record({
      options: fc.constant(options),
      records: fc.array(
        fc.record({
          packet: packetArbitrary,
          seconds: fc.integer({ min: 0, max: 0xffffffff }),
          fraction: fc.integer({ min: 0, max: options.nanosecond ? 999_999_999 : 999_999 }),
        }),
        { maxLength: 12 },
      ),
    }))
  .map(({ options, records }) => {
    const expected: ExpectedRecord[] = records.map(({ packet, seconds, fraction }) => ({
      timestampNs: BigInt(seconds) * NS + BigInt(fraction) * (options.nanosecond ? 1n : 1000n),
      capturedLength: packet.data.length,
      wireLength: packet.data.length + packet.extraWire,
      linkType: options.linkType,
      interfaceIndex: 0,
      data: packet.data,
    }));
    return { options, expected };
  });

/** if_tsresol choices: decimal 10^-0..10^-15 and binary 2^-0..2^-40. */
const resolutionArbitrary = fc.oneof(
  fc.record({ base: fc.constant(10 as const), exponent: fc.integer({ min: 0, max: 15 }) }),
  fc.record({ base: fc.constant(2 as const), exponent: fc.integer({ min: 0, max: 40 }) }),
);

const interfaceArbitrary: fc.Arbitrary<PcapngInterfaceOptions> = fc.record(
  {
    linkType: linkTypeArbitrary,
    snaplen: fc.oneof(fc.constant(0), fc.constant(65535), fc.constant(262144)),
    timestampResolution: resolutionArbitrary,
    timestampOffsetSeconds: fc.bigInt({ min: -(1n << 40n), max: 1n << 40n }),
    name: fc.string({ maxLength: 12 }),
    description: fc.string({ maxLength: 20 }),
  },
  { requiredKeys: ['linkType', 'snaplen', 'timestampResolution'] },
);

/**
 * Nanoseconds of `units` ticks at `base^-exponent` seconds plus an offset in seconds, floored: the
 * pcapng definition (units / units-per-second seconds), written independently of the reader.
 */
export function pcapngUnitsToNs(units: bigint, base: 2 | 10, exponent: number, offsetSeconds: bigint): bigint {
  const unitsPerSecond = BigInt(base) ** BigInt(exponent);
  return (units * NS) / unitsPerSecond + offsetSeconds * NS;
}

/** Shapes of pcapng files to generate. */
export interface PcapngFileShape {
  /** Timestamps between 1970 and 2106 and offsets of at most 2^30 s (what other tools can print); default any 64-bit units. */
  realisticTimes?: boolean;
  /** Allow Simple Packet Blocks (no timestamp); default true. */
  simpleBlocks?: boolean;
  /** Largest number of sections; default 3. */
  maxSections?: number;
}

/** A pcapng file of sections with their interfaces, and the records a reader must return for it. */
export function pcapngFileArbitraryWith(shape: PcapngFileShape = {}): fc.Arbitrary<{ sections: PcapngSectionInput[]; expected: ExpectedRecord[] }> {
  // tshark 4.0 and libpcap 1.10 multiply the fraction by 10^9 in 64 bits, which overflows beyond about
  // 1.8e10 units per second (finer than 10^-10 or 2^-34); realistic files stay below that.
  const realisticResolution = fc.oneof(
    fc.record({ base: fc.constant(10 as const), exponent: fc.integer({ min: 0, max: 10 }) }),
    fc.record({ base: fc.constant(2 as const), exponent: fc.integer({ min: 0, max: 34 }) }),
  );
  const face = shape.realisticTimes
    ? fc.tuple(interfaceArbitrary, realisticResolution, fc.bigInt({ min: 0n, max: 1n << 30n }))
      .map(([i, timestampResolution, offset]) => ({ ...i, timestampResolution, timestampOffsetSeconds: offset }))
    : interfaceArbitrary;
  const blockTypes = shape.simpleBlocks === false ? ['enhanced', 'enhanced', 'enhanced', 'packet'] as const : ['enhanced', 'enhanced', 'enhanced', 'packet', 'simple'] as const;
  const unitsFor = (i: PcapngInterfaceOptions): fc.Arbitrary<bigint> => {
    if (!shape.realisticTimes) return fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
    const perSecond = BigInt(i.timestampResolution!.base) ** BigInt(i.timestampResolution!.exponent);
    const limit = (0xffffffffn - (i.timestampOffsetSeconds ?? 0n)) * perSecond;
    return fc.bigInt({ min: 0n, max: limit < (1n << 64n) - 1n ? limit : (1n << 64n) - 1n });
  };
  return fc
  .array(
    fc.record({ bigEndian: fc.boolean(), interfaces: fc.array(face, { minLength: 1, maxLength: 3 }), comment: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }) }),
    { minLength: 1, maxLength: shape.maxSections ?? 3 },
  )
  .chain((sections) =>
    fc.record({
      sections: fc.constant(sections),
      records: fc.tuple(...sections.map((section) =>
        fc.array(
          fc.integer({ min: 0, max: section.interfaces.length - 1 }).chain((interfaceIndex) => fc.record({
            packet: packetArbitrary,
            interfaceIndex: fc.constant(interfaceIndex),
            units: unitsFor(section.interfaces[interfaceIndex]!),
            blockType: fc.constantFrom(...blockTypes),
            comment: fc.option(fc.string({ maxLength: 16 }), { nil: undefined }),
          })),
          { maxLength: 6 },
        ))),
    }))
  .map(({ sections, records }) => {
    const inputs: PcapngSectionInput[] = [];
    const expected: ExpectedRecord[] = [];
    let firstInterface = 0;
    sections.forEach((section, sectionIndex) => {
      const sectionRecords: PcapngRecordInput[] = [];
      for (const record of records[sectionIndex]!) {
        const simple = record.blockType === 'simple';
        const interfaceIndex = simple ? 0 : record.interfaceIndex;
        const face = section.interfaces[interfaceIndex]!;
        const resolution = face.timestampResolution!;
        const timestampNs = simple ? 0n : pcapngUnitsToNs(record.units, resolution.base, resolution.exponent, face.timestampOffsetSeconds ?? 0n);
        // A simple packet block stores no captured length: it is min(wire length, snaplen), so keep them equal.
        const wireLength = simple ? record.packet.data.length : record.packet.data.length + record.packet.extraWire;
        const input: PcapngRecordInput = { data: record.packet.data, timestampNs, wireLength, interfaceIndex, blockType: record.blockType };
        if (record.comment !== undefined && !simple) input.comment = record.comment;
        sectionRecords.push(input);
        const want: ExpectedRecord = {
          timestampNs, capturedLength: record.packet.data.length, wireLength, linkType: face.linkType,
          interfaceIndex: firstInterface + interfaceIndex, data: record.packet.data,
        };
        if (input.comment !== undefined) want.comment = input.comment;
        expected.push(want);
      }
      inputs.push({
        options: { bigEndian: section.bigEndian, interfaces: section.interfaces, ...(section.comment !== undefined ? { comments: [section.comment] } : {}) },
        records: sectionRecords,
      });
      firstInterface += section.interfaces.length;
    });
    return { sections: inputs, expected };
  });
}

/** Any pcapng file (any 64-bit timestamps, every packet block type, up to three sections). */
export const pcapngFileArbitrary = pcapngFileArbitraryWith();

/** Splits bytes into chunks of `size` (the last may be shorter), as a stream would deliver them. */
export function chunksOf(bytes: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) chunks.push(bytes.subarray(offset, offset + size));
  return chunks;
}
