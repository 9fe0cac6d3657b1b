/** ARP / RARP packet builder (RFC 826) for any hardware and protocol address sizes. */
import type { ArpFields } from '../layers.js';
import { formatHexBytes, formatIpv4Address, formatMacAddress, parseHexBytes, parseIpv4Address, parseMacAddress } from './bytes.js';
import type { EncodedLayer, LayerEncodeContext, SpecOf } from './context.js';
import { failField, showValue, uintField } from './fields.js';
import type { LayerPosition } from './fields.js';

/** ARP operation codes (RFC 826, RFC 903). */
export const ArpOperation = { request: 1, reply: 2, reverseRequest: 3, reverseReply: 4 } as const;

function parseArpAddress(position: LayerPosition, name: string, value: unknown, size: number | undefined, kind: 'hardware' | 'protocol'): Uint8Array | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') failField(position, name, `${showValue(value)} is not an address string`);
  const bytes = (kind === 'hardware' ? parseMacAddress(value) : parseIpv4Address(value)) ?? parseHexBytes(value);
  if (!bytes) failField(position, name, `${showValue(value)} is not a ${kind === 'hardware' ? 'MAC' : 'IPv4'} address or hex bytes`);
  if (size !== undefined && bytes.length !== size) failField(position, name, `has ${bytes.length} bytes but the ${kind} size is ${size}`);
  return bytes;
}

function formatArpAddress(bytes: Uint8Array, kind: 'hardware' | 'protocol'): string {
  if (kind === 'hardware' && bytes.length === 6) return formatMacAddress(bytes);
  if (kind === 'protocol' && bytes.length === 4) return formatIpv4Address(bytes);
  return formatHexBytes(bytes);
}

/** Encodes an ARP packet; sizes follow the addresses given (default Ethernet/IPv4, a request from 192.0.2.1 for 192.0.2.2). */
export function encodeArpHeader(spec: SpecOf<'arp'>, context: LayerEncodeContext): EncodedLayer<{ type: 'arp' } & ArpFields> {
  const { position } = context;
  const hardwareType = uintField(position, 'hardwareType', spec.hardwareType, 16, 1);
  const protocolType = uintField(position, 'protocolType', spec.protocolType, 16, 0x0800);
  const givenHardwareSize = spec.hardwareSize === undefined ? undefined : uintField(position, 'hardwareSize', spec.hardwareSize, 8, 0);
  const givenProtocolSize = spec.protocolSize === undefined ? undefined : uintField(position, 'protocolSize', spec.protocolSize, 8, 0);
  const senderHardware = parseArpAddress(position, 'senderHardwareAddress', spec.senderHardwareAddress, givenHardwareSize, 'hardware');
  const targetHardware = parseArpAddress(position, 'targetHardwareAddress', spec.targetHardwareAddress, givenHardwareSize ?? senderHardware?.length, 'hardware');
  const senderProtocol = parseArpAddress(position, 'senderProtocolAddress', spec.senderProtocolAddress, givenProtocolSize, 'protocol');
  const targetProtocol = parseArpAddress(position, 'targetProtocolAddress', spec.targetProtocolAddress, givenProtocolSize ?? senderProtocol?.length, 'protocol');
  const hardwareSize = givenHardwareSize ?? senderHardware?.length ?? targetHardware?.length ?? 6;
  const protocolSize = givenProtocolSize ?? senderProtocol?.length ?? targetProtocol?.length ?? 4;
  const operation = uintField(position, 'operation', spec.operation, 16, ArpOperation.request);
  const pick = (given: Uint8Array | undefined, size: number, fallback: Uint8Array): Uint8Array => given ?? (size === fallback.length ? fallback : new Uint8Array(size));
  const sha = pick(senderHardware, hardwareSize, Uint8Array.of(2, 0, 0, 0, 0, 1));
  const spa = pick(senderProtocol, protocolSize, Uint8Array.of(192, 0, 2, 1));
  const tha = pick(targetHardware, hardwareSize, new Uint8Array(6));
  const tpa = pick(targetProtocol, protocolSize, Uint8Array.of(192, 0, 2, 2));
  const header = new Uint8Array(8 + 2 * hardwareSize + 2 * protocolSize);
  const view = new DataView(header.buffer);
  view.setUint16(0, hardwareType);
  view.setUint16(2, protocolType);
  header[4] = hardwareSize;
  header[5] = protocolSize;
  view.setUint16(6, operation);
  let offset = 8;
  for (const part of [sha, spa, tha, tpa]) { header.set(part, offset); offset += part.length; }
  return {
    header,
    layer: {
      type: 'arp', hardwareType, protocolType, hardwareSize, protocolSize, operation,
      senderHardwareAddress: formatArpAddress(sha, 'hardware'), senderProtocolAddress: formatArpAddress(spa, 'protocol'),
      targetHardwareAddress: formatArpAddress(tha, 'hardware'), targetProtocolAddress: formatArpAddress(tpa, 'protocol'),
    },
  };
}
