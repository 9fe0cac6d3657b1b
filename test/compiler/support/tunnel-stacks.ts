/**
 * Generated tunnel stacks for the decoder-oracle tests: Ethernet with 0–2 outer VLAN tags, outer IPv4 (with
 * options, later fragments) or IPv6 (sometimes with an extension header first), then GRE (every C/K/S
 * combination, carrying Ethernet, IPv4 or IPv6), VXLAN or Geneve (with options, carrying Ethernet or IP),
 * optionally a second tunnel inside, and an inner packet with 0–2 inner VLAN tags whose addresses and ports
 * come from small pools, so the tested address X and port 22 appear inside, outside, both or neither.
 * Some packets are cut short, only where a decoded layer list and a byte-level reading must agree: at a
 * layer boundary, or anywhere before the network header the outermost tunnel carries.
 */
import fc from 'fast-check';
import { buildPacketLayers, type BuildLayerSpec } from '../../../src/packet/build/index.js';

/** The address the oracle expressions look for. */
export const TUNNEL_X = '10.5.5.5';

const address = fc.constantFrom(TUNNEL_X, '10.5.5.6', '192.0.2.1');
const address6 = fc.constantFrom('2001:db8::1', '2001:db8::5');
const port = fc.constantFrom(22, 22, 80, 1234, 50000);
const empty = new Uint8Array(0);
const ipv4Options = fc.constantFrom(empty, empty, new Uint8Array([1, 1, 1, 1]), new Uint8Array([1, 1, 1, 1, 1, 1, 1, 0]));

const vlanTag = fc.record({ tpid: fc.constantFrom(0x8100, 0x88a8, 0x9100), vlanId: fc.constantFrom(100, 200, 4095) })
  .map((t): BuildLayerSpec => ({ type: 'vlan', ...t }));

const ipv4 = (fragments: boolean) => fc.record({
  source: address, destination: address, options: ipv4Options,
  fragOffset: fragments ? fc.constantFrom(0, 0, 0, 0, 0, 185) : fc.constant(0),
  moreFragments: fc.boolean(),
}).map((f): BuildLayerSpec => ({ type: 'ipv4', ...f }));

const ipv6 = fc.record({ source: address6, destination: address6 }).map((f): BuildLayerSpec => ({ type: 'ipv6', ...f }));

const transport = fc.oneof(
  { arbitrary: fc.record({ sourcePort: port, destinationPort: port }).map((f): BuildLayerSpec[] => [{ type: 'tcp', ...f }, { type: 'payload', data: new Uint8Array([1, 2, 3]) }]), weight: 3 },
  fc.record({ sourcePort: port, destinationPort: port }).map((f): BuildLayerSpec[] => [{ type: 'udp', ...f }]),
  fc.constant<BuildLayerSpec[]>([{ type: 'icmp', icmpType: 8, code: 0 }]),
  fc.constant<BuildLayerSpec[]>([]),
);

/** An inner network packet: IPv4 or IPv6 with a transport (inner fragments too), or ARP when Ethernet carries it. */
const network = (arp: boolean): fc.Arbitrary<BuildLayerSpec[]> => fc.oneof(
  fc.tuple(ipv4(true), transport).map(([ip, t]) => [ip, ...t]),
  fc.tuple(ipv6, transport).map(([ip, t]) => [ip, ...t]),
  ...(arp ? [fc.constant<BuildLayerSpec[]>([{ type: 'arp', operation: 1, senderProtocolAddress: TUNNEL_X, targetProtocolAddress: '10.5.5.6' }])] : []),
);

/**
 * Layers a tunnel carries: an Ethernet frame (0–2 VLAN tags) or an IP packet (which may itself be a tunnel).
 * `network` is the index, within `layers`, of the first network header reached from the start (0 for an IP
 * packet); for a tunnel over IP, `carried` is the index of the network header that tunnel carries.
 */
interface Carried { layers: BuildLayerSpec[]; network: number; ethernet: boolean; carried?: number }

const ethernetFrame = (inner: fc.Arbitrary<Carried>): fc.Arbitrary<Carried> => fc.tuple(fc.array(vlanTag, { maxLength: 2 }), inner)
  .map(([tags, rest]) => ({ layers: [{ type: 'ethernet', source: '02:00:00:00:00:0a', destination: '02:00:00:00:00:0b' } as BuildLayerSpec, ...tags, ...rest.layers], network: 1 + tags.length + rest.network, ethernet: true }));

const leaf = (arp: boolean): fc.Arbitrary<Carried> => network(arp).map((layers) => ({ layers, network: 0, ethernet: false }));

/** The protocol type announcing `inner`. */
const protocolTypeOf = (inner: Carried): number => (inner.ethernet ? 0x6558 : inner.layers[0]!.type === 'ipv6' ? 0x86dd : 0x0800);

/** A tunnel header (GRE, or UDP + VXLAN / Geneve) and what it carries; `network` is the carried network header. */
const gre = (carried: fc.Arbitrary<Carried>): fc.Arbitrary<Carried> => fc.tuple(
  fc.record({ checksumPresent: fc.boolean(), keyPresent: fc.boolean(), sequencePresent: fc.boolean(), key: fc.constantFrom(42, 7) }), carried,
).map(([flags, inner]) => {
  const header: BuildLayerSpec = {
    type: 'gre', protocolType: protocolTypeOf(inner), checksumPresent: flags.checksumPresent, keyPresent: flags.keyPresent, sequencePresent: flags.sequencePresent,
    ...(flags.keyPresent ? { key: flags.key } : {}), ...(flags.sequencePresent ? { sequenceNumber: 99 } : {}),
  };
  return { layers: [header, ...inner.layers], network: 1 + inner.network, ethernet: false };
});

