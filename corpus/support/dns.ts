/** A DNS message builder (RFC 1035) for the corpus's UDP payloads: one question, optionally one A answer. */
import { parseIpv4Address } from '../../src/packet/build/bytes.js';

/** The fields of a DNS message the corpus sets. */
export interface DnsMessage {
  id: number;
  /** True for a response (QR bit, the top bit of the byte after the id: udp[10] & 0x80). */
  response: boolean;
  recursionDesired?: boolean;
  name: string;
  /** QTYPE (1 = A, 28 = AAAA). */
  questionType?: number;
  /** An A record answering the question, in a response. */
  answer?: { address: string; ttl: number };
}

function encodeName(name: string): number[] {
  const out: number[] = [];
  for (const label of name.split('.').filter((l) => l.length > 0)) {
    if (label.length > 63) throw new Error(`dns: label too long in ${name}`);
    out.push(label.length, ...new TextEncoder().encode(label));
  }
  out.push(0);
  return out;
}

/** Encodes a DNS message with a 12-byte header, one question and at most one answer (name compressed to the question). */
export function encodeDns(message: DnsMessage): Uint8Array {
  const bytes: number[] = [];
  const flags = (message.response ? 0x8000 : 0) | (message.recursionDesired ?? true ? 0x0100 : 0) | (message.response ? 0x0080 : 0);
  const answers = message.answer ? 1 : 0;
  bytes.push(message.id >> 8, message.id & 0xff, flags >> 8, flags & 0xff, 0, 1, 0, answers, 0, 0, 0, 0);
  const type = message.questionType ?? 1;
  bytes.push(...encodeName(message.name), type >> 8, type & 0xff, 0, 1);
  if (message.answer) {
    const address = parseIpv4Address(message.answer.address);
    if (!address) throw new Error(`dns: bad address ${message.answer.address}`);
    const ttl = message.answer.ttl;
    // Name: pointer to the question name at offset 12; type A, class IN, TTL, RDLENGTH 4, the address.
    bytes.push(0xc0, 12, 0, 1, 0, 1, ttl >>> 24, (ttl >>> 16) & 0xff, (ttl >>> 8) & 0xff, ttl & 0xff, 0, 4, ...address);
  }
  return Uint8Array.from(bytes);
}
