/**
 * Seed 001 (SCENARIOS.md section 1): the inner IPv4 addresses of GRE-over-802.1Q frames that carry
 * Ethernet. Offsets are recomputed here from the frame's own bytes, and the derived filters are run by
 * real `tcpdump -r corpus/01-gre-overlay.pcap -nn`.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readCaptureSync } from '../../src/capture/index.js';
import { LayerKind, PacketDecoder, fieldsOfLayers } from '../../src/packet/index.js';
import { deriveStockExpression } from '../../src/tunnel/index.js';
import { describeWithOracle, hasCommand } from '../support/oracle.js';
import { tcpdumpSelect } from './support/tcpdump.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const file = join(root, 'corpus/01-gre-overlay.pcap');
const { records } = readCaptureSync(readFileSync(file));

/** The inner IPv4 header's offset relative to the outer IPv4 header, read by hand from the bytes (RFC 791, 2784, 2890, 1701). */
function innerIpv4RelativeOffset(data: Uint8Array): { outer: number; relative: number } {
  let outer = 14;
  while (((data[outer - 2]! << 8) | data[outer - 1]!) === 0x8100) outer += 4; // 802.1Q tags before the IPv4 header
  expect((data[outer - 2]! << 8) | data[outer - 1]!).toBe(0x0800);
  expect(data[outer + 9]).toBe(47); // IPv4 protocol: GRE
  const ipHeader = (data[outer]! & 0x0f) * 4;
  const flags = data[outer + ipHeader]!;
  const greHeader = 4 + ((flags & 0x80) !== 0 ? 4 : 0) + ((flags & 0x20) !== 0 ? 4 : 0) + ((flags & 0x10) !== 0 ? 4 : 0);
  expect((data[outer + ipHeader + 2]! << 8) | data[outer + ipHeader + 3]!).toBe(0x6558); // transparent Ethernet bridging
  const innerEthernet = outer + ipHeader + greHeader;
  expect((data[innerEthernet + 12]! << 8) | data[innerEthernet + 13]!).toBe(0x0800); // inner Ethernet without a tag
  return { outer, relative: ipHeader + greHeader + 14 };
}

describe('seed 001: inner IPv4 addresses of the GRE overlay', () => {
  it('frame 1 (tagged): the inner destination is ip[58:4] and needs `vlan and` before `proto gre`', () => {
    const data = records[0]!.data;
    const { relative } = innerIpv4RelativeOffset(data);
    expect(relative + 16).toBe(58);
    const derived = deriveStockExpression(data, records[0]!.linkType, 'ipv4.destination');
    expect(derived.value).toBe('10.5.5.5');
    expect(derived.expression).toBe(`ip[${relative + 16}:4]`);
    expect(derived.filter).toBe('vlan and proto gre and ip[58:4] = 0x0a050505');
    expect(derived.guards).toEqual(expect.arrayContaining(['ip[0] & 0x0f = 5', 'ip[20:2] & 0xf007 = 0x2000', 'ip[22:2] = 0x6558', 'ip[40:2] = 0x0800']));
    const source = deriveStockExpression(data, records[0]!.linkType, 'ipv4.source');
    expect(source.expression).toBe(`ip[${relative + 12}:4]`);
    expect(source.expression).toBe('ip[54:4]');
    // The outer destination is the outermost occurrence.
    expect(deriveStockExpression(data, 1, 'ipv4.destination[0]').filter).toBe('vlan and ip[16:4] = 0xac14000c');
  });

  it('the untagged copies derive the same offset without `vlan`', () => {
    const index = records.findIndex((r) => r.data[12] === 0x08 && r.data[13] === 0x00 && r.data[23] === 47 && r.data.length > 100);
    expect(index).toBeGreaterThan(0);
    const derived = deriveStockExpression(records[index]!.data, 1, 'ipv4.destination');
    expect(innerIpv4RelativeOffset(records[index]!.data).relative + 16).toBe(58);
    expect(derived.filter).toMatch(/^proto gre and ip\[58:4\] = 0x0a0505/);
  });
});

/** Frames whose decoder reports an inner `ipv4.destination` equal to `value` in the same layers at the same offsets as frame `origin`. */
function decoderSelection(origin: number, value: string): number[] {
  const decoder = new PacketDecoder();
  const shapeOf = (data: Uint8Array): string | undefined => {
    const layers = decoder.decode(data, 1);
    const fields = fieldsOfLayers(layers).filter((f) => f.name === 'ipv4.destination' && layers.quoted[f.layerIndex] === 0);
    const field = fields[fields.length - 1];
    // Only inner destinations: a GRE header must come before the field's layer.
    if (field === undefined || !Array.from(layers.kinds.subarray(0, field.layerIndex)).includes(LayerKind.gre)) return undefined;
    const kinds = Array.from(layers.kinds.subarray(0, field.layerIndex + 1)).join(',');
    const offsets = Array.from(layers.offsets.subarray(0, field.layerIndex + 1)).join(',');
    return `${kinds}|${offsets}|${field.value === value}`;
  };
  const target = shapeOf(records[origin]!.data);
  expect(target).toBeDefined();
  return records.flatMap((r, i) => (shapeOf(r.data) === target ? [i] : []));
}

describeWithOracle('seed 001 filters run by real tcpdump', hasCommand('tcpdump', ['--version']), 'tcpdump', () => {
  it('the derived filter and guarded filter select exactly the tagged frames to 10.5.5.5', () => {
    const derived = deriveStockExpression(records[0]!.data, 1, 'ipv4.destination');
    const expected = decoderSelection(0, '10.5.5.5');
    expect(expected.length).toBeGreaterThan(1);
    expect(tcpdumpSelect(file, derived.filter)).toEqual(expected);
    expect(tcpdumpSelect(file, derived.guardedFilter)).toEqual(expected);
  });

  it('without `vlan and` libpcap misses the tagged frames (its ip offsets assume no tag)', () => {
    const selected = tcpdumpSelect(file, 'proto gre and ip[58:4] = 0x0a050505');
    expect(selected).not.toContain(0);
    const untagged = records.findIndex((r, i) => i > 0 && r.data[12] === 0x08 && r.data[13] === 0x00 && r.data[23] === 47 && r.data.length > 100);
    const derived = deriveStockExpression(records[untagged]!.data, 1, 'ipv4.destination');
    expect(tcpdumpSelect(file, derived.guardedFilter)).toEqual(decoderSelection(untagged, String(derived.value)));
  });

  it('every GRE frame\'s derived inner-destination filter matches that frame in tcpdump', () => {
    for (const [index, record] of records.entries()) {
      let derived;
      try { derived = deriveStockExpression(record.data, 1, 'ipv4.destination'); } catch { continue; }
      if (!derived.prerequisites.includes('proto gre')) continue;
      expect(tcpdumpSelect(file, derived.guardedFilter), derived.guardedFilter).toContain(index);
    }
  });
});
