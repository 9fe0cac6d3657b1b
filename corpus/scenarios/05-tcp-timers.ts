/**
 * Scenario 5 (seeds/004, first part): TCP timers on the wire. An internal client's SYN is dropped
 * and retried with exponential spacing (1 s, 3 s, 7 s, 15 s, 31 s, 63 s marks); an external client's
 * SYN is answered by a SYN+ACK that is retried until the final ACK arrives; then data, a zero-window
 * advertisement with window probes, keepalive probes (ACK, no data, one below the next sequence
 * number), retransmitted data, a RST, and an internal connection closed with FIN. Timestamps carry
 * nanoseconds; the microsecond captures keep them truncated.
 */
import type { BuildLayerSpec } from '../../src/packet/build/index.js';
import type { TcpOption } from '../../src/packet/layers.js';
import { frame } from '../support/frames.js';
import type { CorpusFrame } from '../support/frames.js';
import { utcNs } from '../support/time.js';

/** The hosts of scenario 5 (the story's host.1 and host.2, plus an external client). */
export const TCP_TIMERS = {
  serverMac: '02:42:0a:00:00:01', serverAddress: '10.0.0.1', serverPort: 1,
  clientMac: '02:42:0a:00:00:02', clientAddress: '10.0.0.2', clientPort: 2,
  gatewayMac: '02:42:0a:00:00:fe', externalAddress: '198.51.100.7', externalPort: 2,
  /** Where the dropped SYN's retries fall, in seconds after the first (from the story's tcpdump). */
  synRetries: [1.028, 3.044, 7.236, 15.427, 31.560, 64.324],
  /** Where the SYN+ACK retries fall after the first SYN+ACK. */
  synAckRetries: [1.033, 3.045, 7.301],
} as const;

const S = TCP_TIMERS;
const none = new Uint8Array(0);
const nop: TcpOption = { kind: 1, data: none };

/** SYN options as Linux sends them: MSS 1460, SACK permitted, timestamps, NOP, window scale 7 (20 bytes: data offset 10). */
function synOptions(tsval: number, tsecr: number): TcpOption[] {
  return [
    { kind: 2, data: Uint8Array.of(0x05, 0xb4) }, { kind: 4, data: none },
    { kind: 8, data: timestamps(tsval, tsecr) }, nop, { kind: 3, data: Uint8Array.of(7) },
  ];
}

function timestamps(tsval: number, tsecr: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setUint32(0, tsval >>> 0);
  new DataView(out.buffer).setUint32(4, tsecr >>> 0);
  return out;
}

/** Established-state options: NOP, NOP, timestamps (12 bytes: data offset 8). */
function establishedOptions(tsval: number, tsecr: number): TcpOption[] {
  return [nop, nop, { kind: 8, data: timestamps(tsval, tsecr) }];
}

interface Segment {
  at: bigint; note: string; fromServer: boolean; external: boolean; clientPort?: number;
  seq: number; ack?: number; flags: number; window: number; options: TcpOption[]; data?: Uint8Array; identification: number;
}

function segment(s: Segment): CorpusFrame {
  const peerAddress = s.external ? S.externalAddress : S.clientAddress;
  const peerMac = s.external ? S.gatewayMac : S.clientMac;
  const peerPort = s.clientPort ?? (s.external ? S.externalPort : S.clientPort);
  const stack: BuildLayerSpec[] = [
    { type: 'ethernet', source: s.fromServer ? S.serverMac : peerMac, destination: s.fromServer ? peerMac : S.serverMac },
    { type: 'ipv4', source: s.fromServer ? S.serverAddress : peerAddress, destination: s.fromServer ? peerAddress : S.serverAddress, ttl: s.fromServer || !s.external ? 64 : 52, dontFragment: true, identification: s.identification },
    {
      type: 'tcp', sourcePort: s.fromServer ? S.serverPort : peerPort, destinationPort: s.fromServer ? peerPort : S.serverPort,
      sequenceNumber: s.seq >>> 0, acknowledgmentNumber: (s.ack ?? 0) >>> 0, flags: s.flags, window: s.window, options: s.options,
    },
  ];
  if (s.data && s.data.length > 0) stack.push({ type: 'payload', data: s.data });
  return frame(s.at, s.note, stack);
}

