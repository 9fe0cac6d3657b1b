// Public API of src/direct: the direct engine, filter tree -> small IR -> one JavaScript predicate (no BPF
// program in between), with the -O0 BPF program's verdicts. Names start with `direct`/`Direct` because
// src/index.ts re-exports every area with `export *`.
export { DirectUnsupportedError } from './errors.js';
export type { DirectAluOp, DirectBool, DirectCheck, DirectCompareOp, DirectRegister, DirectTest, DirectValue } from './ir.js';
export { directTests, directValueKey } from './ir.js';
export { foldDirectAlu, lowerDirectCond, lowerDirectFilter } from './lower.js';
export type { DirectFilterOptions, DirectProgram } from './lower.js';
export { analyzeDirect, optimizeDirect } from './optimize.js';
export type { DirectAnalysis } from './optimize.js';
export { DIRECT_DEFAULT_TREE_LIMIT, createDirectEmitter, directLiteral, directThresholds } from './emit.js';
export { DIRECT_ACCEPT, DIRECT_REJECT, buildDirectGraph, directGraphOrder, directTreeSize } from './graph.js';
export type { DirectGraphNode, DirectLeaf, DirectNode } from './graph.js';
export { pruneRejectingNodes, threadDirectGraph } from './thread.js';
export type { DirectEmitOptions, DirectEmitter } from './emit.js';
export { compileDirectFilter, generateDirectSources, prepareDirectFilter } from './compile.js';
export type { DirectFilter, DirectSources } from './compile.js';
