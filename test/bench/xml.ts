/**
 * A small strict XML well-formedness checker for the SVG the benchmark charts write (no dependencies):
 * one root element, matched tags, quoted attribute values without `<`, no duplicate attributes, and
 * only the five predefined entities or character references after `&`. Returns every element in
 * document order so tests can look at names, attributes and text.
 */

/** One element of a parsed document. */
export interface XmlElement { name: string; attributes: Map<string, string>; text: string; children: XmlElement[] }

const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Replaces entity and character references, failing on anything else after `&`. */
function decodeEntities(text: string, where: number): string {
  return text.replace(/&([^;]*);|&/g, (_match, body: string | undefined, offset: number) => {
    if (body === undefined) throw new Error(`bare '&' at ${where + offset}`);
    if (body in ENTITIES) return ENTITIES[body]!;
    const numeric = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(body);
    if (!numeric) throw new Error(`unknown entity &${body}; at ${where + offset}`);
    return String.fromCodePoint(numeric[1] ? parseInt(numeric[1], 16) : Number(numeric[2]));
  });
}

/** Parses `text` as an XML document; throws an Error naming the offset of the first problem. */
export function parseXml(text: string): { root: XmlElement; elements: XmlElement[] } {
  let at = 0;
  const elements: XmlElement[] = [];
  const skipSpace = (): void => { while (at < text.length && /\s/.test(text[at]!)) at++; };
  if (text.startsWith('<?xml')) {
    const end = text.indexOf('?>');
    if (end < 0) throw new Error('unterminated XML declaration');
    at = end + 2;
  }
  skipSpace();
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (at < text.length) {
    if (text[at] !== '<') {
      const end = text.indexOf('<', at);
      const chunk = text.slice(at, end < 0 ? text.length : end);
      if (stack.length === 0) {
        if (chunk.trim() !== '') throw new Error(`text outside the root element at ${at}`);
      } else {
        if (chunk.includes('>')) throw new Error(`raw '>' in text at ${at}`);
        stack[stack.length - 1]!.text += decodeEntities(chunk, at);
      }
      at = end < 0 ? text.length : end;
      continue;
    }
    if (text.startsWith('</', at)) {
      at += 2;
      const name = NAME.exec(text.slice(at))?.[0];
      if (!name) throw new Error(`bad closing tag at ${at}`);
      at += name.length;
      skipSpace();
      if (text[at] !== '>') throw new Error(`expected '>' at ${at}`);
      at++;
      const open = stack.pop();
      if (!open || open.name !== name) throw new Error(`closing </${name}> does not match <${open?.name ?? 'nothing'}> at ${at}`);
      continue;
    }
    if (text.startsWith('<!--', at)) {
      const end = text.indexOf('-->', at);
      if (end < 0) throw new Error(`unterminated comment at ${at}`);
      at = end + 3;
      continue;
    }
    at++;
    const name = NAME.exec(text.slice(at))?.[0];
    if (!name) throw new Error(`bad tag name at ${at}`);
    at += name.length;
    const element: XmlElement = { name, attributes: new Map(), text: '', children: [] };
    for (;;) {
      const before = at;
      skipSpace();
      if (text.startsWith('/>', at) || text[at] === '>') break;
      if (at === before) throw new Error(`expected whitespace before an attribute at ${at}`);
      const attribute = NAME.exec(text.slice(at))?.[0];
      if (!attribute) throw new Error(`bad attribute name at ${at}`);
      at += attribute.length;
      if (text[at] !== '=') throw new Error(`attribute ${attribute} without '=' at ${at}`);
      at++;
      const quote = text[at];
      if (quote !== '"' && quote !== "'") throw new Error(`unquoted value of ${attribute} at ${at}`);
      const end = text.indexOf(quote, at + 1);
      if (end < 0) throw new Error(`unterminated value of ${attribute} at ${at}`);
      const raw = text.slice(at + 1, end);
      if (raw.includes('<')) throw new Error(`'<' in the value of ${attribute} at ${at}`);
      if (element.attributes.has(attribute)) throw new Error(`duplicate attribute ${attribute} at ${at}`);
      element.attributes.set(attribute, decodeEntities(raw, at + 1));
      at = end + 1;
    }
    if (stack.length === 0) {
      if (root) throw new Error(`second root element <${name}> at ${at}`);
      root = element;
    } else {
      stack[stack.length - 1]!.children.push(element);
    }
    elements.push(element);
    if (text.startsWith('/>', at)) at += 2;
    else { at++; stack.push(element); }
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (!root) throw new Error('no root element');
  return { root, elements };
}
