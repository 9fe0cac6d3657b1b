/** Reads the `tcpdump -dd` C array (or any list of `{ code, jt, jf, k }` initialisers) into raw instructions. */
import type { RawInstruction } from './opcodes.js';
import { BpfSyntaxError } from './errors.js';
import { numberedLines, parseBpfNumber } from './text-numbers.js';

const initialiser = /\{([^{}]*)\}/g;

/** Parses every `{ code, jt, jf, k }` group in the text (C declarations and comments around them are ignored). */
export function parseTcpdumpDd(text: string): RawInstruction[] {
  const program: RawInstruction[] = [];
  for (const { line, text: content } of numberedLines(text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')))) {
    const code = content.replace(/\/\/.*$/, '');
    for (const match of code.matchAll(initialiser)) {
      const fields = match[1]!.split(',').map((f) => f.trim());
      if (fields.at(-1) === '') fields.pop();
      if (fields.length !== 4) throw new BpfSyntaxError(`expected 4 fields { code, jt, jf, k }, got ${fields.length}`, line, (match.index ?? 0) + 1);
      const [code, jt, jf, k] = fields as [string, string, string, string];
      program.push({
        code: parseBpfNumber(code, line, 'code', 0xffff),
        jt: parseBpfNumber(jt, line, 'jt', 0xff),
        jf: parseBpfNumber(jf, line, 'jf', 0xff),
        k: parseBpfNumber(k, line, 'k'),
      });
    }
  }
  return program;
}
