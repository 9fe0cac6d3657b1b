/**
 * THE grammar of pcap-filter(7): Chevrotain rule definitions with embedded actions that build the AST of
 * ast.ts. This is the one source of truth; grammar/railroad.html is generated from it (railroad.ts).
 *
 * libpcap's grammar is LALR(1) (bison); this one is LL(k) with a few gates that look further ahead where
 * bison would have waited: whether a '(' opens arithmetic (`(len - 4) > 10`), a list of operands that
 * inherit qualifiers (`host a and (b or c)`), or a boolean expression (`(tcp or udp)`).
 *
 * Qualifier inheritance follows libpcap exactly: every expression carries the qualifiers of the last
 * qualified primitive (`q`); an operand without qualifiers after `and`/`or` takes them. A parenthesized
 * expression passes on the qualifiers from before its '(' (so `host a or (tcp) or b` gives `host b`), and
 * a protocol name, relation or other primitive passes on none (`tcp or b` is refused).
 */
import { EmbeddedActionsParser, EOF } from 'chevrotain';
import type { IToken, TokenType } from 'chevrotain';
import type {
  Arith, ArithOp, DirQualifier, Expr, Id, LoadProto, ProtoQualifier, QualifiedPrimitive, RelOp, Span, TypeQualifier,
} from './ast.js';
import { parseDottedIPv4, parseIPv6, parseMac } from './addresses.js';
import { quoteToken, shortened } from './errors.js';
import type { NumberPayload } from './scanner.js';
import * as T from './tokens.js';
import { LazyLookaheadStrategy } from './lazy-lookahead.js';

/** Qualifiers in force; `null` when there are none to inherit (libpcap's `qerr`). */
export interface Qualifiers { proto?: ProtoQualifier; dir?: DirQualifier; type?: TypeQualifier }
type Context = Qualifiers | null;

/** A refusal raised from inside the grammar actions (turned into a FilterError by the parser). */
export class GrammarRefusal extends Error {
  constructor(readonly reason: string, readonly span: Span) { super(reason); }
}

/** Hook the parser installs to check a qualified primitive as soon as it is built. */
export type PrimitiveCheck = (primitive: QualifiedPrimitive) => void;

const relationalTypes = new Set<TokenType>([T.Greater_, T.LessThan, T.GreaterEqual, T.LessEqual, T.Equal, T.NotEqual]);
const arithmeticTypes = new Set<TokenType>([
  T.Plus, T.Minus, T.Star, T.Slash, T.Percent, T.Ampersand, T.Pipe, T.Caret, T.ShiftLeft, T.ShiftRight,
]);
const addressTypes = new Set<TokenType>([T.Name, T.IPv4Address, T.IPv6Address, T.MacAddress, T.ArcnetAddress]);

/** Protocol words as qualifiers (`ppp`, `slip`, `fddi`, `tr`, `wlan` are libpcap's synonyms of `link`). */
const protoQualifierOf: Record<string, ProtoQualifier> = {
  link: 'link', ether: 'ether', ppp: 'link', slip: 'link', fddi: 'link', tr: 'link', wlan: 'link',
  'es-is': 'esis', 'is-is': 'isis',
};
const loadProtoOf: Record<string, LoadProto> = { 'es-is': 'esis', 'is-is': 'isis' };

const spanOf = (token: IToken): Span => ({ start: token.startOffset, end: token.startOffset + token.image.length });
const join = (a: Span, b: Span): Span => ({ start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) });

/** The Chevrotain parser of pcap-filter(7); build one and reuse it (`parseTokens`). */
export class FilterGrammar extends EmbeddedActionsParser {
  private source = '';
  private check: PrimitiveCheck = () => {};
  private tokenList: IToken[] = [];
  private closing: Int32Array = new Int32Array(0);
  /** Whether an `mpls` primitive came earlier in the text: libpcap then refuses any later `vlan`. */
  private mplsSeen = false;
  /** Leave `vlan N` / `mpls N` range checks to the compiler, which checks the link type first (see ParseFilterOptions). */
  private deferLinkRangeChecks = false;

  /**
   * Chevrotain's grammar validations (ambiguities, left recursion) cost ~40 ms at every start of the CLI;
   * they are skipped unless `validate` is set, and test/filter/grammar-validation.test.ts runs them. The
   * lookahead functions are built on first use (lazy-lookahead.ts), as one filter reaches few productions.
   */
  constructor(options: { validate?: boolean } = {}) {
    super(T.allTokenTypes, { maxLookahead: 3, recoveryEnabled: false, skipValidations: !options.validate, lookaheadStrategy: new LazyLookaheadStrategy({ maxLookahead: 3 }) });
    this.performSelfAnalysis();
  }

  /** Parses a scanned token list; throws GrammarRefusal or leaves Chevrotain errors in `this.errors`. */
  parseTokens(tokens: IToken[], source: string, check: PrimitiveCheck, deferLinkRangeChecks = false): Expr | undefined {
    this.deferLinkRangeChecks = deferLinkRangeChecks;
    this.source = source;
    this.check = check;
    this.tokenList = tokens;
    this.closing = matchParentheses(tokens);
    this.mplsSeen = false;
    this.input = tokens;
    return this.filter();
  }

