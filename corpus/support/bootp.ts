/** A BOOTP/DHCP message builder (RFC 951, RFC 2131, options of RFC 2132) for the corpus's UDP payloads. */
import { parseIpv4Address, parseMacAddress } from '../../src/packet/build/bytes.js';

/** BOOTP op codes. */
export const BootpOp = { request: 1, reply: 2 } as const;
/** DHCP message types (option 53). */
export const DhcpMessageType = { discover: 1, offer: 2, request: 3, decline: 4, ack: 5, nak: 6, release: 7 } as const;

/** The fields of a BOOTP message the corpus sets; the rest are zero. */
export interface BootpMessage {
  op: number; xid: number; hops?: number; secs?: number; broadcast?: boolean;
  ciaddr?: string; yiaddr?: string; siaddr?: string; giaddr?: string; chaddr: string;
  /** DHCP options as (code, value bytes), written after the magic cookie and ended with option 255. */
  options: [number, Uint8Array][];
}

function address(text: string | undefined): Uint8Array {
  if (text === undefined) return new Uint8Array(4);
  const bytes = parseIpv4Address(text);
  if (!bytes) throw new Error(`bootp: bad address ${text}`);
  return bytes;
}

/** A 4-byte option value from an IPv4 address. */
export function addressOption(text: string): Uint8Array {
  return address(text);
}

/** A 4-byte option value from a number of seconds. */
export function secondsOption(seconds: number): Uint8Array {
  return Uint8Array.of(seconds >>> 24, (seconds >>> 16) & 0xff, (seconds >>> 8) & 0xff, seconds & 0xff);
}

/** Encodes a BOOTP message: 236 fixed bytes, the DHCP magic cookie, the options, padded to the 300-byte BOOTP minimum. */
export function encodeBootp(message: BootpMessage): Uint8Array {
  const optionBytes = message.options.reduce((sum, [, value]) => sum + 2 + value.length, 0) + 1;
  const out = new Uint8Array(Math.max(300, 240 + optionBytes));
  const view = new DataView(out.buffer);
  out[0] = message.op;
  out[1] = 1; // htype Ethernet
  out[2] = 6; // hlen
  out[3] = message.hops ?? 0;
  view.setUint32(4, message.xid);
  view.setUint16(8, message.secs ?? 0);
  view.setUint16(10, message.broadcast ? 0x8000 : 0);
  out.set(address(message.ciaddr), 12);
  out.set(address(message.yiaddr), 16);
  out.set(address(message.siaddr), 20);
  out.set(address(message.giaddr), 24);
  const chaddr = parseMacAddress(message.chaddr);
  if (!chaddr) throw new Error(`bootp: bad chaddr ${message.chaddr}`);
  out.set(chaddr, 28);
  out.set([0x63, 0x82, 0x53, 0x63], 236);
  let offset = 240;
  for (const [code, value] of message.options) {
    out[offset] = code;
    out[offset + 1] = value.length;
    out.set(value, offset + 2);
    offset += 2 + value.length;
  }
  out[offset] = 255;
  return out;
}
