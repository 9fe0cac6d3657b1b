/** A Graphviz dot rendering of a program's control-flow graph: one node per instruction, edges for flow. */
import type { RawInstruction } from './opcodes.js';
import { bpfImageParts } from './format-tcpdump-d.js';
import { isConditionalJump } from './instructions.js';

const escapeLabel = (text: string): string => text.replace(/[\\"]/g, (c) => `\\${c}`);

/** The control-flow graph as a `digraph`: true edges green and labelled T, false edges red and labelled F. */
export function formatDot(program: readonly RawInstruction[]): string {
  const lines = ['digraph bpf {', '  node [shape=box, fontname="monospace"];'];
  const node = (index: number): string => (index >= 0 && index < program.length ? `n${index}` : `outside${index < 0 ? 'm' + -index : index}`);
  const outside = new Set<number>();
  const edge = (from: number, to: number, attributes = ''): void => {
    if (to < 0 || to >= program.length) outside.add(to);
    lines.push(`  n${from} -> ${node(to)}${attributes};`);
  };
  program.forEach((insn, index) => {
    const [mnemonic, operand] = bpfImageParts(insn, index);
    const text = `(${String(index).padStart(3, '0')}) ${mnemonic} ${operand}`.trimEnd();
    const isReturn = (insn.code & 0x07) === 0x06;
    lines.push(`  n${index} [label="${escapeLabel(text)}"${isReturn ? ', shape=ellipse' : ''}];`);
  });
  program.forEach((insn, index) => {
    if ((insn.code & 0x07) === 0x06) return;
    if (isConditionalJump(insn.code)) {
      edge(index, index + 1 + insn.jt, ' [label="T", color="darkgreen"]');
      edge(index, index + 1 + insn.jf, ' [label="F", color="red"]');
    } else if ((insn.code & 0x07) === 0x05) {
      edge(index, index + 1 + (insn.k | 0));
    } else {
      edge(index, index + 1);
    }
  });
  for (const target of outside) lines.push(`  ${node(target)} [label="outside the program (${target})", shape=octagon, color="red"];`);
  lines.push('}');
  return lines.join('\n') + '\n';
}
