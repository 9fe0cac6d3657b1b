/** How every verb reports an expression the compiler refuses. */
import { linkTypeName } from '../capture/linktype.js';
import type { CompileError } from '../compiler/index.js';
import { renderCaret } from '../filter/errors.js';

/** The reason and link type on one line, then the expression with a caret under the refused text. */
export function describeRefusal(error: CompileError, expression: string, linkType: number): string {
  const reason = error.message.split('\n')[0]!;
  const where = error.span ? `\n${renderCaret(expression, error.span)}` : '';
  return `${reason} [link type ${linkTypeName(linkType)}]${where}`;
}