  // ---- lookahead helpers for the gates (absolute positions in the token list) ----

  private position(k: number): number {
    // Chevrotain keeps the index of the last consumed token in `currIdx`; LA(k) is the token after it.
    return (this as unknown as { currIdx: number }).currIdx + k;
  }

  private typeAt(index: number): TokenType | undefined { return this.tokenList[index]?.tokenType; }

  /** True when the token after the ')' closing the '(' at `index` continues arithmetic. */
  private parenthesisIsArithmetic(index: number): boolean {
    const close = this.closing[index] ?? -1;
    if (close < 0) return false;
    const next = this.typeAt(close + 1);
    return next !== undefined && (relationalTypes.has(next) || arithmeticTypes.has(next));
  }

  /** True when a number at `index` starts a relation (followed by an operator) rather than being an operand. */
  private numberStartsRelation(index: number): boolean {
    const next = this.typeAt(index + 1);
    return next !== undefined && (relationalTypes.has(next) || arithmeticTypes.has(next));
  }

  /** At a term start: does a relation (`arith relop arith`) begin here? */
  private relationAhead(): boolean {
    const index = this.position(1);
    const type = this.typeAt(index);
    if (type === T.NumberLiteral || type === T.Minus || type === T.Len) return true;
    if (type === T.ProtocolName) return this.typeAt(index + 1) === T.LBracket;
    if (type === T.LParen) return this.parenthesisIsArithmetic(index);
    return false;
  }

  /** After `and`/`or`: is the next operand a bare id that inherits qualifiers (as opposed to a term)? */
  private inheritingOperandAhead(context: Context): boolean {
    let index = this.position(1);
    while (this.typeAt(index) === T.Not) index++;
    const type = this.typeAt(index);
    if (type === undefined) return false;
    if (type === T.Name) {
      // `gre` is our primitive where libpcap could not read it as a host: with nothing to inherit, or with a key.
      if (this.tokenList[index]!.image !== 'gre') return true;
      const next = this.typeAt(index + 1);
      return context !== null && next !== T.NumberLiteral && next !== T.LParen;
    }
    if (addressTypes.has(type)) return true;
    if (type === T.NumberLiteral) return !this.numberStartsRelation(index);
    if (type === T.LParen) {
      if (this.parenthesisIsArithmetic(index)) return false;
      // An operand list starts with an operand, possibly under `not`s and parentheses (`(not (a or b))`).
      let inner = index + 1;
      while (this.typeAt(inner) === T.Not || this.typeAt(inner) === T.LParen) {
        if (this.typeAt(inner) === T.LParen && this.parenthesisIsArithmetic(inner)) return false;
        inner++;
      }
      const first = this.typeAt(inner);
      if (first === T.Name && this.tokenList[inner]!.image === 'gre') return false;
      if (first !== undefined && addressTypes.has(first)) return true;
      if (first === T.NumberLiteral) return !this.numberStartsRelation(inner);
    }
    return false;
  }

  private refuse(reason: string, span: Span): never {
    throw new GrammarRefusal(reason, span);
  }

  // ---- boolean structure ----

  /** filter := expression? EOF */
  public filter = this.RULE('filter', (): Expr | undefined => {
    const result = this.OPTION(() => this.SUBRULE(this.expression, { ARGS: [null] }));
    this.CONSUME(EOF);
    return result?.expr;
  });

  /** expression := term ( ('and' | 'or') ( inheritingOperand | term ) )*   — and/or equal precedence, left to right. */
  private expression = this.RULE('expression', (context: Context): { expr: Expr; q: Context } => {
    const first = this.SUBRULE(this.term, { ARGS: [context] });
    let expr = first?.expr;
    let q = first?.q ?? null;
    this.MANY(() => {
      const operator = this.OR([{ ALT: () => this.CONSUME(T.And) }, { ALT: () => this.CONSUME(T.Or) }]);
      const current = q;
      const right = this.OR2([
        {
          GATE: () => this.inheritingOperandAhead(current),
          IGNORE_AMBIGUITIES: true,
          ALT: () => ({ expr: this.SUBRULE(this.inheritingOperand, { ARGS: [current, true] }), q: current }),
        },
        { IGNORE_AMBIGUITIES: true, ALT: () => this.SUBRULE2(this.term, { ARGS: [current] }) },
      ]);
      this.ACTION(() => {
        expr = { kind: operator.tokenType === T.And ? 'and' : 'or', left: expr!, right: right.expr, span: join(expr!.span, right.expr.span) };
        q = right.q;
      });
    });
    return { expr: expr!, q };
  });

  /** term := 'not' term | primitive */
  private term = this.RULE('term', (context: Context): { expr: Expr; q: Context } => this.OR([
    {
      ALT: () => {
        const not = this.CONSUME(T.Not);
        const inner = this.SUBRULE(this.term, { ARGS: [context] });
        return this.ACTION(() => ({ expr: { kind: 'not', operand: inner.expr, span: join(spanOf(not), inner.expr.span) } as Expr, q: inner.q }));
      },
    },
    { ALT: () => this.SUBRULE(this.primitive, { ARGS: [context] }) },
  ]));

