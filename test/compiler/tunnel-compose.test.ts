/**
 * Tunnels and encapsulations compose in any order on any link type: every sequence of `gre`, `vxlan`,
 * `geneve`, `vlan`, `mpls`, `pppoes` and ordinary primitives, joined by `and` or `or`, either compiles to a
 * program that passes libpcap's bpf_validate, and for `and` chains the kernel's classic-BPF checks too (scratch
 * words in range and stored before read, forward jumps), or is refused
 * with a CompileError carrying a span — never another exception.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateProgram } from '../../src/bpf/index.js';
import { LinkType } from '../../src/capture/linktype.js';
import { CompileError, compileFilter } from '../../src/compiler/index.js';

const primitives = [
  'gre', 'gre 42', 'vxlan', 'vxlan 7', 'geneve', 'geneve 9', 'vlan', 'vlan 100', 'mpls', 'mpls 5', 'pppoes', 'pppoes 3', 'pppoed',
  'ip', 'ip6', 'arp', 'tcp port 22', 'ip host 10.5.5.5', 'ip6 host 2001:db8::1', 'ether host 1:2:3:4:5:6', 'ether[0] = 1', 'ip[0] = 0x45',
  'protochain 6', 'llc', 'iso', 'ether broadcast', 'udp[8:4] = 1', 'icmp', 'net 10.0.0.0/8',
];
const LINK_TYPES = [LinkType.EN10MB, LinkType.RAW, LinkType.IPV4, LinkType.IPV6, LinkType.NULL, LinkType.LOOP, LinkType.LINUX_SLL, LinkType.LINUX_SLL2];

describe('tunnel composition', () => {
  it('compiles to kernel-valid programs or refuses with a CompileError and a span', () => {
    let accepted = 0;
    fc.assert(fc.property(fc.array(fc.constantFrom(...primitives), { minLength: 1, maxLength: 8 }), fc.constantFrom(' and ', ' or '), fc.constantFrom(...LINK_TYPES), fc.boolean(),
      (parts, joiner, linkType, optimize) => {
        const expression = parts.join(joiner);
        try {
          const program = compileFilter(expression, { linkType, optimize });
          // protochain loops backwards as libpcap's does (bpf_validate accepts that; the kernel does not); after `or`, a
          // primitive after a tunnel reads the tunnel's scratch words on paths that skipped it, as libpcap's do
          // (`geneve or geneve`): the kernel refuses such reads, so kernel rules apply to `and` chains.
          const kernel = joiner === ' and ' && !expression.includes('protochain');
          expect(validateProgram(program, kernel ? 'kernel' : 'libpcap').issues, expression).toEqual([]);
          accepted++;
        } catch (error) {
          if (!(error instanceof CompileError)) throw error;
          if (error.message !== 'expression rejects all packets') expect(error.span, `${expression}: ${error.message}`).toBeDefined();
        }
      }), { numRuns: 1500, seed: 4789 });
    expect(accepted).toBeGreaterThan(300);
  });

  it('nests tunnels until the 16 scratch words run out, then says so', () => {
    expect(compileFilter('gre and vxlan and geneve and gre and ip').length).toBeGreaterThan(0);
    expect(() => compileFilter(Array(8).fill('gre').join(' and '))).toThrow(/too many registers/);
  });
});
