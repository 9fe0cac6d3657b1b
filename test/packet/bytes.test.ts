/** Address formatting against the C library's inet_ntop (test/packet/oracle/inet-ntop.c, built with gcc), which tcpdump and tshark use. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { formatIpv4, formatIpv6, formatMac } from '../../src/packet/index.js';
import { describeWithOracle } from '../support/oracle.js';

const helper = '.cache/oracle/inet-ntop';
/** Builds the inet_ntop helper; false when gcc is missing. */
function inetNtopAvailable(): boolean {
  try {
    mkdirSync('.cache/oracle', { recursive: true });
    const temporary = `${helper}.${process.pid}`;
    execFileSync('gcc', ['-O2', '-o', temporary, 'test/packet/oracle/inet-ntop.c'], { stdio: 'pipe' });
    execFileSync('mv', ['-f', temporary, helper]);
    return true;
  } catch {
    return false;
  }
}

describeWithOracle('IPv6 text form against inet_ntop', inetNtopAvailable(), 'gcc', () => {
  it('prints every address as inet_ntop does, zero runs and IPv4 tails included', () => {
    // Addresses biased toward zero groups so that every :: placement and both dotted-tail forms occur.
    const group = fc.oneof(fc.constant(0), fc.constant(0xffff), fc.integer({ min: 0, max: 0xffff }));
    const addresses = fc.sample(fc.array(group, { minLength: 8, maxLength: 8 }), { numRuns: 3000, seed: 9 }).map((groups) => {
      const bytes = new Uint8Array(16);
      groups.forEach((g, i) => { bytes[2 * i] = g >> 8; bytes[2 * i + 1] = g & 0xff; });
      return bytes;
    });
    const result = spawnSync(helper, [], { input: addresses.map((a) => Buffer.from(a).toString('hex')).join('\n') + '\n', encoding: 'utf8' });
    expect(result.status).toBe(0);
    const expected = result.stdout.trimEnd().split('\n');
    expect(addresses.map((a) => formatIpv6(a, 0))).toEqual(expected);
  });
});

it('prints MAC and IPv4 addresses at an offset', () => {
  const bytes = new Uint8Array([9, 0x00, 0x00, 0x5e, 0x00, 0x01, 0x6e, 10, 18, 0, 5]);
  expect(formatMac(bytes, 1)).toBe('00:00:5e:00:01:6e');
  expect(formatIpv4(bytes, 7)).toBe('10.18.0.5');
});