  /** primitive := qualified | cast | relation | '(' expression ')' | protocol | less/greater/vlan/… */
  private primitive = this.RULE('primitive', (context: Context): { expr: Expr; q: Context } => this.OR([
    { ALT: () => this.SUBRULE(this.qualifiedPrimitive) },
    { ALT: () => ({ expr: this.SUBRULE(this.castPrimitive), q: null }) },
    { GATE: () => this.relationAhead(), IGNORE_AMBIGUITIES: true, ALT: () => ({ expr: this.SUBRULE(this.relation), q: null }) },
    {
      IGNORE_AMBIGUITIES: true,
      ALT: () => {
        this.CONSUME(T.LParen);
        const inner = this.SUBRULE(this.expression, { ARGS: [context] });
        this.CONSUME(T.RParen);
        return { expr: inner?.expr, q: context };
      },
    },
    { ALT: () => ({ expr: this.SUBRULE(this.protocolPrimitive), q: null }) },
    { ALT: () => ({ expr: this.SUBRULE(this.otherPrimitive), q: null }) },
    { GATE: () => this.LA(1).image === 'gre', ALT: () => ({ expr: this.SUBRULE(this.grePrimitive), q: null }) },
    {
      ALT: () => {
        const word = this.CONSUME(T.UnsupportedKeyword);
        return this.ACTION(() => this.refuse(`'${word.image}' is not supported: it applies to link types other than Ethernet, raw IP, Linux cooked and loopback`, spanOf(word)));
      },
    },
  ]));

  // ---- qualified primitives ----

  /** qualifiedPrimitive := protocol? ( direction type? | type | 'proto' | 'protochain' | 'gateway' ) inheritingOperand */
  private qualifiedPrimitive = this.RULE('qualifiedPrimitive', (): { expr: Expr; q: Context } => {
    const protoToken = this.OPTION(() => this.CONSUME(T.ProtocolName));
    const q: Qualifiers = {};
    this.OR([
      {
        ALT: () => {
          const direction = this.SUBRULE(this.direction);
          this.ACTION(() => { q.dir = direction.dir; });
          this.OPTION2(() => {
            const type = this.SUBRULE(this.addressType);
            this.ACTION(() => { q.type = type.type; });
          });
        },
      },
      {
        ALT: () => {
          const type = this.SUBRULE2(this.addressType);
          this.ACTION(() => { q.type = type.type; });
        },
      },
      { ALT: () => { this.CONSUME(T.Proto); q.type = 'proto'; } },
      { ALT: () => { this.CONSUME(T.Protochain); q.type = 'protochain'; } },
      { ALT: () => { this.CONSUME(T.Gateway); q.type = 'gateway'; } },
    ]);
    this.ACTION(() => {
      if (protoToken) q.proto = this.protoQualifier(protoToken);
    });
    const operand = this.SUBRULE(this.inheritingOperand, { ARGS: [q, false] });
    return this.ACTION(() => {
      const start = protoToken ? protoToken.startOffset : operand.span.start;
      const expr = widenFirstPrimitive(operand, start);
      return { expr, q };
    });
  });

  /** direction := 'src' | 'dst' | 'src' 'or' 'dst' | 'dst' 'or' 'src' | 'src' 'and' 'dst' | 'dst' 'and' 'src' */
  private direction = this.RULE('direction', (): { dir: DirQualifier } => {
    const first = this.OR([{ ALT: () => this.CONSUME(T.Src) }, { ALT: () => this.CONSUME(T.Dst) }]);
    let dir: DirQualifier = first.tokenType === T.Src ? 'src' : 'dst';
    this.OPTION(() => {
      const combiner = this.OR2([{ ALT: () => this.CONSUME(T.Or) }, { ALT: () => this.CONSUME(T.And) }]);
      const second = this.OR3([{ ALT: () => this.CONSUME2(T.Src) }, { ALT: () => this.CONSUME2(T.Dst) }]);
      this.ACTION(() => {
        if (second.tokenType === first.tokenType) this.refuse(`'${first.image} ${combiner.image} ${second.image}' is not a direction`, join(spanOf(first), spanOf(second)));
        dir = combiner.tokenType === T.Or ? 'src or dst' : 'src and dst';
      });
    });
    return { dir };
  });

  /** addressType := 'host' | 'net' | 'port' | 'portrange' */
  private addressType = this.RULE('addressType', (): { type: TypeQualifier } => {
    const token = this.OR([
      { ALT: () => this.CONSUME(T.Host) }, { ALT: () => this.CONSUME(T.Net) },
      { ALT: () => this.CONSUME(T.Port) }, { ALT: () => this.CONSUME(T.Portrange) },
    ]);
    const type: TypeQualifier = token.tokenType === T.Host ? 'host' : token.tokenType === T.Net ? 'net' : token.tokenType === T.Port ? 'port' : 'portrange';
    return { type };
  });

