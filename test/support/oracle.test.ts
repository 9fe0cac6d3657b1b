import { expect, it } from 'vitest';
import { describeWithOracle } from './oracle.js';
import { libpcapAvailable, libpcapCompile, libpcapRun } from './libpcap.js';

describeWithOracle('libpcap oracle helper', libpcapAvailable(), 'gcc with libpcap-dev', () => {
  it('compiles a filter and runs it over packets', () => {
    const [ip] = libpcapCompile(['ip'], { linkType: 1 });
    expect(ip!.ok).toBe(true);
    if (!ip!.ok) return;
    // ldh [12]; jeq #0x800; ret #262144; ret #0
    expect(ip.program).toEqual([
      { code: 0x28, jt: 0, jf: 0, k: 12 },
      { code: 0x15, jt: 0, jf: 1, k: 0x800 },
      { code: 0x06, jt: 0, jf: 0, k: 262144 },
      { code: 0x06, jt: 0, jf: 0, k: 0 },
    ]);
    const ipv4 = new Uint8Array(34); ipv4[12] = 0x08; ipv4[14] = 0x45;
    const arp = new Uint8Array(42); arp[12] = 0x08; arp[13] = 0x06;
    expect(libpcapRun([ip.program], [{ data: ipv4 }, { data: arp }, { data: ipv4.subarray(0, 10), wireLength: 34 }])).toEqual([[262144, 0, 0]]);
  });
  it('keeps one line per expression when the libpcap message carries a newline', () => {
    // libpcap's DECnet name error ends in a newline; the next expression's result must stay in its place.
    const [decnet, ip] = libpcapCompile(['decnet host foo', 'ip'], { linkType: 1 });
    expect(decnet).toMatchObject({ ok: false });
    expect(ip).toMatchObject({ ok: true });
  });
  it('reports libpcap errors', () => {
    const [bad] = libpcapCompile(['port 70000'], { linkType: 1 });
    expect(bad).toMatchObject({ ok: false });
    if (!bad!.ok) expect(bad!.error).toMatch(/port/);
  });
});
