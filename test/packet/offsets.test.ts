/**
 * Every field's tcpdump expression is checked with real libpcap: the filter built from it matches the
 * packet it came from, and stops matching when one bit of that field (inside its mask) flips. This
 * proves the offset, size, mask and the vlan/mpls/pppoes prerequisites of each field at once.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { LinkType } from '../../src/capture/linktype.js';
import { arbitraryPacket } from '../../src/packet/arbitrary/index.js';
import { packetFieldOffsets } from '../../src/packet/index.js';
import type { PacketField } from '../../src/packet/index.js';
import { libpcapAvailable, libpcapCompile, libpcapRun } from '../support/libpcap.js';
import { describeWithOracle } from '../support/oracle.js';

/** A copy of `data` with one bit of `field` flipped (a bit inside its mask, chosen by `pick`). */
function flipFieldBit(data: Uint8Array, field: PacketField, pick: number): Uint8Array {
  const copy = data.slice();
  const bits: number[] = [];
  for (let bit = 0; bit < field.size * 8; bit++) {
    const maskBit = field.mask === undefined ? 1 : (field.mask >>> (field.size * 8 - 1 - bit)) & 1;
    if (maskBit) bits.push(bit);
  }
  const bit = bits[pick % bits.length]!;
  copy[field.offset + (bit >> 3)]! ^= 0x80 >> (bit & 7);
  return copy;
}

describeWithOracle('field offsets and tcpdump expressions against libpcap', libpcapAvailable(), 'gcc with libpcap-dev', () => {
  const linkTypes = [LinkType.EN10MB, LinkType.RAW, LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.NULL, LinkType.LOOP, LinkType.IPV4, LinkType.IPV6];
  for (const linkType of linkTypes) {
    it(`every field filter matches its packet and not the packet with a field bit flipped (link type ${linkType})`, () => {
      const packets = fc.sample(arbitraryPacket({ linkType, mutations: ['none'] }), { numRuns: 40, seed: 77 + linkType });
      const cases: { field: PacketField; original: Uint8Array; flipped: Uint8Array }[] = [];
      packets.forEach((packet, index) => {
        for (const field of packetFieldOffsets(packet.data, linkType)) {
          // Wide payload dumps are summarised, not addressable as one value.
          if (field.layer === 'payload') continue;
          cases.push({ field, original: packet.data, flipped: flipFieldBit(packet.data, field, index) });
        }
      });
      expect(cases.length).toBeGreaterThan(200);
      // pcap_compile takes a DLT: LINKTYPE_RAW (101) is DLT_RAW, 12 on Linux.
      const compiled = libpcapCompile(cases.map((c) => c.field.filter), { linkType: linkType === LinkType.RAW ? 12 : linkType });
      const failures: string[] = [];
      const programs = compiled.map((result, i) => {
        if (!result.ok) failures.push(`${cases[i]!.field.filter}: ${result.error}`);
        return result.ok ? result.program : [{ code: 0x06, jt: 0, jf: 0, k: 0 }];
      });
      expect(failures.slice(0, 5)).toEqual([]);
      // Each program runs over its own packet pair; batch them per 100 to keep the matrix small.
      for (let start = 0; start < cases.length; start += 100) {
        const slice = cases.slice(start, start + 100);
        const results = libpcapRun(programs.slice(start, start + 100), slice.flatMap((c) => [{ data: c.original }, { data: c.flipped }]), linkType);
        slice.forEach((c, i) => {
          const matchedOriginal = results[i]![2 * i]! > 0;
          const matchedFlipped = results[i]![2 * i + 1]! > 0;
          if (!matchedOriginal || matchedFlipped) failures.push(`${c.field.name} @${c.field.offset}: ${c.field.filter} original=${matchedOriginal} flipped=${matchedFlipped}`);
        });
      }
      expect(failures.slice(0, 5)).toEqual([]);
    });
  }
});