  /** inheritingOperand := 'not' inheritingOperand | '(' operandList ')' | operand   (libpcap's `id`) */
  private inheritingOperand = this.RULE('inheritingOperand', (q: Context, inherited: boolean): Expr => this.OR([
    {
      ALT: () => {
        const not = this.CONSUME(T.Not);
        const inner = this.SUBRULE(this.inheritingOperand, { ARGS: [q, inherited] });
        return this.ACTION(() => ({ kind: 'not', operand: inner, span: join(spanOf(not), inner.span) }) as Expr);
      },
    },
    {
      GATE: () => this.typeAt(this.position(2)) !== T.LParen || this.typeAt(this.position(3)) === T.NumberLiteral,
      IGNORE_AMBIGUITIES: true,
      ALT: () => {
        this.CONSUME(T.LParen);
        const list = this.SUBRULE(this.operandList, { ARGS: [q, inherited] });
        this.CONSUME(T.RParen);
        return list;
      },
    },
    { IGNORE_AMBIGUITIES: true, ALT: () => this.SUBRULE(this.operand, { ARGS: [q, inherited] }) },
  ]));

  /** operandList := ('not'* operand) ( ('and' | 'or') inheritingOperand )*   (libpcap's `pid`) */
  private operandList = this.RULE('operandList', (q: Context, inherited: boolean): Expr => {
    let expr = this.OR([
      {
        ALT: () => {
          const not = this.CONSUME(T.Not);
          const inner = this.SUBRULE(this.inheritingOperand, { ARGS: [q, inherited] });
          return this.ACTION(() => ({ kind: 'not', operand: inner, span: join(spanOf(not), inner.span) }) as Expr);
        },
      },
      { ALT: () => this.SUBRULE(this.operand, { ARGS: [q, inherited] }) },
    ]);
    this.MANY(() => {
      const operator = this.OR2([{ ALT: () => this.CONSUME(T.And) }, { ALT: () => this.CONSUME(T.Or) }]);
      const right = this.SUBRULE2(this.inheritingOperand, { ARGS: [q, true] });
      this.ACTION(() => {
        expr = { kind: operator.tokenType === T.And ? 'and' : 'or', left: expr, right, span: join(expr.span, right.span) };
      });
    });
    return expr;
  });

  /** operand := name | ipv4 ('/' number | 'mask' ipv4)? | ipv6 ('/' number)? | mac | '$'arcnet | parenthesizedNumber */
  private operand = this.RULE('operand', (q: Context, inherited: boolean): Expr => {
    const id = this.OR([
      {
        ALT: () => {
          const token = this.CONSUME(T.Name);
          return this.ACTION(() => this.nameId(token, q));
        },
      },
      {
        ALT: () => {
          const address = this.CONSUME(T.IPv4Address);
          let id: Id | undefined;
          this.OR2([
            {
              ALT: () => {
                this.CONSUME(T.Slash);
                const length = this.CONSUME(T.NumberLiteral);
                this.ACTION(() => { id = this.prefixId(address, length, undefined); });
              },
            },
            {
              ALT: () => {
                this.CONSUME(T.Mask);
                const mask = this.CONSUME2(T.IPv4Address);
                this.ACTION(() => { id = this.prefixId(address, undefined, mask); });
              },
            },
            { ALT: () => { this.ACTION(() => { id = this.ipv4Id(address, q?.proto === 'decnet'); }); } },
          ]);
          return id!;
        },
      },
      {
        ALT: () => {
          const address = this.CONSUME(T.IPv6Address);
          let id: Id | undefined;
          this.OR3([
            {
              ALT: () => {
                this.CONSUME2(T.Slash);
                const length = this.CONSUME2(T.NumberLiteral);
                this.ACTION(() => { id = this.prefixId(address, length, undefined); });
              },
            },
            { ALT: () => { this.ACTION(() => { id = this.ipv6Id(address); }); } },
          ]);
          return id!;
        },
      },
      {
        ALT: () => {
          const token = this.CONSUME(T.MacAddress);
          return this.ACTION(() => {
            const bytes = parseMac(token.image);
            if (!bytes) this.refuse(`bogus ethernet address ${token.image}`, spanOf(token));
            return { kind: 'mac', bytes, text: token.image, span: spanOf(token) } as Id;
          });
        },
      },
      {
        ALT: () => {
          const token = this.CONSUME(T.ArcnetAddress);
          return this.ACTION(() => this.refuse(`ARCnet address ${token.image} cannot be used: no ARCnet link type here`, spanOf(token)));
        },
      },
      {
        ALT: () => {
          const number = this.SUBRULE(this.parenthesizedNumber);
          return this.ACTION(() => this.numberId(number));
        },
      },
    ]);
    return this.ACTION(() => {
      if (q === null) {
        const written = quoteToken(this.source.slice(id.span.start, id.span.end));
        this.refuse(`${written} has no qualifier: write e.g. 'host …' or 'port …' (only a qualified primitive passes its qualifiers on)`, id.span);
      }
      const primitive: QualifiedPrimitive = { kind: 'qualified', id, inherited, span: id.span };
      if (q.proto !== undefined) primitive.proto = q.proto;
      if (q.dir !== undefined) primitive.dir = q.dir;
      if (q.type !== undefined) primitive.type = q.type;
      this.check(primitive);
      return primitive;
    });
  });

  /** parenthesizedNumber := number | '(' parenthesizedNumber ')'   (libpcap's `pnum`) */
  private parenthesizedNumber = this.RULE('parenthesizedNumber', (): IToken => this.OR([
    { ALT: () => this.CONSUME(T.NumberLiteral) },
    {
      ALT: () => {
        this.CONSUME(T.LParen);
        const inner = this.SUBRULE(this.parenthesizedNumber);
        this.CONSUME(T.RParen);
        return inner;
      },
    },
  ]));

