/**
 * compileFilter: filter text or AST -> lowering -> block graph -> optimizer -> linearized classic BPF,
 * with libpcap 1.10's refusals (including "expression rejects all packets" when optimizing).
 */
import type { RawInstruction } from '../bpf/opcodes.js';
import type { Expr } from '../filter/ast.js';
import type { NetworkResolver } from '../filter/index.js';
import { CompileError } from './errors.js';
import { buildGraph, reachableBlocks, type GraphNode, type Ret } from './graph.js';
import { lowerExpr } from './gen-expr.js';
import { linearize } from './linearize.js';
import type { HostResolver } from './names.js';
import { optimizeGraph } from './optimize/index.js';
import { parseForCompiler, refuseFilterExtensions } from './parse.js';
import { initialState } from './state.js';

/** Options of compileFilter; the defaults are tcpdump's (EN10MB, snaplen 262144, optimized). */
export interface CompileFilterOptions {
  /** LINKTYPE_* of the packets the program will see (default 1, EN10MB). */
  linkType?: number;
  /** The value the accepting `ret` returns (default 262144). */
  snaplen?: number;
  /** Run the optimizer (default true); false gives the program as generated (`-O0`). */
  optimize?: boolean;
  /** Resolves host names used in the expression. */
  resolver?: HostResolver;
  /** Resolves network names (`net NAME`), as /etc/networks does. */
  networkResolver?: NetworkResolver;
  /** Refuse pktfilter's extensions (`gre`, `vxlan`), so the program is one libpcap 1.10 could also have produced. */
  strict?: boolean;
}

/** The default snapshot length of tcpdump and libpcap. */
export const DEFAULT_SNAPLEN = 262144;

/** Lowers `expression` to its unoptimized or optimized block graph (the root node). */
export function compileFilterGraph(expression: string | Expr, options: CompileFilterOptions = {}): GraphNode {
  const snaplen = options.snaplen ?? DEFAULT_SNAPLEN;
  const accept: Ret = { kind: 'ret', k: snaplen >>> 0 };
  const reject: Ret = { kind: 'ret', k: 0 };
  const expr = typeof expression === 'string' ? parseForCompiler(expression, options) : expression;
  if (expr === undefined) return accept;
  if (options.strict && typeof expression !== 'string') refuseFilterExtensions(expr);
  const state = initialState(options.linkType ?? 1);
  const cond = lowerExpr(state, expr, { resolver: options.resolver });
  const optimize = options.optimize ?? true;
  const root = buildGraph(cond, accept, reject, !optimize);
  if (!optimize) return root;
  const optimized = optimizeGraph(root);
  // libpcap refuses an expression when its optimizer proves it rejects everything; ours may prove
  // more, so the refusal is decided by a run limited to what libpcap's optimizer infers.
  if (!acceptsSomething(optimized) && !state.hasProtochain && !state.hasGeneve && !acceptsSomething(optimizeGraph(buildGraph(cond, accept, reject, false), 'libpcap'))) {
    throw new CompileError('expression rejects all packets');
  }
  return optimized;
}

/** True when some path of the optimized graph ends in a `ret` of a non-zero value. */
function acceptsSomething(root: GraphNode): boolean {
  if (root.kind === 'ret') return root.k !== 0;
  return reachableBlocks(root).some((b) => (b.jt.kind === 'ret' && b.jt.k !== 0) || (b.jf.kind === 'ret' && b.jf.k !== 0));
}

/** Compiles a pcap-filter(7) expression (text or AST) to classic BPF; throws CompileError as libpcap refuses. */
export function compileFilter(expression: string | Expr, options: CompileFilterOptions = {}): RawInstruction[] {
  return linearize(compileFilterGraph(expression, options));
}
