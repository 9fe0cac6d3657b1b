/**
 * Reading and checking the fields of a layer spec: every number is checked against the width of its
 * field on the wire, so a bad value fails with a message naming the layer, its position and the field.
 */
import { parseIpv4Address, parseIpv6Address, parseMacAddress } from './bytes.js';
import { PacketBuildError } from './errors.js';

/** Where a layer sits in the stack, for error messages. */
export interface LayerPosition { index: number; type: string }

/** Describes a field for an error message: `layer 2 (ipv4) field ttl`. */
export function describeField(position: LayerPosition, name: string): string {
  return `layer ${position.index} (${position.type}) field ${name}`;
}

/** Shows any value in an error message without ever throwing (objects without a prototype, symbols, cycles). */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value === undefined || value === null) return String(value);
  if (typeof value === 'symbol') return value.description === undefined ? 'a symbol' : `symbol ${value.description}`;
  if (typeof value === 'function') return 'a function';
  if (value instanceof Uint8Array) return `a Uint8Array of ${value.length} bytes`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return 'an object';
}

/** Fails with a PacketBuildError naming the layer and field. */
export function failField(position: LayerPosition, name: string, problem: string): never {
  throw new PacketBuildError(`${describeField(position, name)}: ${problem}`, position.index, name);
}

/** An unsigned integer field of `bits` bits: the given value, checked, or the fallback. */
export function uintField(position: LayerPosition, name: string, value: unknown, bits: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= 2 ** bits) {
    failField(position, name, `${showValue(value)} is not an unsigned ${bits}-bit integer`);
  }
  return value;
}

/** A boolean flag field: the given value, checked, or the fallback. */
export function boolField(position: LayerPosition, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') failField(position, name, `${showValue(value)} is not a boolean`);
  return value;
}

/** A byte-string field: the given bytes, checked, or the fallback. */
export function bytesField(position: LayerPosition, name: string, value: unknown, fallback: Uint8Array): Uint8Array {
  if (value === undefined) return fallback;
  if (!(value instanceof Uint8Array)) failField(position, name, 'is not a Uint8Array');
  return value;
}

/** A MAC address field as bytes: the given text, checked, or the fallback text. */
export function macField(position: LayerPosition, name: string, value: unknown, fallback: string): Uint8Array {
  const text = value ?? fallback;
  const bytes = typeof text === 'string' ? parseMacAddress(text) : undefined;
  if (!bytes) failField(position, name, `${showValue(text)} is not a MAC address (aa:bb:cc:dd:ee:ff)`);
  return bytes;
}

/** An IPv4 address field as bytes: the given text, checked, or the fallback text. */
export function ipv4Field(position: LayerPosition, name: string, value: unknown, fallback: string): Uint8Array {
  const text = value ?? fallback;
  const bytes = typeof text === 'string' ? parseIpv4Address(text) : undefined;
  if (!bytes) failField(position, name, `${showValue(text)} is not an IPv4 address (dotted quad)`);
  return bytes;
}

/** An IPv6 address field as bytes: the given text, checked, or the fallback text. */
export function ipv6Field(position: LayerPosition, name: string, value: unknown, fallback: string): Uint8Array {
  const text = value ?? fallback;
  const bytes = typeof text === 'string' ? parseIpv6Address(text) : undefined;
  if (!bytes) failField(position, name, `${showValue(text)} is not an IPv6 address`);
  return bytes;
}
