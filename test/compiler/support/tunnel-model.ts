/**
 * The decoder as the oracle for tunnel expressions: a verdict read off `decodePacket`'s layers, by walking
 * them as the filter's primitives move their offsets. The rules (what each primitive asks of the layers):
 *
 * - The "type holder" is the layer whose type field says what comes next: Ethernet and VLAN (etherType),
 *   GRE and Geneve (protocolType). The walk starts at the outer Ethernet header.
 * - `vlan [id]`: the next layer is a VLAN tag (TPID 0x8100, 0x88a8 or 0x9100), with that VLAN ID; it becomes the holder.
 * - `gre [key]`: the holder announces IPv4 or IPv6, the next layer is that IP header and the one after it GRE
 *   (directly: for IPv4 protocol 47 in a first fragment, for IPv6 next header 47 with no extension header
 *   between), version 0, with the K bit set and that key when a key is written. GRE protocol 0x6558 makes the
 *   inner Ethernet header the holder; otherwise GRE itself is the holder (its protocol type is the EtherType).
 * - `vxlan [vni]`: IP, then UDP with destination port 4789, then VXLAN (with that VNI), then Ethernet (the holder).
 * - `geneve [vni]`: IP, then UDP with destination port 6081, then Geneve version 0 (with that VNI); 0x6558 makes
 *   the inner Ethernet header the holder, otherwise Geneve is.
 * - `ip host X`: the holder announces 0x0800 and the next layer is IPv4 with source or destination X. An inner
 *   802.1Q tag is NOT looked past: with an inner tag the holder announces 0x8100, so without a `vlan` written
 *   after the tunnel the packet does not match (libpcap's rule for `ip` after `vlan`-less Ethernet, and ours).
 * - `tcp port P`: the holder announces IPv4 or IPv6, the next layer is that IP header and the one after it TCP
 *   (a first IPv4 fragment; IPv6 next header 6 directly) with source or destination port P.
 * - `arp`: the holder announces 0x0806 (only the type field is read, as the filter reads only it).
 *
 * A layer the decoder could not decode (cut short) is absent, so a verdict needing it is false: the test
 * cuts packets only where this agrees with byte-level reading (see tunnel-oracle.test.ts).
 */
import type { DecodedLayer } from '../../../src/packet/index.js';

/** One primitive of a tunnel expression, outermost first. */
export type TunnelStep =
  | { kind: 'vlan'; id?: number }
  | { kind: 'gre'; key?: number }
  | { kind: 'vxlan'; vni?: number }
  | { kind: 'geneve'; vni?: number };

/** What the expression finally asks of the innermost packet. */
export type TunnelFinal = { kind: 'ipHost'; address: string } | { kind: 'tcpPort'; port: number } | { kind: 'arp' };

/** An expression `step and step and … and final`, with its text. */
export interface TunnelQuery { steps: TunnelStep[]; final: TunnelFinal }

/** The filter text of a query. */
export function tunnelQueryText(query: TunnelQuery): string {
  const step = (s: TunnelStep): string => {
    const value = s.kind === 'vlan' ? s.id : s.kind === 'gre' ? s.key : s.vni;
    return value === undefined ? s.kind : `${s.kind} ${value}`;
  };
  const final = query.final.kind === 'ipHost' ? `ip host ${query.final.address}` : query.final.kind === 'tcpPort' ? `tcp port ${query.final.port}` : 'arp';
  return [...query.steps.map(step), final].join(' and ');
}

const VLAN_TPIDS = new Set([0x8100, 0x88a8, 0x9100]);

/** The type a holder layer announces, or undefined when the layer is no holder. */
function announced(layer: DecodedLayer | undefined): number | undefined {
  if (!layer) return undefined;
  switch (layer.type) {
    case 'ethernet': case 'vlan': return layer.etherType;
    case 'gre': case 'geneve': return layer.protocolType;
    default: return undefined;
  }
}

/** The verdict the decoded layers give for `query`: true when the packet matches. */
export function tunnelModelVerdict(layers: readonly DecodedLayer[], query: TunnelQuery): boolean {
  if (layers[0]?.type !== 'ethernet') return false;
  let holder = 0;
  const ipAt = (index: number): 'ipv4' | 'ipv6' | undefined => {
    const type = announced(layers[holder]);
    const layer = layers[index];
    if (type === 0x0800 && layer?.type === 'ipv4') return 'ipv4';
    if (type === 0x86dd && layer?.type === 'ipv6') return 'ipv6';
    return undefined;
  };
  for (const step of query.steps) {
    switch (step.kind) {
      case 'vlan': {
        const tag = layers[holder + 1];
        if (!VLAN_TPIDS.has(announced(layers[holder]) ?? -1) || tag?.type !== 'vlan') return false;
        if (step.id !== undefined && tag.vlanId !== step.id) return false;
        holder += 1;
        break;
      }
      case 'gre': {
        if (!ipAt(holder + 1)) return false;
        const gre = layers[holder + 2];
        if (gre?.type !== 'gre' || gre.version !== 0) return false;
        if (step.key !== undefined && !(gre.keyPresent && gre.key === step.key)) return false;
        if (gre.protocolType === 0x6558) {
          if (layers[holder + 3]?.type !== 'ethernet') return false;
          holder += 3;
        } else holder += 2;
        break;
      }
      case 'vxlan': {
        if (!ipAt(holder + 1)) return false;
        const udp = layers[holder + 2];
        const vxlan = layers[holder + 3];
        if (udp?.type !== 'udp' || udp.destinationPort !== 4789 || vxlan?.type !== 'vxlan') return false;
        if (step.vni !== undefined && vxlan.vni !== step.vni) return false;
        if (layers[holder + 4]?.type !== 'ethernet') return false;
        holder += 4;
        break;
      }
      case 'geneve': {
        if (!ipAt(holder + 1)) return false;
        const udp = layers[holder + 2];
        const geneve = layers[holder + 3];
        if (udp?.type !== 'udp' || udp.destinationPort !== 6081 || geneve?.type !== 'geneve' || geneve.version !== 0) return false;
        if (step.vni !== undefined && geneve.vni !== step.vni) return false;
        if (geneve.protocolType === 0x6558) {
          if (layers[holder + 4]?.type !== 'ethernet') return false;
          holder += 4;
        } else holder += 3;
        break;
      }
    }
  }
  const final = query.final;
  switch (final.kind) {
    case 'ipHost': {
      const ip = layers[holder + 1];
      return ipAt(holder + 1) === 'ipv4' && ip?.type === 'ipv4' && (ip.source === final.address || ip.destination === final.address);
    }
    case 'tcpPort': {
      const tcp = layers[holder + 2];
      return ipAt(holder + 1) !== undefined && tcp?.type === 'tcp' && (tcp.sourcePort === final.port || tcp.destinationPort === final.port);
    }
    case 'arp': return announced(layers[holder]) === 0x0806;
  }
}
