// Public API of src/compiler: pcap-filter(7) expressions to classic BPF (lowering, block graph, optimizer, layout).
// Names are prefixed (filter graph, compile state) because src/index.ts re-exports every area with `export *`.
export { compileFilter, compileFilterGraph, DEFAULT_SNAPLEN as DEFAULT_FILTER_SNAPLEN } from './compile.js';
export type { CompileFilterOptions } from './compile.js';
export { CompileError } from './errors.js';
export type { CompileErrorOrigin } from './errors.js';
export { lowerExpr as lowerFilterExpr } from './gen-expr.js';
export type { Cond as FilterCond, TestCond as FilterTestCond } from './cond.js';
export { buildGraph as buildFilterGraph, reachableBlocks as filterGraphBlocks } from './graph.js';
export type { Block as FilterGraphBlock, GraphNode as FilterGraphNode, Ret as FilterGraphRet } from './graph.js';
export { optimizeGraph as optimizeFilterGraph } from './optimize/index.js';
export type { OptimizerStrength as FilterOptimizerStrength } from './optimize/index.js';
export { linearize as linearizeFilterGraph } from './linearize.js';
export { initialState as initialCompileState } from './state.js';
export type { CompileState } from './state.js';
