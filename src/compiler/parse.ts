/** The compiler's entry to the filter parser: text to AST, with an empty expression meaning "accept everything". */
import type { Expr } from '../filter/ast.js';
import { FilterError, findFilterExtension, parseFilterOrEmpty, type NetworkResolver } from '../filter/index.js';
import { CompileError } from './errors.js';
import type { HostResolver } from './names.js';

/** Name resolution and strictness for parsing on the compiler's behalf. */
export interface CompilerParseOptions { resolver?: HostResolver; networkResolver?: NetworkResolver; strict?: boolean }

/**
 * Parses filter text for the compiler (FilterError becomes CompileError); undefined for an empty expression.
 * With `strict`, pktfilter's extensions (`gre`, `vxlan`) are refused. VLAN and MPLS ranges are left to the
 * compiler, which (as libpcap) first refuses a link type without them.
 */
export function parseForCompiler(text: string, options: CompilerParseOptions = {}): Expr | undefined {
  try {
    // Field by field: object spread is slow in V8, and this runs at every compile.
    return parseFilterOrEmpty(text, { resolver: options.resolver, networkResolver: options.networkResolver, strict: options.strict, deferLinkRangeChecks: true });
  } catch (error) {
    if (error instanceof FilterError) throw new CompileError(error.reason, error.span, 'parse');
    throw error;
  }
}

/** Refuses a tree that uses a pktfilter extension (strict mode for an already parsed expression). */
export function refuseFilterExtensions(expr: Expr): void {
  const extension = findFilterExtension(expr);
  if (extension) throw new CompileError(extension.reason, extension.node.span, 'parse');
}
