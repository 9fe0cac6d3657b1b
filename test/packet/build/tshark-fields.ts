/**
 * Test support: runs real tshark over packets we built and lists, per packet, the values of chosen
 * fields (every occurrence, outermost first), plus what our own layers say those values must be.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePcap } from '../../../src/capture/pcap-writer.js';
import type { BuiltLayer } from '../../../src/packet/build/index.js';

/** tshark fields compared against our layers. */
export const TSHARK_FIELDS = [
  'eth.src', 'eth.dst', 'vlan.id', 'ieee8021ad.id', 'ieee8021ad.svid', 'ieee8021ad.cvid', 'mpls.label', 'pppoe.session_id', 'arp.opcode', 'arp.src.proto_ipv4', 'arp.dst.proto_ipv4',
  'ip.src', 'ip.dst', 'ip.proto', 'ip.ttl', 'ip.id', 'ip.flags.df', 'ip.flags.mf', 'ip.frag_offset', 'ip.checksum.status',
  'ipv6.src', 'ipv6.dst', 'ipv6.hlim', 'ipv6.flow', 'gre.proto', 'gre.key', 'gre.checksum.status',
  'udp.srcport', 'udp.dstport', 'udp.checksum.status', 'tcp.srcport', 'tcp.dstport', 'tcp.flags', 'tcp.window_size_value', 'tcp.checksum.status',
  'icmp.type', 'icmp.code', 'icmp.checksum.status', 'icmpv6.type', 'icmpv6.code', 'icmpv6.checksum.status', 'vxlan.vni', 'geneve.vni',
] as const;
export type TsharkField = (typeof TSHARK_FIELDS)[number];

/** Checksum status values tshark prints: 0 bad, 1 good, 2 unverified. */
export const CHECKSUM_GOOD = 1;

/** Runs tshark (checksums verified, no reassembly) over packets of one link type; one record of field -> values per packet. */
export function tsharkFields(packets: readonly Uint8Array[], linkType: number): Record<TsharkField, string[]>[] {
  const directory = mkdtempSync(join(tmpdir(), 'pktfilter-tshark-'));
  try {
    const file = join(directory, 'packets.pcap');
    writeFileSync(file, encodePcap(packets.map((data) => ({ data, timestampNs: 0n })), { linkType }));
    const args = ['-r', file, '-n',
      '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE',
      '-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE',
      '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=|', '-E', 'separator=/t', ...TSHARK_FIELDS.flatMap((f) => ['-e', f])];
    const output = execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] });
    const lines = output.split('\n');
    lines.pop();
    return lines.map((line) => {
      const cells = line.split('\t');
      const record = {} as Record<TsharkField, string[]>;
      TSHARK_FIELDS.forEach((field, i) => { record[field] = cells[i] ? cells[i]!.split('|') : []; });
      return record;
    });
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** A field value as tshark prints it, as a number when numeric (decimal or 0x hex), else the text. */
export function normalizeValue(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') return String(value);
  if (/^0x[0-9a-f]+$/i.test(value)) return String(parseInt(value, 16));
  if (/^\d+$/.test(value)) return String(Number(value));
  return value.toLowerCase();
}

/** What tshark must show for our layers: per field, the values of our layers in order, and per checksum field the acceptable statuses. */
export interface ExpectedFields {
  values: Partial<Record<TsharkField, string[]>>;
  checksums: Partial<Record<TsharkField, number[][]>>;
}

/**
 * The fields our layers must show in tshark, outermost first, for the layers tshark dissects as such:
 * expectations stop after an LLC/SNAP with a non-zero OUI (tshark shows data) and after a non-first
 * fragment; inside an ICMP quote or a first fragment a transport checksum may be unverified.
 */
