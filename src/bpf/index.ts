// Public API of src/bpf (owned by its area; re-exported by src/index.ts).
export { BpfError, BpfStepBudgetError, BpfSyntaxError } from './errors.js';
export type { BpfAluOp, BpfInstruction, BpfJumpCondition, BpfLoadSize, BpfRegister } from './instructions.js';
export {
  BPF_ALU_OPERATIONS, BPF_JUMP_TESTS, BPF_KNOWN_OPCODES, BPF_LOAD_SIZES, assemble, assembleProgram, checkRawInstruction, checkRawProgram, disassemble, disassembleProgram,
  isConditionalJump,
} from './instructions.js';
export { bpfImageParts, formatBpfImage, formatTcpdumpD, tcpdumpDVisible } from './format-tcpdump-d.js';
export { formatTcpdumpDd } from './format-c-array.js';
export { formatTcpdumpDdd } from './format-decimal.js';
export { formatCommaForm } from './format-comma.js';
export { BPF_ASM_ANCILLARY, formatBpfAsm } from './format-bpf-asm.js';
export { formatDot } from './format-dot.js';
export type { BpfOutputFormat } from './format-program.js';
export { formatProgram, formatTcpdump } from './format-program.js';
export type { BpfTextFormat } from './detect-format.js';
export { detectBpfFormat } from './detect-format.js';
export { parseTcpdumpD } from './parse-tcpdump-d.js';
export { parseTcpdumpDd } from './parse-c-array.js';
export { parseTcpdumpDdd } from './parse-decimal.js';
export { parseCommaForm } from './parse-comma.js';
export { parseBpfAsm } from './parse-bpf-asm.js';
export { parseProgram } from './parse-program.js';
export type { BpfValidationIssue, BpfValidationMode, BpfValidationResult } from './validate.js';
export { assertValidProgram, validateProgram } from './validate.js';
export type { BpfFilterFunction, BpfRunOptions } from './interpreter.js';
export { BPF_DEFAULT_BACKWARD_JUMP_BUDGET, assertRunnableProgram, createBatchInterpreter, createInterpreter, interpret } from './interpreter.js';
export type { BpfCompileOptions, BpfJsSource } from './compile-js.js';
export { compileToJs, generateJsSource } from './compile-js.js';
export type { BpfBatchFilterFunction } from './batch.js';
export { checkBpfBatchArguments } from './batch.js';
export type { BpfJsBatchLoop, BpfJsBatchSource, BpfJsBatchSourceOptions } from './compile-js-batch.js';
export { compileToJsBatch, generateJsBatchSource } from './compile-js-batch.js';
export type { BpfCaptureBatch } from './capture-batch.js';
export { collectBpfCaptureBatch } from './capture-batch.js';
export { BpfWasmRecordArea, compileToWasmBatch, generateWasmBatchModule } from './compile-wasm.js';
export { compileToWasmPcapWalker, generateWasmPcapWalkModule, instantiateWasmPcapWalker } from './compile-wasm-pcap.js';
export type { BpfWasmPcapWalk, BpfWasmPcapWalker, BpfWasmPcapWalkOptions } from './compile-wasm-pcap.js';
export type { BpfWasmBatch, BpfWasmCompileOptions, BpfWasmRecordViews } from './compile-wasm.js';