const vxlan = (frame: fc.Arbitrary<Carried>): fc.Arbitrary<Carried> => fc.tuple(fc.constantFrom(4789, 4789, 4789, 4790), fc.constantFrom(7, 8), frame)
  .map(([destinationPort, vni, inner]) => ({
    layers: [{ type: 'udp', sourcePort: 50000, destinationPort } as BuildLayerSpec, { type: 'vxlan', vni } as BuildLayerSpec, ...inner.layers],
    network: 2 + inner.network, ethernet: false,
  }));

const geneveOption = fc.record({ optionClass: fc.constantFrom(0x0102, 0xffff), type: fc.constantFrom(0x01, 0x80), data: fc.constantFrom(empty, new Uint8Array(4), new Uint8Array(8)) });

const geneve = (carried: fc.Arbitrary<Carried>): fc.Arbitrary<Carried> => fc.tuple(fc.constantFrom(7, 8), fc.array(geneveOption, { maxLength: 2 }), carried)
  .map(([vni, options, inner]) => ({
    layers: [{ type: 'udp', sourcePort: 50000, destinationPort: 6081 } as BuildLayerSpec, { type: 'geneve', vni, protocolType: protocolTypeOf(inner), options } as BuildLayerSpec, ...inner.layers],
    network: 2 + inner.network, ethernet: false,
  }));

/** An IP header (IPv4 or IPv6, sometimes with an extension header first) carrying a tunnel; an IP packet itself (network 0). */
const overIp = (tunnelled: fc.Arbitrary<Carried>): fc.Arbitrary<Carried> => fc.tuple(fc.oneof(ipv4(true), ipv6), fc.integer({ min: 0, max: 5 }), tunnelled)
  .map(([ip, extension, inner]) => {
    const layers: BuildLayerSpec[] = [ip];
    if (ip.type === 'ipv6' && extension === 0) layers.push({ type: 'ipv6Extension', headerType: 0 } as BuildLayerSpec);
    const carried = layers.length + inner.network;
    layers.push(...inner.layers);
    return { layers, network: 0, ethernet: false, carried };
  });

/** Which stacks to generate: `nested` puts a second tunnel inside the first (always). */
export interface TunnelStackOptions { nested?: boolean }

/** A tunnel (GRE, VXLAN or Geneve) over IP carrying what `inner` gives (Ethernet frames add ARP to the inner packets). */
const tunnel = (inner: (viaEthernet: boolean) => fc.Arbitrary<Carried>): fc.Arbitrary<Carried> => fc.oneof(
  overIp(gre(fc.oneof(ethernetFrame(inner(true)), inner(false)))),
  overIp(vxlan(ethernetFrame(inner(true)))),
  overIp(geneve(fc.oneof(ethernetFrame(inner(true)), inner(false)))),
);

/** A generated packet with a description for messages. */
export interface TunnelPacket { data: Uint8Array; wireLength: number; label: string }

/** Generated tunnel packets (outer Ethernet, outer VLAN tags, a tunnel, maybe a nested one), some cut short. */
export function arbitraryTunnelPacket(options: TunnelStackOptions = {}): fc.Arbitrary<TunnelPacket> {
  const simple = tunnel((viaEthernet) => leaf(viaEthernet));
  const body = options.nested ? tunnel(() => tunnel((e) => leaf(e))) : simple;
  const outerTags = fc.oneof({ arbitrary: fc.constant<BuildLayerSpec[]>([]), weight: 2 }, fc.array(vlanTag, { minLength: 1, maxLength: 2 }));
  return fc.tuple(outerTags, body, fc.nat(), fc.integer({ min: 0, max: 9 })).map(([tags, inner, cutSeed, cutKind]) => {
    const outer: BuildLayerSpec[] = [{ type: 'ethernet', source: '02:00:00:00:00:01', destination: '02:00:00:00:00:02' }, ...tags];
    const stack = [...outer, ...inner.layers];
    const built = buildPacketLayers(stack);
    // The network header the outermost tunnel carries: every inner primitive reads at or after it.
    const networkStart = built.offsets[outer.length + inner.carried!] ?? built.data.length;
    let cut = built.data.length;
    let how = 'whole';
    if (cutKind === 8) {
      // At a layer boundary (the layer at that offset and everything after it are missing).
      const index = 1 + (cutSeed % (built.offsets.length - 1));
      cut = built.offsets[index]!;
      how = `cut at layer ${index} (${stack[index]!.type})`;
    } else if (cutKind === 9) {
      // Anywhere before the carried network header: nothing the inner primitives read is there.
      cut = 1 + (cutSeed % Math.max(1, networkStart - 1));
      how = `cut at ${cut} before the inner network header at ${networkStart}`;
    }
    const data = built.data.slice(0, cut);
    return { data, wireLength: built.data.length, label: `${stack.map((s) => s.type + ('vlanId' in s ? s.vlanId : '')).join('/')} ${how}` };
  });
}