const SYN = 0x02, ACK = 0x10, PSH = 0x08, RST = 0x04, FIN = 0x01;

/** The frames of 05-tcp-timers.pcap (and its nanosecond and pcapng twins), in capture order. */
export function tcpTimersFrames(): CorpusFrame[] {
  const start = utcNs('2019-09-30T10:12:01', 417_006_219n);
  // Offsets from the start in nanoseconds: whole story-seconds plus a few hundred odd nanoseconds, so truncation to microseconds shows.
  const t = (seconds: number, extraNs = 0): bigint => start + BigInt(Math.round(seconds * 1e6)) * 1000n + BigInt(extraNs);
  const frames: CorpusFrame[] = [];
  // SYN-SENT: the internal client's SYNs are all dropped.
  const clientIsn = 0x9c3e2a10;
  [0, ...S.synRetries].forEach((mark, i) => frames.push(segment({
    at: t(mark, 137 + 41 * i), note: i === 0 ? 'initial SYN 10.0.0.2:2 -> 10.0.0.1:1 (dropped)' : `SYN retry ${i} at ${mark} s`, fromServer: false, external: false,
    seq: clientIsn, flags: SYN, window: 64240, options: synOptions(1_000_000 + Math.round(mark * 1000), 0), identification: 0x5a10 + i,
  })));
  // SYN-RECV: an external client's SYN, the SYN+ACK retried until the final ACK gets through.
  const base = 70;
  const externalIsn = 0x11e0a5f3;
  const serverIsn = 0x6d7b0e01;
  frames.push(segment({ at: t(base, 903), note: 'SYN from the external client 198.51.100.7:2', fromServer: false, external: true, seq: externalIsn, flags: SYN, window: 64240, options: synOptions(77_000_100, 0), identification: 0x0101 }));
  [0, ...S.synAckRetries].forEach((mark, i) => frames.push(segment({
    at: t(base + 0.000021 + mark, 311 + 7 * i), note: i === 0 ? 'initial SYN+ACK (its ACK is lost)' : `SYN+ACK retry ${i} at ${mark} s`, fromServer: true, external: true,
    seq: serverIsn, ack: externalIsn + 1, flags: SYN | ACK, window: 65160, options: synOptions(2_000_000 + Math.round(mark * 1000), 77_000_100), identification: 0,
  })));
  const established = base + 7.302;
  let clientSeq = externalIsn + 1;
  let serverSeq = serverIsn + 1;
  frames.push(segment({ at: t(established, 5), note: 'the final ACK completes the handshake', fromServer: false, external: true, seq: clientSeq, ack: serverSeq, flags: ACK, window: 502, options: establishedOptions(77_007_400, 2_007_301), identification: 0x0102 }));
  // Data, then the server's receive window fills: zero-window advertisement and the client's window probes.
  const request = Uint8Array.from({ length: 1000 }, (_, i) => 0x41 + (i % 26));
  frames.push(segment({ at: t(established + 0.5, 77), note: 'data: 1000 bytes from the client', fromServer: false, external: true, seq: clientSeq, ack: serverSeq, flags: PSH | ACK, window: 502, options: establishedOptions(77_007_900, 2_007_301), data: request, identification: 0x0103 }));
  clientSeq += request.length;
  frames.push(segment({ at: t(established + 0.5001, 80), note: 'zero-window advertisement: ACK with window 0', fromServer: true, external: true, seq: serverSeq, ack: clientSeq, flags: ACK, window: 0, options: establishedOptions(2_007_802, 77_007_900), identification: 0x2001 }));
  [0.2, 0.6, 1.4].forEach((delay, i) => {
    frames.push(segment({ at: t(established + 0.5001 + delay, 13 * i), note: `window probe ${i + 1}: one byte past the zero window`, fromServer: false, external: true, seq: clientSeq, ack: serverSeq, flags: ACK, window: 502, options: establishedOptions(77_008_100 + i, 2_007_802), data: Uint8Array.of(0x5a), identification: 0x0104 + i }));
    frames.push(segment({ at: t(established + 0.5002 + delay, 3 * i), note: 'still window 0', fromServer: true, external: true, seq: serverSeq, ack: clientSeq, flags: ACK, window: 0, options: establishedOptions(2_008_000 + i, 77_008_100 + i), identification: 0x2002 + i }));
  });
  frames.push(segment({ at: t(established + 3, 1), note: 'window update: the server reads, window opens', fromServer: true, external: true, seq: serverSeq, ack: clientSeq, flags: ACK, window: 501, options: establishedOptions(2_010_400, 77_009_500), identification: 0x2005 }));
  // Keepalive probes from the server: ACK, no data, sequence number one below the next one; the client answers.
  [0, 15, 30].forEach((mark, i) => {
    frames.push(segment({ at: t(established + 60 + mark, 250 + i), note: `keepalive probe ${i + 1} (ACK, no data, seq = next - 1)`, fromServer: true, external: true, seq: serverSeq - 1, ack: clientSeq, flags: ACK, window: 501, options: establishedOptions(2_070_400 + mark * 1000, 77_009_500), identification: 0x2006 + i }));
    frames.push(segment({ at: t(established + 60.0004 + mark, 19 + i), note: 'keepalive answer from the client', fromServer: false, external: true, seq: clientSeq, ack: serverSeq, flags: ACK, window: 502, options: establishedOptions(77_070_000 + mark * 1000, 2_070_400 + mark * 1000), identification: 0x0110 + i }));
  });
  // Retransmitted data: the server's answer gets no ACK and is retransmitted with a doubling timeout.
  const answer = Uint8Array.from({ length: 100 }, (_, i) => 0x61 + (i % 26));
  [0, 0.204, 0.612, 1.428].forEach((mark, i) => frames.push(segment({
    at: t(established + 120 + mark, 61 * i), note: i === 0 ? 'data: 100 bytes from the server (never acknowledged)' : `retransmission ${i} of the same 100 bytes`, fromServer: true, external: true,
    seq: serverSeq, ack: clientSeq, flags: PSH | ACK, window: 501, options: establishedOptions(2_130_000 + Math.round(mark * 1000), 77_100_000), data: answer, identification: 0x2010 + i,
  })));
  serverSeq += answer.length;
  frames.push(segment({ at: t(established + 122, 9), note: 'RST from the external client', fromServer: false, external: true, seq: clientSeq, flags: RST, window: 0, options: [], identification: 0x0120 }));
  // An internal connection that closes normally with FIN.
  const internalIsn = 0x2b000000;
  const internalServerIsn = 0x7f000000;
  const internal = (seconds: number, extraNs: number, note: string, fromServer: boolean, seq: number, ack: number, flags: number, options: TcpOption[], identification: number, data?: Uint8Array): CorpusFrame =>
    segment({ at: t(seconds, extraNs), note, fromServer, external: false, clientPort: 3, seq, ack, flags, window: fromServer ? 509 : 502, options, identification, data });
  const hello = new TextEncoder().encode('ping\n');
  frames.push(internal(200, 1, 'internal client 10.0.0.2:3 connects: SYN', false, internalIsn, 0, SYN, synOptions(3_000_000, 0), 0x5b00));
  frames.push(internal(200.0001, 2, 'SYN+ACK', true, internalServerIsn, internalIsn + 1, SYN | ACK, synOptions(4_000_000, 3_000_000), 0));
  frames.push(internal(200.0002, 3, 'ACK', false, internalIsn + 1, internalServerIsn + 1, ACK, establishedOptions(3_000_000, 4_000_000), 0x5b01));
  frames.push(internal(200.0003, 4, 'data: 5 bytes', false, internalIsn + 1, internalServerIsn + 1, PSH | ACK, establishedOptions(3_000_000, 4_000_000), 0x5b02, hello));
  frames.push(internal(200.0004, 5, 'FIN+ACK from the client', false, internalIsn + 6, internalServerIsn + 1, FIN | ACK, establishedOptions(3_000_001, 4_000_000), 0x5b03));
  frames.push(internal(200.0005, 6, 'FIN+ACK from the server', true, internalServerIsn + 1, internalIsn + 7, FIN | ACK, establishedOptions(4_000_001, 3_000_001), 0x6c00));
  frames.push(internal(200.0006, 7, 'last ACK', false, internalIsn + 7, internalServerIsn + 2, ACK, establishedOptions(3_000_002, 4_000_001), 0x5b04));
  return frames;
}