  // ---- other primitives ----

  /** castPrimitive := protocol? ('broadcast' | 'multicast') */
  private castPrimitive = this.RULE('castPrimitive', (): Expr => {
    const protoToken = this.OPTION(() => this.CONSUME(T.ProtocolName));
    const cast = this.OR([{ ALT: () => this.CONSUME(T.Broadcast) }, { ALT: () => this.CONSUME(T.Multicast) }]);
    return this.ACTION(() => {
      const kind = cast.tokenType === T.Broadcast ? 'broadcast' : 'multicast';
      const span = protoToken ? join(spanOf(protoToken), spanOf(cast)) : spanOf(cast);
      if (!protoToken) return { kind, span } as Expr;
      const proto = this.protoQualifier(protoToken);
      const allowed = kind === 'broadcast' ? ['ether', 'link', 'ip'] : ['ether', 'link', 'ip', 'ip6'];
      if (!allowed.includes(proto)) {
        this.refuse(kind === 'broadcast' ? 'only link-layer/IP broadcast filters supported' : `'${protoToken.image} multicast' is not supported: only link-layer, IP and IPv6 multicast`, span);
      }
      return { kind, proto, span } as Expr;
    });
  });

  /** protocolPrimitive := protocol   (`tcp`, `ip6`, `arp` alone) */
  private protocolPrimitive = this.RULE('protocolPrimitive', (): Expr => {
    const token = this.CONSUME(T.ProtocolName);
    return this.ACTION(() => {
      const proto = this.protoQualifier(token);
      if (proto === 'ether' || proto === 'link') this.refuse(`'${token.image}' alone is not a filter: it needs a qualifier ('${token.image} host …', '${token.image} proto …') or an index ('${token.image}[0]')`, spanOf(token));
      return { kind: 'proto', proto, span: spanOf(token) } as Expr;
    });
  });

  /** otherPrimitive := 'less' number | 'greater' number | 'inbound' | 'outbound' | 'ifindex' number | encapsulations | llc */
  private otherPrimitive = this.RULE('otherPrimitive', (): Expr => this.OR([
    {
      ALT: () => {
        const keyword = this.OR2([{ ALT: () => this.CONSUME(T.Less) }, { ALT: () => this.CONSUME(T.Greater) }]);
        const value = this.CONSUME(T.NumberLiteral);
        return this.ACTION(() => ({ kind: keyword.tokenType === T.Less ? 'less' : 'greater', value: numberOf(value), span: join(spanOf(keyword), spanOf(value)) }) as Expr);
      },
    },
    { ALT: () => { const t = this.CONSUME(T.Inbound); return { kind: 'inbound', span: spanOf(t) } as Expr; } },
    { ALT: () => { const t = this.CONSUME(T.Outbound); return { kind: 'outbound', span: spanOf(t) } as Expr; } },
    {
      ALT: () => {
        const keyword = this.CONSUME(T.Ifindex);
        const value = this.CONSUME2(T.NumberLiteral);
        return this.ACTION(() => ({ kind: 'ifindex', value: numberOf(value), span: join(spanOf(keyword), spanOf(value)) }) as Expr);
      },
    },
    { ALT: () => this.SUBRULE(this.encapsulation) },
    {
      ALT: () => {
        const keyword = this.CONSUME(T.Llc);
        const subtype = this.OPTION(() => this.OR3([{ ALT: () => this.CONSUME(T.Name) }, { ALT: () => this.CONSUME(T.Rnr) }]));
        return this.ACTION(() => {
          if (!subtype) return { kind: 'llc', span: spanOf(keyword) } as Expr;
          const name = subtype.tokenType === T.Rnr ? 'rnr' : subtype.image.toLowerCase();
          if (!llcSubtypes.has(name)) this.refuse(`unknown LLC type name "${subtype.image}"`, spanOf(subtype));
          return { kind: 'llc', subtype: name, span: join(spanOf(keyword), spanOf(subtype)) } as Expr;
        });
      },
    },
  ]));

  /** encapsulation := ('vlan' | 'mpls' | 'pppoes' | 'geneve' | 'vxlan') parenthesizedNumber? | 'pppoed' */
  private encapsulation = this.RULE('encapsulation', (): Expr => {
    const keyword = this.OR([
      { ALT: () => this.CONSUME(T.Vlan) }, { ALT: () => this.CONSUME(T.Mpls) }, { ALT: () => this.CONSUME(T.Pppoes) },
      { ALT: () => this.CONSUME(T.Geneve) }, { ALT: () => this.CONSUME(T.Vxlan) }, { ALT: () => this.CONSUME(T.Pppoed) },
    ]);
    const value = this.OPTION({
      GATE: () => keyword.tokenType !== T.Pppoed,
      DEF: () => this.SUBRULE(this.parenthesizedNumber),
    });
    return this.ACTION(() => {
      const kind = keyword.image as 'vlan' | 'mpls' | 'pppoes' | 'pppoed' | 'geneve' | 'vxlan';
      // libpcap moves its offsets as it reads, in text order: a VLAN tag cannot be looked for inside MPLS.
      if (kind === 'vlan' && this.mplsSeen) this.refuse('no VLAN match after MPLS', spanOf(keyword));
      if (kind === 'mpls') this.mplsSeen = true;
      if (!value) return { kind, span: spanOf(keyword) } as Expr;
      const number = numberOf(value);
      const limit = encapsulationLimits[kind]!;
      const linkDependent = kind === 'vlan' || kind === 'mpls';
      if (number > limit.max && !(linkDependent && this.deferLinkRangeChecks)) this.refuse(`${limit.what} ${number} greater than maximum ${limit.max}`, spanOf(value));
      return { kind, value: number, span: join(spanOf(keyword), spanOf(value)) } as Expr;
    });
  });

