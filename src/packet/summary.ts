import { formatHex, readUint16, readUint32 } from './bytes.js';
import { LayerKind } from './kinds.js';
import { viewOfLayer } from './layer-view.js';
import type { PacketLayers } from './packet-layers.js';
import { splitTcpOptions } from './tcp.js';
import type { ArpView } from './arp.js';
import type { EthernetView } from './ethernet.js';
import type { GeneveView } from './geneve.js';
import type { GreView } from './gre.js';
import type { IcmpView } from './icmp.js';
import type { Icmpv6View } from './icmpv6.js';
import type { Ipv4View } from './ipv4.js';
import type { Ipv6View } from './ipv6.js';
import type { MplsView } from './mpls.js';
import type { PppoeView } from './pppoe.js';
import type { TcpView } from './tcp.js';
import type { UdpView } from './udp.js';
import type { VlanView } from './vlan.js';
import type { VxlanView } from './vxlan.js';

/** Options of the one-line summary. */
export interface PacketSummaryOptions {
  /** Print link-level headers (tcpdump -e). */
  linkLevel?: boolean;
  /** Print IP header details (tcpdump -v). */
  verbose?: boolean;
}

const etherTypeNames = new Map<number, string>([
  [0x0800, 'IPv4'], [0x86dd, 'IPv6'], [0x0806, 'ARP'], [0x8035, 'RARP'], [0x8100, '802.1Q'], [0x88a8, '802.1Q-QinQ'],
  [0x9100, '802.1Q-9100'], [0x8847, 'MPLS unicast'], [0x8848, 'MPLS multicast'], [0x8863, 'PPPoE D'], [0x8864, 'PPPoE S'], [0x6558, 'TEB'],
]);
const protocolNames = new Map<number, string>([[1, 'ICMP'], [6, 'TCP'], [17, 'UDP'], [47, 'GRE'], [58, 'ICMP6'], [4, 'IPIP'], [41, 'IPv6'], [50, 'ESP'], [51, 'AH']]);
const tcpFlagLetters: [number, string][] = [[0x002, 'S'], [0x001, 'F'], [0x008, 'P'], [0x004, 'R'], [0x020, 'U'], [0x040, 'E'], [0x080, 'W']];
const icmpUnreachable = ['net', 'host', 'protocol', 'port', 'need to frag', 'source route failed'];

const typeText = (type: number): string => `${etherTypeNames.get(type) ?? 'Unknown'} (0x${type.toString(16).padStart(4, '0')})`;

function tcpFlags(flags: number): string {
  let text = '';
  for (const [bit, letter] of tcpFlagLetters) if (flags & bit) text += letter;
  if (flags & 0x010) text += '.';
  return text || 'none';
}

function tcpOptionText(view: TcpView): string {
  const parts = splitTcpOptions(view.data, view.offset, view.headerLength).map((o) => {
    const at = view.offset + o.dataOffset;
    if (o.kind === 0) return 'eol';
    if (o.kind === 1) return 'nop';
    if (o.kind === 2 && o.dataLength === 2) return `mss ${readUint16(view.data, at)}`;
    if (o.kind === 3 && o.dataLength === 1) return `wscale ${view.data[at]}`;
    if (o.kind === 4) return 'sackOK';
    if (o.kind === 8 && o.dataLength === 8) return `TS val ${readUint32(view.data, at)} ecr ${readUint32(view.data, at + 4)}`;
    return `unknown-${o.kind} 0x${formatHex(view.data, at, o.dataLength)}`;
  });
  return parts.length > 0 ? `, options [${parts.join(',')}]` : '';
}

function ipv4Details(view: Ipv4View): string {
  const flags = [view.dontFragment ? 'DF' : '', view.moreFragments ? '+' : '', view.reservedFlag ? 'rsvd' : ''].filter(Boolean).join('');
  const protocol = `${protocolNames.get(view.protocol) ?? 'unknown'} (${view.protocol})`;
  return `(tos 0x${(view.data[view.offset + 1]!).toString(16)}, ttl ${view.ttl}, id ${view.identification}, offset ${view.fragOffset * 8}, flags [${flags || 'none'}], proto ${protocol}, length ${view.totalLength}) `;
}

