/** The pktfilter library: capture files, packet decoder, filter language, compiler and BPF machine. */
export * from './capture/linktype.js';
export type { PacketRecord } from './capture/record.js';
export * from './capture/pcap-writer.js';
export * from './capture/index.js';
export * from './bpf/opcodes.js';
export * from './bpf/index.js';
export type * from './packet/layers.js';
export * from './packet/index.js';
export type * from './filter/ast.js';
export * from './filter/index.js';
export * from './compiler/index.js';
export * from './packet/build/index.js';
export * from './packet/arbitrary/index.js';
export * from './tunnel/index.js';
export * from './direct/index.js';