  /** grePrimitive := 'gre' parenthesizedNumber?   (our extension; `gre` is otherwise a protocol name) */
  private grePrimitive = this.RULE('grePrimitive', (): Expr => {
    const keyword = this.CONSUME(T.Name);
    const value = this.OPTION(() => this.SUBRULE(this.parenthesizedNumber));
    return this.ACTION(() => {
      if (!value) return { kind: 'gre', span: spanOf(keyword) } as Expr;
      return { kind: 'gre', value: numberOf(value), span: join(spanOf(keyword), spanOf(value)) } as Expr;
    });
  });

  // ---- arithmetic ----

  /** relation := arithmetic ('>' | '<' | '>=' | '<=' | '=' | '==' | '!=') arithmetic */
  private relation = this.RULE('relation', (): Expr => {
    const left = this.SUBRULE(this.arithmetic);
    const operator = this.OR([
      { ALT: () => this.CONSUME(T.Greater_) }, { ALT: () => this.CONSUME(T.LessThan) },
      { ALT: () => this.CONSUME(T.GreaterEqual) }, { ALT: () => this.CONSUME(T.LessEqual) },
      { ALT: () => this.CONSUME(T.Equal) }, { ALT: () => this.CONSUME(T.NotEqual) },
    ]);
    const right = this.SUBRULE2(this.arithmetic);
    return this.ACTION(() => ({ kind: 'relation', op: operator.image as RelOp, left, right, span: join(left.span, right.span) }) as Expr);
  });

  /** arithmetic := bitAnd ('|' bitAnd)*   — precedence, loosest first: | & (<< >>) (+ -) (* /); % and ^ below */
  private arithmetic = this.RULE('arithmetic', (): Arith => {
    let left = this.SUBRULE(this.bitAnd);
    this.MANY(() => {
      this.CONSUME(T.Pipe);
      const right = this.SUBRULE2(this.bitAnd);
      this.ACTION(() => { left = this.binary('|', left, right); });
    });
    return left;
  });

  /** bitAnd := shift ('&' shift)* */
  private bitAnd = this.RULE('bitAnd', (): Arith => {
    let left = this.SUBRULE(this.shift);
    this.MANY(() => {
      this.CONSUME(T.Ampersand);
      const right = this.SUBRULE2(this.shift);
      this.ACTION(() => { left = this.binary('&', left, right); });
    });
    return left;
  });

  /** shift := additive (('<<' | '>>') additive)* */
  private shift = this.RULE('shift', (): Arith => {
    let left = this.SUBRULE(this.additive);
    this.MANY(() => {
      const operator = this.OR([{ ALT: () => this.CONSUME(T.ShiftLeft) }, { ALT: () => this.CONSUME(T.ShiftRight) }]);
      const right = this.SUBRULE2(this.additive);
      this.ACTION(() => { left = this.binary(operator.image as ArithOp, left, right); });
    });
    return left;
  });

  /** additive := multiplicative (('+' | '-') multiplicative)* */
  private additive = this.RULE('additive', (): Arith => {
    let left = this.SUBRULE(this.multiplicative);
    this.MANY(() => {
      const operator = this.OR([{ ALT: () => this.CONSUME(T.Plus) }, { ALT: () => this.CONSUME(T.Minus) }]);
      const right = this.SUBRULE2(this.multiplicative);
      this.ACTION(() => { left = this.binary(operator.image as ArithOp, left, right); });
    });
    return left;
  });

  /** multiplicative := arithmeticOperand (('*' | '/') arithmeticOperand)* */
  private multiplicative = this.RULE('multiplicative', (): Arith => {
    let left = this.SUBRULE(this.arithmeticOperand);
    this.MANY(() => {
      const operator = this.OR([{ ALT: () => this.CONSUME(T.Star) }, { ALT: () => this.CONSUME(T.Slash) }]);
      const right = this.SUBRULE2(this.arithmeticOperand);
      this.ACTION(() => { left = this.binary(operator.image as ArithOp, left, right); });
    });
    return left;
  });

