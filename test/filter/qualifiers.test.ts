/**
 * Every combination of protocol qualifier, direction/type qualifiers and operand kind, against libpcap
 * 1.10.3 on EN10MB: we accept exactly what libpcap accepts. `decnet` is checked apart (DECnet's
 * AREA.NODE addresses), without host names: libpcap's refusal of a DECnet name ends in a newline, which the
 * line-based oracle helper cannot carry.
 */
import { describe, expect, it } from 'vitest';
import { FilterError, parseFilter } from '../../src/filter/index.js';
import type { HostResolver } from '../../src/filter/index.js';
import { describeWithOracle } from '../support/oracle.js';
import { libpcapAvailable, libpcapCompile } from '../support/libpcap.js';

const protos = ['', 'ether', 'link', 'ip', 'ip6', 'arp', 'rarp', 'tcp', 'udp', 'sctp', 'icmp', 'icmp6', 'igmp', 'igrp', 'pim', 'ah', 'esp', 'vrrp', 'carp', 'atalk', 'aarp', 'lat', 'sca', 'moprc', 'mopdl', 'iso', 'esis', 'isis', 'clnp', 'stp', 'ipx', 'netbeui', 'l1', 'l2', 'iih', 'lsp', 'snp', 'csnp', 'psnp'];
const heads = ['host', 'net', 'port', 'portrange', 'proto', 'protochain', 'gateway', 'src', 'dst', 'src or dst', 'src and dst', 'src host', 'dst net', 'src port', 'dst portrange'];
const operands = ['1.2.3.4', '10.1', '10.0.0.0/8', '10.0.0.0 mask 255.0.0.0', '::1', '2001:db8::/32', 'aa:bb:cc:dd:ee:ff', '80', '6', '70000', 'localhost'];
/** Names that are not hosts go only where libpcap will not look them up as hosts (an unknown host costs a DNS timeout). */
const nameOperands = ['1-512', 'http', 'tftp', '\\tcp'];
const nameHeads = new Set(['port', 'portrange', 'proto', 'protochain', 'src port', 'dst portrange']);
const expressions = protos.flatMap((proto) => heads.flatMap((head) => [...operands, ...(nameHeads.has(head) ? nameOperands : [])].map((operand) => `${proto} ${head} ${operand}`.trim())));
const resolver: HostResolver = (name) => (name === 'localhost' ? { ipv4: ['127.0.0.1'], ipv6: [] } : undefined);

function ours(expression: string): true | string {
  try { parseFilter(expression, { resolver }); return true; } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    return error.reason;
  }
}

const decnetOperands = ['1.2', '63.1023', '1.1024', '10.1', '1.2.3.4', '10.0.0.0/8', '1.2 mask 255.255.0.0', '::1', 'aa:bb:cc:dd:ee:ff', '80', '70000'];
const decnetExpressions = heads.flatMap((head) => [...decnetOperands, ...(nameHeads.has(head) ? nameOperands : [])].map((operand) => `decnet ${head} ${operand}`));

describe('qualifier combinations', () => {
  it('refuses DECnet host names with libpcap\'s reason (no DECnet name database)', () => {
    for (const text of ['decnet host foo', 'decnet src localhost', 'decnet host \\bar']) {
      expect(ours(text)).toMatch(/decnet name support not included, '.*' cannot be translated/);
    }
  });
});

describeWithOracle('qualifier combinations against libpcap 1.10.3', libpcapAvailable(), 'gcc and libpcap-dev (libpcap-helper)', () => {
  it(`agrees with libpcap on all ${expressions.length} combinations`, () => {
    const results = libpcapCompile(expressions, { linkType: 1, optimize: false });
    const mismatches: string[] = [];
    expressions.forEach((expression, index) => {
      const mine = ours(expression);
      const theirs = results[index]!;
      if ((mine === true) !== theirs.ok) mismatches.push(`${expression}: we ${mine === true ? 'accept' : `refuse (${mine})`}, libpcap ${theirs.ok ? 'accepts' : `refuses (${theirs.error})`}`);
    });
    expect(mismatches).toEqual([]);
  });

  it(`agrees with libpcap on all ${decnetExpressions.length} DECnet combinations`, () => {
    const results = libpcapCompile(decnetExpressions, { linkType: 1, optimize: false });
    expect(results).toHaveLength(decnetExpressions.length);
    const mismatches: string[] = [];
    decnetExpressions.forEach((expression, index) => {
      const mine = ours(expression);
      const theirs = results[index]!;
      if ((mine === true) !== theirs.ok) mismatches.push(`${expression}: we ${mine === true ? 'accept' : `refuse (${mine})`}, libpcap ${theirs.ok ? 'accepts' : `refuses (${theirs.error})`}`);
      // Messages are compared where the DECnet rules decide them (host, net and the directions).
      else if (mine !== true && !theirs.ok && !/^decnet (src |dst )?(port|portrange|proto|protochain) /.test(expression) && mine !== theirs.error.replace(/^can't parse filter expression: /, '') && !/syntax error/.test(theirs.error)) {
        mismatches.push(`${expression}: we say ${JSON.stringify(mine)}, libpcap ${JSON.stringify(theirs.error)}`);
      }
    });
    expect(mismatches).toEqual([]);
  });
});
