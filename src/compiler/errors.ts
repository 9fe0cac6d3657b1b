/** The error every compiler stage throws: a refused expression, with libpcap's message where libpcap has one. */
import type { Span } from '../filter/ast.js';

/** Which stage refused: the filter parser (syntax, names, ranges) or the compiler itself. */
export type CompileErrorOrigin = 'parse' | 'compile';

/** A filter expression the compiler refuses; `span` points at the offending primitive when known. */
export class CompileError extends Error {
  constructor(message: string, readonly span?: Span, readonly origin: CompileErrorOrigin = 'compile') {
    super(message);
    this.name = 'CompileError';
  }
}