  /**
   * arithmeticOperand := '-' arithmeticOperand | arithmeticPrimary (('%' | '^') arithmetic)?
   * libpcap gives % and ^ no precedence, so bison always shifts on them: their left operand is the
   * nearest primary and their right operand everything that follows (`len % 3 * 2` is `len % (3 * 2)`,
   * `-len % 3` is `-(len % 3)`).
   */
  private arithmeticOperand = this.RULE('arithmeticOperand', (): Arith => this.OR([
    {
      ALT: () => {
        const minus = this.CONSUME(T.Minus);
        const operand = this.SUBRULE(this.arithmeticOperand);
        return this.ACTION(() => ({ kind: 'negate', operand, span: join(spanOf(minus), operand.span) }) as Arith);
      },
    },
    {
      ALT: () => {
        let left = this.SUBRULE(this.arithmeticPrimary);
        this.OPTION(() => {
          const operator = this.OR2([{ ALT: () => this.CONSUME(T.Percent) }, { ALT: () => this.CONSUME(T.Caret) }]);
          const right = this.SUBRULE(this.arithmetic);
          this.ACTION(() => { left = this.binary(operator.image as ArithOp, left, right); });
        });
        return left;
      },
    },
  ]));

  /** arithmeticPrimary := number | 'len' | protocol '[' arithmetic (':' number)? ']' | '(' arithmetic ')' */
  private arithmeticPrimary = this.RULE('arithmeticPrimary', (): Arith => this.OR([
    {
      ALT: () => {
        const token = this.CONSUME(T.NumberLiteral);
        return this.ACTION(() => {
          const payload = token.payload as NumberPayload;
          const node: Arith = { kind: 'number', value: payload.value, text: token.image, span: spanOf(token) };
          if (payload.name !== undefined) node.name = payload.name;
          return node;
        });
      },
    },
    { ALT: () => { const token = this.CONSUME(T.Len); return { kind: 'len', span: spanOf(token) } as Arith; } },
    {
      ALT: () => {
        const protoToken = this.CONSUME(T.ProtocolName);
        this.CONSUME(T.LBracket);
        const offset = this.SUBRULE(this.arithmetic);
        const size = this.OPTION(() => {
          this.CONSUME(T.Colon);
          return this.CONSUME2(T.NumberLiteral);
        });
        const close = this.CONSUME(T.RBracket);
        return this.ACTION(() => {
          const proto = this.loadProto(protoToken);
          let width: 1 | 2 | 4 = 1;
          if (size) {
            const value = numberOf(size);
            if (value !== 1 && value !== 2 && value !== 4) this.refuse('data size must be 1, 2, or 4', spanOf(size));
            width = value;
          }
          return { kind: 'load', proto, offset, size: width, sizeWritten: size !== undefined, span: join(spanOf(protoToken), spanOf(close)) } as Arith;
        });
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.LParen);
        const inner = this.SUBRULE2(this.arithmetic);
        this.CONSUME(T.RParen);
        return inner;
      },
    },
  ]));

  // ---- action helpers ----

  private binary(op: ArithOp, left: Arith, right: Arith): Arith {
    if ((op === '/' || op === '%') && startsWithZero(right)) {
      this.refuse(op === '/' ? 'division by zero' : 'modulus by zero', right.span);
    }
    return { kind: 'binary', op, left, right, span: join(left.span, right.span) };
  }

  private protoQualifier(token: IToken): ProtoQualifier {
    if (token.image === 'radio') this.refuse("'radio' applies only to 802.11 radio headers, not to these link types", spanOf(token));
    return protoQualifierOf[token.image] ?? (token.image as ProtoQualifier);
  }

  private loadProto(token: IToken): LoadProto {
    const proto = loadProtoOf[token.image] ?? (token.image as LoadProto);
    if (proto === 'radio') this.refuse('radio information not present in capture', spanOf(token));
    if (!loadableProtos.has(proto)) this.refuse(`unsupported index operation: '${token.image}[...]'`, spanOf(token));
    return proto;
  }

  private nameId(token: IToken, q: Context): Id {
    const escaped = token.image.startsWith('\\');
    const name = escaped ? token.image.slice(1) : token.image;
    const span = spanOf(token);
    if (q?.type === 'portrange' && !escaped) {
      const range = this.rangeId(name, span);
      if (range) return range;
    }
    return { kind: 'name', name, escaped, text: token.image, span };
  }

  /** `LOW-HIGH` in a port range: numbers (libpcap reads a leading `N-N` as numbers) or service names. */
  private rangeId(text: string, span: Span): Id | undefined {
    const numeric = /^([0-9]+)-([0-9]+)/.exec(text);
    const end = (part: string, offset: number): Id & { kind: 'number' | 'name' } => {
      const partSpan = { start: span.start + offset, end: span.start + offset + part.length };
      return /^[0-9]+$/.test(part)
        ? { kind: 'number', value: Number(part), text: part, span: partSpan }
        : { kind: 'name', name: part, escaped: false, text: part, span: partSpan };
    };
    if (numeric) {
      const low = end(numeric[1]!, 0);
      const high = end(numeric[2]!, numeric[1]!.length + 1);
      return { kind: 'range', low, high, text: `${numeric[1]}-${numeric[2]}`, span };
    }
    const dash = text.indexOf('-');
    if (dash <= 0 || dash === text.length - 1) return undefined;
    return { kind: 'range', low: end(text.slice(0, dash), 0), high: end(text.slice(dash + 1), dash + 1), text, span };
  }

  private numberId(token: IToken): Id {
    return { kind: 'number', value: numberOf(token), text: token.image, span: spanOf(token) };
  }

  /**
   * A dotted address; after `decnet` it is DECnet's AREA.NODE (libpcap reads it with sscanf "%d.%d"), whose
   * parts may exceed 255: `value` is then the parts accumulated base 256 (unused: the compiler reads `text`).
   */
  private ipv4Id(token: IToken, decnet = false): Id & { kind: 'ipv4' } {
    const parsed = parseDottedIPv4(token.image) ?? (decnet ? lenientDotted(token.image) : undefined);
    if (!parsed) this.refuse(`invalid IPv4 address '${token.image}'`, spanOf(token));
    return { kind: 'ipv4', value: parsed.value, octets: parsed.octets, text: token.image, span: spanOf(token) };
  }

  private ipv6Id(token: IToken): Id & { kind: 'ipv6' } {
    const bytes = parseIPv6(token.image);
    if (!bytes) this.refuse(`bogus IPv6 address ${shortened(token.image)}`, spanOf(token));
    return { kind: 'ipv6', bytes, text: token.image, span: spanOf(token) };
  }

  private prefixId(addressToken: IToken, lengthToken: IToken | undefined, maskToken: IToken | undefined): Id {
    const address = addressToken.tokenType === T.IPv6Address ? this.ipv6Id(addressToken) : this.ipv4Id(addressToken);
    const last = lengthToken ?? maskToken!;
    const span = join(spanOf(addressToken), spanOf(last));
    const text = this.source.slice(span.start, span.end);
    const id: Id & { kind: 'prefix' } = { kind: 'prefix', address, text, span };
    if (lengthToken) id.prefixLength = numberOf(lengthToken);
    if (maskToken) {
      const mask = this.ipv4Id(maskToken);
      id.mask = mask;
    }
    return id;
  }
}

