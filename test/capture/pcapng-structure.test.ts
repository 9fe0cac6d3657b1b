/**
 * pcapng structure errors, each built by hand from blocks (type, total length, body, total length) so that
 * the damage sits at a known offset: the reader names that offset and the problem, after the records before it.
 */
import { describe, expect, it } from 'vitest';
import { CaptureFormatError } from '../../src/capture/errors.js';
import type { CaptureRecord } from '../../src/capture/info.js';
import { walkCapture } from '../../src/capture/walk.js';

/** Little-endian 16- and 32-bit fields. */
const u16 = (value: number): number[] => [value & 0xff, (value >>> 8) & 0xff];
const u32 = (value: number): number[] => [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
const pad = (bytes: number[]): number[] => [...bytes, ...new Array((4 - (bytes.length % 4)) % 4).fill(0)];

/** A block: type, total length, body (padded), total length (or `trailing` when given). */
function block(type: number, body: number[], trailing?: number): number[] {
  const padded = pad(body);
  const length = 12 + padded.length;
  return [...u32(type), ...u32(length), ...padded, ...u32(trailing ?? length)];
}

/** An option: code, length, value padded to 4 bytes. */
const option = (code: number, value: number[]): number[] => [...u16(code), ...u16(value.length), ...pad(value)];
const endOfOptions = [0, 0, 0, 0];

/** Section header: byte-order magic, version, section length -1. */
const sectionHeader = (major = 1, minor = 0, magic = 0x1a2b3c4d): number[] =>
  block(0x0a0d0d0a, [...u32(magic), ...u16(major), ...u16(minor), ...u32(0xffffffff), ...u32(0xffffffff)]);
/** Interface description: link type, reserved, snaplen, options. */
const interfaceDescription = (linkType = 1, options: number[] = []): number[] =>
  block(1, [...u16(linkType), 0, 0, ...u32(0), ...options]);
/** Enhanced packet: interface, timestamp high and low, captured and wire length, data. */
const enhancedPacket = (interfaceId: number, data: number[]): number[] =>
  block(6, [...u32(interfaceId), ...u32(0), ...u32(1000), ...u32(data.length), ...u32(data.length), ...pad(data)]);

/** Walks `bytes`, returning the records delivered and the error. */
function walk(bytes: number[]): { records: CaptureRecord[]; error: CaptureFormatError } {
  const records: CaptureRecord[] = [];
  try {
    walkCapture(Uint8Array.from(bytes), (record) => { records.push(record.snapshot()); });
  } catch (error) {
    if (error instanceof CaptureFormatError) return { records, error };
    throw error;
  }
  throw new Error('no error');
}

describe('pcapng structure errors', () => {
  const good = [...sectionHeader(), ...interfaceDescription(), ...enhancedPacket(0, [1, 2, 3])];

  it('a bad byte-order magic in a later section header', () => {
    const { records, error } = walk([...good, ...sectionHeader(1, 0, 0x11223344)]);
    expect(records.length).toBe(1);
    expect(error.offset).toBe(good.length + 8);
    expect(error.problem).toMatch(/bad byte-order magic 0x44332211/);
  });

  it('an unsupported major version', () => {
    const { records, error } = walk([...good, ...sectionHeader(2, 0)]);
    expect(records.length).toBe(1);
    expect(error.offset).toBe(good.length + 12);
    expect(error.problem).toBe('unsupported pcapng version 2.0 (expected 1.x)');
  });

  it('a packet of an interface not (yet) described, also after a new section resets the interfaces', () => {
    const early = walk([...sectionHeader(), ...enhancedPacket(0, [1])]);
    expect(early.error.offset).toBe(28 + 8);
    expect(early.error.problem).toMatch(/refers to interface 0 but its section has 0 interface/);
    const later = walk([...good, ...sectionHeader(), ...enhancedPacket(0, [9])]);
    expect(later.records.map((r) => [...r.data])).toEqual([[1, 2, 3]]);
    expect(later.error.offset).toBe(good.length + 28 + 8);
  });

  it('an if_tsresol of the wrong length and an option that overruns its block', () => {
    const resolution = walk([...sectionHeader(), ...interfaceDescription(1, [...option(9, [6, 6]), ...endOfOptions])]);
    expect(resolution.error.offset).toBe(28 + 16);
    expect(resolution.error.problem).toMatch(/if_tsresol has length 2, expected 1/);
    // An if_name claiming 200 bytes inside a block that holds 8 option bytes.
    const overrun = walk([...sectionHeader(), ...block(1, [...u16(1), 0, 0, ...u32(0), ...u16(2), ...u16(200), 65, 66, 67, 68])]);
    expect(overrun.error.offset).toBe(28 + 16);
    expect(overrun.error.problem).toMatch(/option 2 of the interface description block has length 200, which overruns the block/);
  });

  it('a total length that is no multiple of 4, and a captured length beyond its block', () => {
    const odd = [...good, ...u32(6), ...u32(13), 0, 0, 0, 0, 0];
    expect(walk(odd).error.offset).toBe(good.length + 4);
    expect(walk(odd).error.problem).toMatch(/bad total length 13/);
    const packet = enhancedPacket(0, [1, 2, 3, 4]);
    packet.splice(20, 4, ...u32(400)); // captured length field of the block
    const overrun = walk([...good, ...packet]);
    expect(overrun.records.length).toBe(1);
    expect(overrun.error.offset).toBe(good.length + 20);
    expect(overrun.error.problem).toMatch(/captured length 400 overruns its total length 36/);
  });

  it('a trailing total length that disagrees', () => {
    const { records, error } = walk([...good, ...block(6, [...u32(0), ...u32(0), ...u32(0), ...u32(0), ...u32(0)], 99)]);
    expect(records.length).toBe(1);
    expect(error.offset).toBe(good.length + 32 - 4);
    expect(error.problem).toMatch(/at offset 84 has a trailing total length 99 that disagrees with its leading 32/);
  });
});
