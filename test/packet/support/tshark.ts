/**
 * Runs real tshark once over many packets: writes one pcap per link type, runs `tshark -T fields`
 * with every requested field, and returns one row of cells per packet (same order as given).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePcap } from '../../../src/capture/pcap-writer.js';
import { LayerKind, UdpView } from '../../../src/packet/index.js';
import type { PacketLayers } from '../../../src/packet/index.js';
import { hasCommand } from '../../support/oracle.js';

/** True when tshark runs here. */
export const tsharkAvailable = (): boolean => hasCommand('tshark', ['--version']);

/** A packet for tshark: captured bytes and (when longer) the wire length. */
export interface TsharkPacket { data: Uint8Array; wireLength?: number }

/** tshark's `-T fields` rows for `packets` of one link type (cells split on tabs). */
export function tsharkFieldRows(packets: readonly TsharkPacket[], linkType: number, fields: readonly string[]): string[][] {
  const directory = mkdtempSync(join(tmpdir(), 'pktfilter-tshark-'));
  try {
    const file = join(directory, 'packets.pcap');
    writeFileSync(file, encodePcap(packets.map((p, i) => ({ data: p.data, wireLength: p.wireLength ?? p.data.length, timestampNs: BigInt(i) * 1000n })), { linkType, snaplen: 262144 }));
    const args = ['-n', '-r', file, '-T', 'fields', '-E', 'separator=/t', ...fields.flatMap((f) => ['-e', f])];
    const result = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (result.status !== 0) throw new Error(`tshark failed: ${result.stderr}`);
    const lines = result.stdout.split('\n');
    lines.pop();
    if (lines.length !== packets.length) throw new Error(`tshark printed ${lines.length} lines for ${packets.length} packets`);
    return lines.map((line) => line.split('\t'));
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/**
 * False for packets whose tshark dissection depends on tshark's own registries, which we do not
 * copy: an EtherType we leave as a payload (tshark knows hundreds), UDP port 4790 (VXLAN-GPE) and
 * a VXLAN or Geneve port paired with a lower port that tshark tries first (53, 67, ...). Those are
 * left out of field comparisons; everything else must match exactly.
 */
export function tsharkComparable(layers: PacketLayers): boolean {
  const udpPorts: [number, number][] = [];
  for (let i = 0; i < layers.count; i++) {
    const kind = layers.kinds[i]!;
    if (kind === LayerKind.udp) {
      const view = new UdpView(layers.data, layers.offsets[i]!);
      udpPorts.push([view.sourcePort, view.destinationPort]);
    }
    const previous = i > 0 ? layers.kinds[i - 1]! : LayerKind.none;
    const byEtherType = previous === LayerKind.ethernet || previous === LayerKind.vlan || previous === LayerKind.linuxSll
      || previous === LayerKind.linuxSll2 || previous === LayerKind.gre || previous === LayerKind.geneve || previous === LayerKind.llc;
    if (kind === LayerKind.payload && byEtherType && layers.introducedBy[i]! >= 0x0600) return false;
  }
  const tunnels = new Set([4789, 6081]);
  for (const [source, destination] of udpPorts) {
    if (source === 4790 || destination === 4790) return false;
    const low = Math.min(source, destination);
    const high = Math.max(source, destination);
    if (tunnels.has(high) && !tunnels.has(low)) return false;
  }
  return true;
}
