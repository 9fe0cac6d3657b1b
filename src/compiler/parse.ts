/** The compiler's entry to the filter parser: text to AST, with an empty expression meaning "accept everything". */
import type { Expr } from '../filter/ast.js';
import { FilterError, parseFilterOrEmpty } from '../filter/index.js';
import { CompileError } from './errors.js';
import type { HostResolver } from './names.js';

/** Parses filter text for the compiler (FilterError becomes CompileError); undefined for an empty expression. */
export function parseForCompiler(text: string, resolver?: HostResolver): Expr | undefined {
  try {
    return parseFilterOrEmpty(text, { resolver });
  } catch (error) {
    if (error instanceof FilterError) throw new CompileError(error.reason, error.span, 'parse');
    throw error;
  }
}