/** Parts of a dotted number without the 0..255 rule (a DECnet AREA.NODE address such as `1.1023`). */
function lenientDotted(text: string): { value: number; octets: 1 | 2 | 3 | 4 } | undefined {
  const parts = text.split('.');
  if (parts.length < 2 || parts.length > 4 || !/^[0-9]+$/.test(parts[0]!)) return undefined;
  let value = 0;
  for (const part of parts) value = (value * 256 + (Number.parseInt(part, 10) || 0)) % 2 ** 32;
  return { value, octets: parts.length as 2 | 3 | 4 };
}

const loadableProtos = new Set<LoadProto>([
  'ether', 'link', 'ppp', 'slip', 'fddi', 'tr', 'wlan', 'ip', 'ip6', 'arp', 'rarp', 'tcp', 'udp', 'sctp', 'icmp',
  'icmp6', 'igmp', 'igrp', 'pim', 'vrrp', 'carp', 'atalk', 'decnet', 'lat', 'sca', 'moprc', 'mopdl',
]);

/** LLC subtype names after `llc` (I, S and U frames and the S and U subtypes). */
const llcSubtypes = new Set(['i', 's', 'u', 'rr', 'rnr', 'rej', 'ui', 'ua', 'disc', 'dm', 'sabme', 'test', 'xid', 'frmr']);

const encapsulationLimits: Partial<Record<string, { max: number; what: string }>> = {
  vlan: { max: 4095, what: 'VLAN tag' },
  mpls: { max: 1048575, what: 'MPLS label' },
  pppoes: { max: 65535, what: 'PPPoE session number' },
  geneve: { max: 16777215, what: 'Geneve VNI' },
  vxlan: { max: 16777215, what: 'VXLAN VNI' },
};

/**
 * libpcap's test for division by zero: whether the divisor's code starts by loading the constant 0. Its code
 * starts with that of its leftmost operand, and a load starts with its offset's code, so `len / 0`,
 * `len / -0`, `len / (0 + len)` and `len / ip[0]` are all refused, while `len / (1 - 1)` is not.
 */
function startsWithZero(arith: Arith): boolean {
  let node = arith;
  for (;;) {
    switch (node.kind) {
      case 'number': return node.value === 0;
      case 'len': return false;
      case 'load': node = node.offset; break;
      case 'binary': node = node.left; break;
      case 'negate': node = node.operand; break;
    }
  }
}

function numberOf(token: IToken): number {
  return (token.payload as NumberPayload).value;
}

/** Extends the span of the first primitive of a qualified operand to cover the qualifier words before it. */
function widenFirstPrimitive(expr: Expr, start: number): Expr {
  let node: Expr = expr;
  const path: Expr[] = [];
  for (;;) {
    path.push(node);
    if (node.kind === 'and' || node.kind === 'or') node = node.left;
    else if (node.kind === 'not') node = node.operand;
    else break;
  }
  for (const n of path) n.span = { start: Math.min(start, n.span.start), end: n.span.end };
  return expr;
}

/** Pairs each '(' with its ')' (index of the closing token, or -1). */
function matchParentheses(tokens: readonly IToken[]): Int32Array {
  const closing = new Int32Array(tokens.length).fill(-1);
  const stack: number[] = [];
  tokens.forEach((token, index) => {
    if (token.tokenType === T.LParen) stack.push(index);
    else if (token.tokenType === T.RParen && stack.length) closing[stack.pop()!] = index;
  });
  return closing;
}
