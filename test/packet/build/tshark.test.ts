/**
 * Real tshark dissects packets our builders made: it must see every field we set at the place we put
 * it and find every IPv4, UDP, TCP, ICMP, ICMPv6 and GRE checksum good.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { LinkType } from '../../../src/capture/linktype.js';
import { arbitraryPacket, arbitraryStack } from '../../../src/packet/arbitrary/index.js';
import { buildIpv4Fragments, buildPacketLayers } from '../../../src/packet/build/index.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePcap } from '../../../src/capture/pcap-writer.js';
import type { BuildLayerSpec } from '../../../src/packet/build/index.js';
import { describeWithOracle, hasCommand } from '../../support/oracle.js';
import { compareTsharkFields, expectedTsharkFields, tsharkFields } from './tshark-fields.js';

const PACKETS_PER_LINK_TYPE = 120;

/** Builds every stack, runs tshark once over all of them and lists the packets tshark disagrees with. */
function disagreements(stacks: readonly BuildLayerSpec[][], linkType: number): string[] {
  const built = stacks.map((stack) => buildPacketLayers(stack));
  const rows = tsharkFields(built.map((b) => b.data), linkType);
  expect(rows).toHaveLength(built.length);
  const out: string[] = [];
  built.forEach((b, i) => {
    const problems = compareTsharkFields(rows[i]!, expectedTsharkFields(b.layers));
    if (problems.length > 0) out.push(`packet ${i} [${b.layers.map((l) => l.type).join(' / ')}]: ${problems.join('; ')}`);
  });
  return out;
}

describeWithOracle('builders against tshark', hasCommand('tshark', ['-v']), 'tshark', () => {
  for (const [name, linkType] of Object.entries(LinkType)) {
    it(`arbitrary ${name} packets dissect with our fields and good checksums`, () => {
      const seed = Date.now() ^ linkType;
      const stacks = fc.sample(arbitraryStack(linkType), { numRuns: PACKETS_PER_LINK_TYPE, seed });
      const problems = disagreements(stacks, linkType);
      expect(problems, `seed ${seed}`).toEqual([]);
    });
  }

  it('GRE with every C/K/S combination carrying IPv4, IPv6 and Ethernet', () => {
    const stacks: BuildLayerSpec[][] = [];
    for (let bits = 0; bits < 8; bits++) {
      const gre: BuildLayerSpec = { type: 'gre', checksumPresent: (bits & 4) !== 0, keyPresent: (bits & 2) !== 0, sequencePresent: (bits & 1) !== 0, key: 0x0a0b0c0d, sequenceNumber: 7 };
      for (const inner of [
        [{ type: 'ipv4', source: '10.5.5.5' }, { type: 'tcp', flags: 0x12 }],
        [{ type: 'ipv6' }, { type: 'udp', destinationPort: 53 }, { type: 'payload', data: Uint8Array.of(1, 2, 3) }],
        [{ type: 'ethernet' }, { type: 'ipv4', source: '10.5.5.5' }, { type: 'icmp' }],
      ] as BuildLayerSpec[][]) {
        stacks.push([{ type: 'ethernet' }, { type: 'ipv4', dontFragment: true }, gre, ...inner]);
      }
    }
    expect(disagreements(stacks, LinkType.EN10MB)).toEqual([]);
    // The protocol type follows the payload: 0x0800, 0x86dd, 0x6558 in turn.
    const types = stacks.map((s) => (buildPacketLayers(s).layers[2] as { protocolType: number }).protocolType);
    expect(types.slice(0, 3)).toEqual([0x0800, 0x86dd, 0x6558]);
  });

  it('UDP and TCP checksums after a routing header with segments left use its final destination (types 0, 2, 4)', () => {
    const address = (last: number): Uint8Array => Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), last);
    const body = (routingType: number, segmentsLeft: number, count: number): Uint8Array => {
      const out = new Uint8Array(6 + 16 * count);
      out[0] = routingType;
      out[1] = segmentsLeft;
      if (routingType === 4) out[2] = count - 1;
      for (let i = 0; i < count; i++) out.set(address(0xa0 + i), 6 + 16 * i);
      return out;
    };
    const stacks: BuildLayerSpec[][] = [];
    for (const [routingType, count] of [[0, 2], [2, 1], [4, 2]] as const) {
      for (const segmentsLeft of [0, count]) {
        for (const transport of [{ type: 'udp' }, { type: 'tcp' }] as BuildLayerSpec[]) {
          stacks.push([{ type: 'ethernet' }, { type: 'ipv6' }, { type: 'ipv6Extension', headerType: 43, body: body(routingType, segmentsLeft, count) }, transport, { type: 'payload', data: Uint8Array.of(9, 8, 7) }]);
        }
      }
    }
    expect(disagreements(stacks, LinkType.EN10MB)).toEqual([]);
  });

  it('tshark reassembles buildIpv4Fragments output into the original datagram with a good UDP checksum', () => {
    const data = Uint8Array.from({ length: 3000 }, (_, i) => (i * 31) & 0xff);
    const fragments = buildIpv4Fragments([{ type: 'ethernet' }, { type: 'ipv4', identification: 0x4242, options: Uint8Array.of(0x94, 4, 0, 0) }, { type: 'udp', sourcePort: 5000, destinationPort: 5001 }, { type: 'payload', data }], { mtu: 1000 });
    expect(fragments.length).toBe(4);
    const directory = mkdtempSync(join(tmpdir(), 'pktfilter-fragments-'));
    try {
      const file = join(directory, 'fragments.pcap');
      writeFileSync(file, encodePcap(fragments.map((f) => ({ data: f.data, timestampNs: 0n })), { linkType: LinkType.EN10MB }));
      const output = execFileSync('tshark', ['-r', file, '-n', '-o', 'ip.defragment:TRUE', '-o', 'udp.check_checksum:TRUE', '-T', 'fields', '-e', 'ip.reassembled.length', '-e', 'udp.checksum.status', '-e', 'udp.length', '-Y', 'udp'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      expect(output.trim().split('\t')).toEqual([String(8 + 3000), '1', String(8 + 3000)]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('damaged packets never make tshark fail', () => {
    const packets = fc.sample(arbitraryPacket({ linkType: LinkType.EN10MB, mutations: ['snapped', 'truncated', 'corrupted', 'garbled', 'padded'] }), { numRuns: 100, seed: Date.now() });
    expect(tsharkFields(packets.map((p) => p.data), LinkType.EN10MB)).toHaveLength(packets.length);
  });
});