export function expectedTsharkFields(layers: readonly BuiltLayer[]): ExpectedFields {
  const values: Partial<Record<TsharkField, string[]>> = {};
  const checksums: Partial<Record<TsharkField, number[][]>> = {};
  const add = (field: TsharkField, value: string | number | boolean): void => { (values[field] ??= []).push(normalizeValue(value)); };
  const status = (field: TsharkField, allowed: number[]): void => { (checksums[field] ??= []).push(allowed); };
  // A checksum over a first fragment or a quoted (possibly cut) datagram may be left unverified.
  let partial = false;
  let quoted = false;
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i]!;
    const next = layers[i + 1];
    switch (layer.type) {
      case 'ethernet': add('eth.src', layer.source); add('eth.dst', layer.destination); break;
      case 'vlan':
        if (layer.tpid !== 0x88a8) { add('vlan.id', layer.vlanId); break; }
        // tshark's 802.1ad dissector reads two stacked 0x88a8 tags as one S-tag/C-tag pair and shows no LLC after a tag.
        if (next?.type === 'vlan' && next.tpid === 0x88a8) {
          add('ieee8021ad.svid', layer.vlanId); add('ieee8021ad.cvid', next.vlanId); i++;
          if (layers[i + 1]?.type === 'llc') return { values, checksums };
          break;
        }
        add('ieee8021ad.id', layer.vlanId);
        if (next?.type === 'llc') return { values, checksums };
        break;
      case 'mpls': add('mpls.label', layer.label); break;
      case 'pppoe': add('pppoe.session_id', layer.sessionId); break;
      case 'arp': add('arp.opcode', layer.operation); add('arp.src.proto_ipv4', layer.senderProtocolAddress); add('arp.dst.proto_ipv4', layer.targetProtocolAddress); break;
      case 'ipv4':
        add('ip.src', layer.source); add('ip.dst', layer.destination); add('ip.proto', layer.protocol); add('ip.ttl', layer.ttl); add('ip.id', layer.identification);
        add('ip.flags.df', layer.dontFragment); add('ip.flags.mf', layer.moreFragments); add('ip.frag_offset', layer.fragOffset);
        status('ip.checksum.status', [CHECKSUM_GOOD]);
        if (layer.fragOffset > 0) return { values, checksums };
        if (layer.moreFragments) partial = true;
        break;
      case 'ipv6': add('ipv6.src', layer.source); add('ipv6.dst', layer.destination); add('ipv6.hlim', layer.hopLimit); add('ipv6.flow', layer.flowLabel); break;
      case 'ipv6Fragment':
        if (layer.fragOffset > 0) return { values, checksums };
        if (layer.moreFragments) partial = true;
        break;
      case 'gre':
        add('gre.proto', layer.protocolType);
        if (layer.keyPresent) add('gre.key', layer.key!);
        if (layer.checksumPresent) status('gre.checksum.status', partial ? [1, 2] : [CHECKSUM_GOOD]);
        break;
      case 'udp': add('udp.srcport', layer.sourcePort); add('udp.dstport', layer.destinationPort); status('udp.checksum.status', partial ? [1, 2] : [CHECKSUM_GOOD]); break;
      case 'tcp':
        add('tcp.srcport', layer.sourcePort); add('tcp.dstport', layer.destinationPort);
        if (quoted) return { values, checksums };
        add('tcp.flags', layer.flags); add('tcp.window_size_value', layer.window);
        status('tcp.checksum.status', partial ? [1, 2] : [CHECKSUM_GOOD]);
        break;
      case 'icmp':
        add('icmp.type', layer.icmpType); add('icmp.code', layer.code); status('icmp.checksum.status', partial ? [1, 2] : [CHECKSUM_GOOD]);
        if ([3, 4, 5, 11, 12].includes(layer.icmpType)) { partial = true; quoted = true; }
        break;
      case 'icmpv6': add('icmpv6.type', layer.icmpv6Type); add('icmpv6.code', layer.code); status('icmpv6.checksum.status', partial ? [1, 2] : [CHECKSUM_GOOD]); break;
      case 'vxlan': add('vxlan.vni', layer.vni); break;
      case 'geneve': add('geneve.vni', layer.vni); break;
      case 'llc': if (layer.snapOui !== undefined && layer.snapOui !== 0) return { values, checksums }; break;
      default: break;
    }
  }
  return { values, checksums };
}

/** Compares tshark's fields for one packet with our expectations; returns the mismatches as text (empty when it agrees). */
export function compareTsharkFields(actual: Record<TsharkField, string[]>, expected: ExpectedFields): string[] {
  const problems: string[] = [];
  for (const [field, want] of Object.entries(expected.values) as [TsharkField, string[]][]) {
    const got = actual[field].slice(0, want.length).map(normalizeValue);
    if (got.join(',') !== want.join(',')) problems.push(`${field}: tshark ${JSON.stringify(actual[field])}, ours ${JSON.stringify(want)}`);
  }
  for (const [field, allowed] of Object.entries(expected.checksums) as [TsharkField, number[][]][]) {
    allowed.forEach((statuses, i) => {
      const got = Number(actual[field][i]);
      if (!statuses.includes(got)) problems.push(`${field}[${i}]: tshark status ${actual[field][i] ?? 'missing'}, expected one of ${statuses.join('/')}`);
    });
  }
  return problems;
}