/**
 * A one-line, tcpdump-like description of a decoded packet (`IP 10.0.0.1.1234 > 10.0.0.2.80: Flags [S], ...`),
 * tunnels printed outer first with their inner packet after a colon, and a bracketed note when decoding stopped early.
 */
export function packetSummary(layers: PacketLayers, options: PacketSummaryOptions = {}): string {
  const parts: string[] = [];
  let addresses: [string, string] | undefined;
  let family = '';
  let text = '';
  const flushNetwork = (): void => {
    if (family !== '') parts.push(text);
    family = '';
    text = '';
  };
  // Link-level pieces of an inner frame come after the outer network text they are carried in.
  const push = (piece: string): void => { flushNetwork(); parts.push(piece); };
  for (let index = 0; index < layers.count; index++) {
    const kind = layers.kinds[index]!;
    const view = viewOfLayer(layers, index);
    const remaining = layers.ends[index]! - layers.offsets[index]! - layers.headerLengths[index]!;
    switch (kind) {
      case LayerKind.ethernet: {
        const ethernet = view as EthernetView;
        if (options.linkLevel) push(`${ethernet.source} > ${ethernet.destination}, ${ethernet.isLength ? `802.3, length ${ethernet.etherType}` : `ethertype ${typeText(ethernet.etherType)}`}, length ${layers.ends[index]! - layers.offsets[index]!}:`);
        break;
      }
      case LayerKind.vlan: {
        const vlan = view as VlanView;
        push(`vlan ${vlan.vlanId}, p ${vlan.priority}${vlan.dropEligible ? ', DEI' : ''}, ethertype ${typeText(vlan.etherType)},`);
        break;
      }
      case LayerKind.mpls: {
        const mpls = view as MplsView;
        push(`MPLS (label ${mpls.label}, tc ${mpls.trafficClass}${mpls.bottomOfStack ? ', [S]' : ''}, ttl ${mpls.ttl})`);
        break;
      }
      case LayerKind.pppoe: push(`PPPoE [ses 0x${(view as PppoeView).sessionId.toString(16)}]`); break;
      case LayerKind.arp: {
        const arp = view as ArpView;
        const operation = arp.operation === 1 ? `Request who-has ${arp.targetProtocolAddress} tell ${arp.senderProtocolAddress}`
          : arp.operation === 2 ? `Reply ${arp.senderProtocolAddress} is-at ${arp.senderHardwareAddress}` : `op ${arp.operation}`;
        push(`ARP, ${operation}, length ${arp.headerLength}`);
        break;
      }
      case LayerKind.ipv4: case LayerKind.ipv6: {
        flushNetwork();
        const ip = view as Ipv4View | Ipv6View;
        family = kind === LayerKind.ipv4 ? 'IP' : 'IP6';
        addresses = [ip.source, ip.destination];
        const details = options.verbose && kind === LayerKind.ipv4 ? ipv4Details(view as Ipv4View) : '';
        text = `${layers.quoted[index] ? '[quoted] ' : ''}${family} ${details}${addresses[0]} > ${addresses[1]}:`;
        if (kind === LayerKind.ipv4 && (view as Ipv4View).fragOffset !== 0) text += ` frag (offset ${(view as Ipv4View).fragOffset * 8})`;
        break;
      }
      case LayerKind.ipv6Extension: text += ` ext ${layers.introducedBy[index]}`; break;
      case LayerKind.ipv6Fragment: text += ' frag'; break;
      case LayerKind.tcp: {
        const tcp = view as TcpView;
        const [source, destination] = addresses ?? ['?', '?'];
        text = text.replace(/ ([^ ]+) > ([^ ]+):( frag| ext \d+)*$/, ` ${source}.${tcp.sourcePort} > ${destination}.${tcp.destinationPort}:`);
        text += ` Flags [${tcpFlags(tcp.flags)}], seq ${tcp.sequenceNumber}${tcp.flags & 0x10 ? `, ack ${tcp.acknowledgmentNumber}` : ''}, win ${tcp.window}${tcpOptionText(tcp)}, length ${remaining}`;
        break;
      }
      case LayerKind.udp: {
        const udp = view as UdpView;
        const [source, destination] = addresses ?? ['?', '?'];
        text = text.replace(/ ([^ ]+) > ([^ ]+):( frag| ext \d+)*$/, ` ${source}.${udp.sourcePort} > ${destination}.${udp.destinationPort}:`);
        text += ` UDP, length ${Math.max(0, udp.length - 8)}`;
        break;
      }
      case LayerKind.icmp: {
        const icmp = view as IcmpView;
        let what = `type ${icmp.type}, code ${icmp.code}`;
        if (icmp.type === 8 || icmp.type === 0) what = `echo ${icmp.type === 8 ? 'request' : 'reply'}, id ${icmp.identifier}, seq ${icmp.sequenceNumber}`;
        else if (icmp.type === 3) what = `${addresses?.[1] ?? ''} unreachable - ${icmpUnreachable[icmp.code] ?? `code ${icmp.code}`}${icmp.code === 4 ? ` (mtu ${icmp.sequenceNumber})` : ''}`;
        else if (icmp.type === 11) what = 'time exceeded in-transit';
        else if (icmp.type === 5) what = 'redirect';
        text += ` ICMP ${what}, length ${remaining + 8}`;
        break;
      }
      case LayerKind.icmpv6: {
        const icmp = view as Icmpv6View;
        const what = icmp.type === 128 ? 'echo request' : icmp.type === 129 ? 'echo reply' : icmp.type === 1 ? 'destination unreachable' : icmp.type === 2 ? 'packet too big' : icmp.type === 3 ? 'time exceeded' : `type ${icmp.type}`;
        text += ` ICMP6, ${what}, length ${remaining + 8}`;
        break;
      }
      case LayerKind.gre: {
        const gre = view as GreView;
        const key = gre.key !== undefined ? `, key=0x${gre.key.toString(16)}` : '';
        const sequence = gre.sequenceNumber !== undefined ? `, seq ${gre.sequenceNumber}` : '';
        text += ` GREv${gre.version}${key}${sequence}, proto ${typeText(gre.protocolType)}, length ${remaining + gre.headerLength}:`;
        break;
      }
      case LayerKind.vxlan: text += ` VXLAN, flags [${(view as VxlanView).flags & 0x08 ? 'I' : '.'}] (0x${(view as VxlanView).flags.toString(16).padStart(2, '0')}), vni ${(view as VxlanView).vni}`; break;
      case LayerKind.geneve: text += ` Geneve, vni 0x${(view as GeneveView).vni.toString(16)}, proto ${typeText((view as GeneveView).protocolType)}, options ${(view as GeneveView).optionsLength * 4} bytes`; break;
      case LayerKind.linuxSll: case LayerKind.linuxSll2: if (options.linkLevel) push(`${layers.kinds[index] === LayerKind.linuxSll ? 'SLL' : 'SLL2'}, proto ${typeText(readUint16(layers.data, layers.offsets[index]! + (kind === LayerKind.linuxSll ? 14 : 0)))}:`); break;
      case LayerKind.null: case LayerKind.loop: if (options.linkLevel) push(`AF ${(view as { family: number }).family}:`); break;
      case LayerKind.payload:
        if (family === '' && parts.length === 0) push(`${layers.count === 1 ? 'unknown link-layer payload' : 'payload'}, length ${layers.headerLengths[index]}`);
        else if (family !== '' && !/length \d+$/.test(text)) text += ` ${protocolNames.get(layers.introducedBy[index]!) ?? 'payload'}, length ${layers.headerLengths[index]}`;
        break;
      default: break;
    }
  }
  flushNetwork();
  let line = parts.join(' ');
  if (layers.errorKind !== 0) line += ` [${layers.error!.layer} truncated or malformed at byte ${layers.errorOffset}: ${layers.errorReason}]`;
  return line.trim() || '(empty packet)';
}
