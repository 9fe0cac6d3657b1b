/** parseFilter: pcap-filter(7) text to the typed tree of ast.ts, or a FilterError with a caret display. */
import type { IRecognitionException, IToken, TokenType } from 'chevrotain';
import type { Expr, Span } from './ast.js';
import { FilterError, quoteToken } from './errors.js';
import { FilterGrammar, GrammarRefusal } from './grammar.js';
import { scanFilter } from './scanner.js';
import { findFilterExtension } from './extensions.js';
import { checkQualified } from './semantics.js';
import type { HostResolver, NetworkResolver } from './semantics.js';
import * as T from './tokens.js';

/** Options of parseFilter. */
export interface ParseFilterOptions {
  /** Resolves host names (no DNS at compile time); without it a host name is refused with a clear error. */
  resolver?: HostResolver;
  /** Resolves network names for `net NAME` (as /etc/networks does); without it a network name is refused with a clear error. */
  networkResolver?: NetworkResolver;
  /**
   * Leave the range checks of `vlan N` and `mpls N` to the compiler, which (as libpcap) first refuses a link
   * type without VLAN/MPLS support, so its message names the link type. Only for a caller that compiles the
   * tree for a known link type; parseFilter alone refuses out-of-range values itself.
   */
  deferLinkRangeChecks?: boolean;
  /** Refuse pktfilter's extensions (`gre`, `vxlan`): accept only what libpcap 1.10 could also compile. */
  strict?: boolean;
}

/** Deepest nesting of parentheses, `not` and unary minus accepted (a clear error beyond, never a stack overflow). */
export const maximumFilterNesting = 200;

let sharedGrammar: FilterGrammar | undefined;
let sharedGrammarBusy = false;

/** The shared parser, or a fresh one when it is busy (a resolver that itself parses a filter). */
function grammar(): { parser: FilterGrammar; release: () => void } {
  if (sharedGrammarBusy) return { parser: new FilterGrammar(), release: () => {} };
  sharedGrammar ??= new FilterGrammar();
  sharedGrammarBusy = true;
  return { parser: sharedGrammar, release: () => { sharedGrammarBusy = false; } };
}

/** Refuses token lists nested deeper than maximumFilterNesting, pointing at the token that goes too deep. */
function checkNesting(tokens: readonly IToken[], text: string): void {
  let depth = 0;
  let run = 0;
  const open: IToken[] = [];
  const spanOf = (token: IToken): Span => ({ start: token.startOffset, end: token.startOffset + token.image.length });
  for (const token of tokens) {
    const type = token.tokenType;
    if (type === T.LParen) { depth++; open.push(token); } else if (type === T.RParen) {
      if (open.length === 0) throw new FilterError("syntax error: ')' without a matching '('", spanOf(token), text);
      open.pop();
      depth--;
    } else if (type === T.LBracket) depth++;
    else if (type === T.RBracket) depth = Math.max(0, depth - 1);
    if (type === T.Not || type === T.Minus || type === T.Percent || type === T.Caret) run++;
    else if (type === T.And || type === T.Or || type === T.RParen) run = 0;
    if (depth + run > maximumFilterNesting) {
      throw new FilterError(`expression nested too deeply (more than ${maximumFilterNesting} levels of parentheses, 'not' or unary operators)`, spanOf(token), text);
    }
  }
  if (open.length > 0) throw new FilterError("syntax error: '(' is never closed", spanOf(open[open.length - 1]!), text);
}

function describeToken(token: IToken): string {
  return token.tokenType.name === 'EOF' ? 'end of expression' : quoteToken(token.image);
}

/** What may follow a token that an expression must not end with. */
const expectedAfter = new Map<TokenType, string>([
  [T.Host, 'an address or host name'], [T.Net, 'a network'], [T.Port, 'a port number or name'],
  [T.Portrange, 'a port range (LOW-HIGH)'], [T.Proto, 'a protocol number or \\name'], [T.Protochain, 'a protocol number or \\name'],
  [T.Gateway, 'a host name'], [T.Src, "an address, or 'host', 'net', 'port'…"], [T.Dst, "an address, or 'host', 'net', 'port'…"],
  [T.And, 'a primitive'], [T.Or, 'a primitive'], [T.Not, 'a primitive'], [T.Less, 'a length'], [T.Greater, 'a length'],
  [T.Mask, 'a netmask'], [T.Ifindex, 'an interface index'],
  [T.LBracket, 'an offset'], [T.Colon, 'a size (1, 2 or 4)'],
  ...[T.Greater_, T.LessThan, T.GreaterEqual, T.LessEqual, T.Equal, T.NotEqual, T.Plus, T.Minus, T.Star, T.Slash, T.Percent, T.Ampersand, T.Pipe, T.Caret, T.ShiftLeft, T.ShiftRight]
    .map((type): [TokenType, string] => [type, 'a value']),
]);

function syntaxError(error: IRecognitionException, tokens: readonly IToken[], text: string): FilterError {
  const token = error.token;
  const atEnd = token.tokenType.name === 'EOF' || Number.isNaN(token.startOffset);
  if (atEnd) {
    const last = tokens[tokens.length - 1]!;
    const expected = expectedAfter.get(last.tokenType);
    return new FilterError(`syntax error: unexpected end of expression after ${quoteToken(last.image)}${expected ? ` (expected ${expected})` : ''}`, { start: text.length, end: text.length + 1 }, text);
  }
  const span: Span = { start: token.startOffset, end: token.startOffset + token.image.length };
  return new FilterError(`syntax error: unexpected ${describeToken(token)}`, span, text);
}

/** Parses a filter expression into the tree of ast.ts; the empty expression (all packets) gives undefined. */
export function parseFilterOrEmpty(text: string, options: ParseFilterOptions = {}): Expr | undefined {
  if (typeof text !== 'string') throw new TypeError('parseFilter: the expression must be a string');
  const tokens = scanFilter(text);
  if (tokens.length === 0) return undefined;
  checkNesting(tokens, text);
  const { parser, release } = grammar();
  let result: Expr | undefined;
  try {
    result = parser.parseTokens(tokens, text, (primitive) => {
      const problem = checkQualified(primitive, options.resolver, options.networkResolver);
      if (problem) throw new GrammarRefusal(problem.reason, problem.span);
    }, options.deferLinkRangeChecks);
    if (parser.errors.length > 0) throw syntaxError(parser.errors[0]!, tokens, text);
  } catch (error) {
    if (error instanceof GrammarRefusal) throw new FilterError(error.reason, error.span, text);
    if (error instanceof RangeError) throw new FilterError('expression nested too deeply', { start: 0, end: text.length }, text);
    throw error;
  } finally {
    release();
  }
  if (!result) throw new FilterError('syntax error', { start: 0, end: text.length }, text);
  if (options.strict) {
    const extension = findFilterExtension(result);
    if (extension) throw new FilterError(extension.reason, extension.node.span, text);
  }
  return result;
}

/**
 * Parses a pcap-filter(7) expression into the typed tree of ast.ts.
 * Throws FilterError (with the span and a caret display) for anything libpcap refuses for a reason of the
 * language, and for the empty expression (use parseFilterOrEmpty to accept it).
 */
export function parseFilter(text: string, options: ParseFilterOptions = {}): Expr {
  const result = parseFilterOrEmpty(text, options);
  if (!result) throw new FilterError('empty filter expression', { start: 0, end: 1 }, text);
  return result;
}
