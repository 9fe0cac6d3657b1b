/**
 * printFilter: canonical filter text from a tree. Every primitive is written with its own qualifiers
 * (nothing inherited), and parentheses appear where re-parsing would otherwise build another tree.
 */
import type { Arith, Expr, Id, QualifiedPrimitive } from './ast.js';

function printId(id: Id): string {
  switch (id.kind) {
    case 'number': case 'ipv4': case 'ipv6': case 'mac': return id.text;
    case 'name': return id.escaped ? `\\${id.name}` : id.name;
    case 'prefix': {
      const address = id.address.text;
      if (id.mask) return `${address} mask ${id.mask.text}`;
      return `${address}/${id.prefixLength ?? (id.address.kind === 'ipv6' ? 128 : 32)}`;
    }
    case 'range': return `${printId(id.low)}-${printId(id.high)}`;
  }
}

function printQualified(primitive: QualifiedPrimitive): string {
  const words: string[] = [];
  if (primitive.proto) words.push(primitive.proto);
  if (primitive.dir) words.push(primitive.dir);
  if (primitive.type) words.push(primitive.type);
  words.push(printId(primitive.id));
  return words.join(' ');
}

const precedence: Partial<Record<string, number>> = { '|': 1, '&': 2, '<<': 3, '>>': 3, '+': 4, '-': 4, '*': 5, '/': 5 };

/** True for nodes that print as one operand with no operator showing at their top. */
function isPrimary(arith: Arith): boolean {
  return arith.kind === 'number' || arith.kind === 'len' || arith.kind === 'load';
}

/** Prints arithmetic; `%` and `^` (which libpcap gives no precedence) and their left operands are always parenthesized. */
export function printArith(arith: Arith): string {
  switch (arith.kind) {
    case 'number': return arith.name ?? arith.text;
    case 'len': return 'len';
    case 'load': return `${arith.proto}[${printArith(arith.offset)}${arith.sizeWritten ? `:${arith.size}` : ''}]`;
    case 'negate': return `-${isPrimary(arith.operand) ? printArith(arith.operand) : `(${printArith(arith.operand)})`}`;
    case 'binary': {
      if (arith.op === '%' || arith.op === '^') {
        const left = isPrimary(arith.left) ? printArith(arith.left) : `(${printArith(arith.left)})`;
        return `${left} ${arith.op} ${printArith(arith.right)}`;
      }
      const level = precedence[arith.op]!;
      const side = (child: Arith, right: boolean): string => {
        if (child.kind === 'binary') {
          const childLevel = precedence[child.op];
          if (childLevel === undefined || childLevel < level || (right && childLevel === level)) return `(${printArith(child)})`;
        }
        return printArith(child);
      };
      return `${side(arith.left, false)} ${arith.op} ${side(arith.right, true)}`;
    }
  }
}

function printPrimitive(expr: Expr): string {
  switch (expr.kind) {
    case 'qualified': return printQualified(expr);
    case 'proto': return expr.proto;
    case 'broadcast': case 'multicast': return expr.proto ? `${expr.proto} ${expr.kind}` : expr.kind;
    case 'less': case 'greater': return `${expr.kind} ${expr.value}`;
    case 'relation': return `${printArith(expr.left)} ${expr.op} ${printArith(expr.right)}`;
    case 'vlan': case 'mpls': case 'pppoes': case 'pppoed': case 'geneve': case 'vxlan': case 'gre':
      return expr.value === undefined ? expr.kind : `${expr.kind} ${expr.value}`;
    case 'inbound': case 'outbound': return expr.kind;
    case 'ifindex': return `ifindex ${expr.value}`;
    case 'llc': return expr.subtype ? `llc ${expr.subtype}` : 'llc';
    case 'and': case 'or': case 'not': return printExpr(expr).text;
  }
}

interface Printed { text: string; passesQualifiers: boolean }

/** True for a bare `gre` (possibly under `not`s), which after a qualified primitive would read as a host name. */
function isBareGre(expr: Expr): boolean {
  let node = expr;
  while (node.kind === 'not') node = node.operand;
  return node.kind === 'gre' && node.value === undefined;
}

/**
 * Prints `expr`; `inherits` says whether qualifiers flow in (the operand follows and/or after a qualified
 * primitive), and the result says whether qualifiers flow on (libpcap's rules, see grammar.ts).
 */
function printExpr(expr: Expr, inherits = false): Printed {
  if (expr.kind === 'not') {
    const operand = expr.operand;
    if (operand.kind === 'and' || operand.kind === 'or') return { text: `not (${printExpr(operand, inherits).text})`, passesQualifiers: inherits };
    const inner = printExpr(operand, inherits);
    return { text: `not ${inner.text}`, passesQualifiers: inner.passesQualifiers };
  }
  if (expr.kind === 'and' || expr.kind === 'or') {
    // and/or have equal precedence, left to right: walk the left spine without recursion (long host lists).
    const rights: { op: string; right: Expr }[] = [];
    let node: Expr = expr;
    while (node.kind === 'and' || node.kind === 'or') {
      rights.push({ op: node.kind, right: node.right });
      node = node.left;
    }
    const first = printExpr(node, inherits);
    let text = first.text;
    let passes = first.passesQualifiers;
    for (let i = rights.length - 1; i >= 0; i--) {
      const { op, right } = rights[i]!;
      if (right.kind === 'and' || right.kind === 'or') {
        // A parenthesized expression passes on the qualifiers from before its '('.
        text += ` ${op} (${printExpr(right, passes).text})`;
      } else if (passes && isBareGre(right)) {
        text += ` ${op} ${printExpr(right, false).text.replace(/gre$/, '(gre)')}`;
        passes = false;
      } else {
        const printed = printExpr(right, passes);
        text += ` ${op} ${printed.text}`;
        passes = printed.passesQualifiers;
      }
    }
    return { text, passesQualifiers: passes };
  }
  return { text: printPrimitive(expr), passesQualifiers: expr.kind === 'qualified' };
}

/** Writes canonical filter text for `expr`: fully qualified and parenthesized so that re-parsing gives the same tree. */
export function printFilter(expr: Expr): string {
  return printExpr(expr).text;
}
