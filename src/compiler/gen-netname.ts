/**
 * `[ip|arp|rarp|decnet] [dir] net NAME`: a network name the parser resolved (through the parse options'
 * network resolver) to an IPv4 network number, left-justified with its mask as libpcap's gen_scode does
 * (`127` -> 127.0.0.0/8, `127.0.0.0` -> the single address 127.0.0.0/32).
 */
import type { QualifiedPrimitive } from '../filter/ast.js';
import { CompileError } from './errors.js';
import type { Cond } from './cond.js';
import { genDecnetHost } from './gen-decnet.js';
import { genIpv4Host, type Direction } from './gen-ip.js';
import type { CompileState } from './state.js';

/** Left-justifies a right-aligned network number: the address and mask libpcap derives from it. */
export function leftJustifyNetwork(network: number): { address: number; mask: number } {
  let address = network >>> 0;
  let mask = 0xffffffff;
  while (address !== 0 && (address & 0xff000000) === 0) {
    address = (address << 8) >>> 0;
    mask = (mask << 8) >>> 0;
  }
  return { address, mask };
}

/** `net NAME` with a resolved name; undefined for any other primitive. */
export function genNetworkName(state: CompileState, q: QualifiedPrimitive): Cond | undefined {
  const id = q.id;
  if (q.type !== 'net' || id.kind !== 'name') return undefined;
  if (id.network === undefined) throw new CompileError(`unknown network '${id.name}' (parse with a network resolver to use network names)`);
  const { address, mask } = leftJustifyNetwork(id.network);
  if (q.proto === 'decnet') return genDecnetHost(state, address, q.dir as Direction);
  return genIpv4Host(state, address, mask, q.proto, q.dir as Direction, 'net');
}
