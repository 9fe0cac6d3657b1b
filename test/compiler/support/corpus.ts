/** Loads the compiler's expression corpus (corpus/filters/compiler/*.txt): one expression per line, `#` comments. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest directory above this file (or its bundle) holding corpus/filters/compiler. */
export const repositoryRoot = ((): string => {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(directory, 'corpus/filters/compiler'))) return directory;
    directory = resolve(directory, '..');
  }
  return process.cwd();
})();

/** One corpus expression and the file it came from. */
export interface CorpusEntry { expression: string; file: string; line: number }

/** Every expression of the corpus, in file order (files sorted by name). */
export function loadCompilerCorpus(): CorpusEntry[] {
  const directory = join(repositoryRoot, 'corpus/filters/compiler');
  const entries: CorpusEntry[] = [];
  for (const file of readdirSync(directory).filter((f) => f.endsWith('.txt')).sort()) {
    readFileSync(join(directory, file), 'utf8').split('\n').forEach((text, index) => {
      const expression = text.trim();
      if (expression !== '' && !expression.startsWith('#')) entries.push({ expression, file, line: index + 1 });
    });
  }
  return entries;
}
