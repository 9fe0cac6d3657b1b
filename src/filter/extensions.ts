/**
 * pktfilter's own primitives, which libpcap 1.10.3 does not have: `gre [key]` and `vxlan [vni]`; and
 * `gateway NAME`, which libpcap has only when built without IPv6 support (Debian's build refuses it).
 * Strict mode (`parseFilter(text, { strict: true })`, `pktfilter compile --strict`) refuses them so that
 * every accepted expression is one libpcap could also have compiled.
 */
import type { EncapsulationPrimitive, Expr, QualifiedPrimitive } from './ast.js';

/** The kinds of tree node that are pktfilter extensions, with what to say about each. */
export const FILTER_EXTENSION_KINDS: ReadonlyMap<string, string> = new Map([
  ['gre', "'gre' is a pktfilter extension (libpcap 1.10 has only 'proto gre', which does not look inside the tunnel)"],
  ['vxlan', "'vxlan' is a pktfilter extension (libpcap 1.10 has no vxlan primitive)"],
  ['gateway', "'gateway' not supported in this configuration (libpcap 1.10 built with IPv6 support refuses it)"],
]);

/** A pktfilter extension found in a tree: the node and the message strict mode gives for it. */
export interface FilterExtensionUse { node: EncapsulationPrimitive | QualifiedPrimitive; reason: string }

/** The leftmost use of a pktfilter extension in `expr` (in source order), or undefined when it is all libpcap syntax. */
export function findFilterExtension(expr: Expr): FilterExtensionUse | undefined {
  // Iterative, left operand first: trees may be deep (nesting is bounded only by the parser).
  const stack: Expr[] = [expr];
  while (stack.length > 0) {
    const node = stack.pop()!;
    switch (node.kind) {
      case 'and': case 'or': stack.push(node.right, node.left); break;
      case 'not': stack.push(node.operand); break;
      case 'gre': case 'vxlan': return { node, reason: `${FILTER_EXTENSION_KINDS.get(node.kind)!}; refused in strict mode` };
      case 'qualified':
        if (node.type === 'gateway') return { node, reason: `${FILTER_EXTENSION_KINDS.get('gateway')!}; refused in strict mode` };
        break;
      default: break;
    }
  }
  return undefined;
}
