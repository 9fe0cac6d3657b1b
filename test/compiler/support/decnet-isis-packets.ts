/**
 * Packets aimed at `decnet host` and the IS-IS keywords for the differential harness, built by hand because
 * the packet builders have no DECnet or IS-IS layer. The lower layers come from buildPacket; the DECnet and
 * IS-IS bytes are laid out here:
 *
 * DECnet Phase IV routing header (after EtherType 0x6003 or PPP protocol 0x0027), every field little-endian:
 *   length(2) [pad(1): 0x80 | pad count] flags(1: low 3 bits 2 = short, 6 = long data packet) then
 *   short: destination(2) source(2) forward(1)
 *   long:  d-area(1) d-subarea(1) d-id(6: HIORD aa-00-04-00 + address) s-area(1) s-subarea(1) s-id(6) nl2 visit class pt
 * An address is area << 10 | node (area 6 bits, node 10 bits).
 *
 * IS-IS (after 802.2 LLC fe fe 03): NLPID 0x83, header length, version 1, ID length 0, PDU type (low 5 bits),
 * version 1, reserved, maximum area addresses.
 */
import { LinkType } from '../../../src/capture/linktype.js';
import { buildPacket } from '../../../src/packet/build/index.js';
import type { BuildLayerSpec as LayerSpec } from '../../../src/packet/build/index.js';
import type { HarnessPacket } from './packets.js';

/** DECnet addresses the corpus names (1.2, 63.1023, 1.1024 -> 1.0, 64.1 -> 0.1, 70000 -> 0x1170…). */
const DECNET_ADDRESSES = [0x0402, 0xffff, 0x0400, 0x0001, 0x0403, 0x0c03, 0x1406, 0x0803, 0x1170, 0x000a, 0x0000, 0x0802];
const ETHER_DECNET = 0x6003;
const PPP_DECNET = 0x0027;

const le16 = (value: number): number[] => [value & 0xff, value >>> 8];

/** A DECnet routing header: `padding` bytes (0, 1 or 2), short or long format, `flags` overriding the format's. */
export function decnetRoutingHeader(destination: number, source: number, long: boolean, padding: number, flags?: number): Uint8Array {
  const format = flags ?? (long ? 0x06 : 0x02);
  const pad = padding > 0 ? [0x80 | padding, ...new Array<number>(padding - 1).fill(0)] : [];
  const hiord = [0xaa, 0x00, 0x04, 0x00];
  const body = long
    ? [format, 0, 0, ...hiord, ...le16(destination), 0, 0, ...hiord, ...le16(source), 0, 0, 0, 0]
    : [format, ...le16(destination), ...le16(source), 0];
  const rest = [...pad, ...body];
  return new Uint8Array([...le16(rest.length), ...rest]);
}

/** An IS-IS common header with `pduType`, padded to 27 bytes like a small hello. */
export function isisHeader(pduType: number, nlpid = 0x83): Uint8Array {
  const bytes = new Uint8Array(27);
  bytes.set([nlpid, 27, 1, 0, pduType, 1, 0, 0]);
  return bytes;
}

/** Every routing header variant for a few address pairs: pad 0/1/2, short/long, and wrong format bits. */
function decnetPayloads(): Uint8Array[] {
  const payloads: Uint8Array[] = [];
  DECNET_ADDRESSES.forEach((address, i) => {
    const other = DECNET_ADDRESSES[(i + 5) % DECNET_ADDRESSES.length]!;
    for (const long of [false, true]) {
      for (const padding of [0, 1]) {
        payloads.push(decnetRoutingHeader(address, other, long, padding));
        payloads.push(decnetRoutingHeader(other, address, long, padding));
      }
      payloads.push(decnetRoutingHeader(address, address, long, i % 2));
    }
  });
  // libpcap recognises only one pad byte (0x81) and the format bits 2 and 6: these must never match.
  payloads.push(decnetRoutingHeader(0x0402, 0x0402, false, 2), decnetRoutingHeader(0x0402, 0x0402, true, 2));
  payloads.push(decnetRoutingHeader(0x0402, 0x0402, false, 0, 0x0a), decnetRoutingHeader(0x0402, 0x0402, true, 1, 0x0e));
  payloads.push(decnetRoutingHeader(0x0402, 0x0402, false, 0, 0x01));
  return payloads;
}

/** IS-IS PDUs of every type the keywords name, one unknown type, and CLNP / ES-IS NLPIDs. */
function osiPayloads(): Uint8Array[] {
  const payloads = [15, 16, 17, 18, 20, 24, 25, 26, 27, 1, 0x3f].map((type) => isisHeader(type));
  payloads.push(isisHeader(18, 0x81), isisHeader(18, 0x82));
  return payloads;
}

const payload = (data: Uint8Array): LayerSpec => ({ type: 'payload', data });

/** Link-layer prefixes that carry `etherType` / an 802.2 frame on `linkType`. */
function framings(linkType: number): { decnet: LayerSpec[][]; llc: LayerSpec[][] } {
  const eth = (etherType: number): LayerSpec => ({ type: 'ethernet', destination: 'aa:00:04:00:02:04', source: 'aa:00:04:00:03:04', etherType });
  switch (linkType) {
    case LinkType.EN10MB:
      return {
        decnet: [
          [eth(ETHER_DECNET)],
          [eth(0x8100), { type: 'vlan', vlanId: 10, etherType: ETHER_DECNET }],
          [eth(0x8864), { type: 'pppoe', sessionId: 3, pppProtocol: PPP_DECNET }],
        ],
        llc: [
          [eth(0), { type: 'llc', dsap: 0xfe, ssap: 0xfe, control: 0x03 }],
          [eth(0x8100), { type: 'vlan', vlanId: 10, etherType: 0 }, { type: 'llc', dsap: 0xfe, ssap: 0xfe, control: 0x03 }],
        ],
      };
    case LinkType.LINUX_SLL: case LinkType.LINUX_SLL2: {
      const type = linkType === LinkType.LINUX_SLL ? 'linuxSll' : 'linuxSll2';
      const cooked = (protocol: number): LayerSpec => ({ type, protocol } as LayerSpec);
      return { decnet: [[cooked(ETHER_DECNET)]], llc: [[cooked(0x0004), { type: 'llc', dsap: 0xfe, ssap: 0xfe, control: 0x03 }], [cooked(0x00fe)]] };
    }
    default: return { decnet: [], llc: [] };
  }
}

/** Aimed DECnet and IS-IS packets for `linkType` (none on link types that cannot carry them), each also cut short. */
export function decnetIsisPackets(linkType: number): HarnessPacket[] {
  const { decnet, llc } = framings(linkType);
  const packets: HarnessPacket[] = [];
  const add = (prefix: LayerSpec[], data: Uint8Array, label: string, cuts: boolean): void => {
    const frame = buildPacket([...prefix, payload(data)]);
    packets.push({ data: frame, wireLength: frame.length, label });
    if (cuts) for (let cut = frame.length - 1; cut > frame.length - data.length; cut -= 3) packets.push({ data: frame.slice(0, cut), wireLength: frame.length, label: `${label} snapped at ${cut}` });
  };
  decnet.forEach((prefix, p) => decnetPayloads().forEach((data, i) => add(prefix, data, `decnet ${p}/${i}`, i % 7 === 0)));
  llc.forEach((prefix, p) => osiPayloads().forEach((data, i) => add(prefix, data, `is-is ${p}/${i}`, i % 4 === 0)));
  return packets;
}
