/** Reads a BPF program file (or `-` for standard input) for the CLI verbs, in any text format. */
import { readFile } from 'node:fs/promises';
import { BpfError } from './errors.js';
import { parseProgram } from './parse-program.js';
import type { RawInstruction } from './opcodes.js';

/** Reads all of standard input as text. */
async function readStandardInput(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads and parses the program in `path` (`-` = stdin); errors name the file and the line. */
export async function readProgramFile(path: string): Promise<RawInstruction[]> {
  let text: string;
  try {
    text = path === '-' ? await readStandardInput() : await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BpfError(`cannot read program file ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message}`, 'io');
  }
  const name = path === '-' ? 'standard input' : path;
  if (text.trim() === '') throw new BpfError(`${name}: the program file is empty`, 'syntax');
  try {
    return parseProgram(text);
  } catch (error) {
    if (error instanceof BpfError) throw new BpfError(`${name}: ${error.message}`, error.rule, error.index);
    throw error;
  }
}
