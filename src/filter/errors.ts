/** The one error type of the filter language: what is wrong, where, and the expression with a caret under it. */
import type { Span } from './ast.js';

/** Widest expression shown whole in a caret display; longer ones are shown as a window around the span. */
const displayWidth = 100;

/** Renders `expression` on one line with carets under `span` (tabs and newlines shown as spaces; long text windowed). */
export function renderCaret(expression: string, span: Span): string {
  let flat = expression.replace(/[\t\r\n]/g, ' ');
  let start = Math.max(0, Math.min(span.start, flat.length));
  let end = Math.max(start + 1, Math.min(span.end, flat.length));
  if (flat.length > displayWidth) {
    const from = Math.max(0, start - 40);
    const to = Math.min(flat.length, from + displayWidth);
    const prefix = from > 0 ? '…' : '';
    flat = `${prefix}${flat.slice(from, to)}${to < expression.length ? '…' : ''}`;
    start = start - from + prefix.length;
    end = Math.min(end - from + prefix.length, flat.length);
  }
  return `  ${flat}\n  ${' '.repeat(start)}${'^'.repeat(Math.max(1, end - start))}`;
}

/** Text for a message, shortened when very long. */
export function shortened(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** A token's text for a message, quoted and shortened when very long. */
export function quoteToken(image: string): string {
  return `'${shortened(image)}'`;
}

/** A filter expression refused by the scanner, the parser or the name and range checks. */
export class FilterError extends Error {
  /** The offending text (for an unexpected end, an empty span at the end of the expression). */
  readonly span: Span;
  /** The whole expression as given. */
  readonly expression: string;
  /** The reason alone, without the caret display. */
  readonly reason: string;

  constructor(reason: string, span: Span, expression: string) {
    super(`${reason}\n${renderCaret(expression, span)}`);
    this.name = 'FilterError';
    this.reason = reason;
    this.span = { start: span.start, end: span.end };
    this.expression = expression;
  }
}
