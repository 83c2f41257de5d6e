/**
 * XML as the S3 API speaks it (s3api's etree.py): answers rendered from a small element tree in
 * the S3 namespace, and the few request bodies clients send (CompleteMultipartUpload, Delete,
 * CreateBucketConfiguration, VersioningConfiguration) read by a strict little parser:
 * elements, attributes, text, CDATA, comments, the declaration and the five entities (and
 * numeric references). Anything else (a DOCTYPE, an unbalanced tag) is malformed.
 */
export const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** An element to render: its children, or its text. `undefined` children are skipped. */
export interface XmlElement {
  name: string;
  attrs?: Record<string, string>;
  children?: Array<XmlElement | undefined>;
  text?: string | number | boolean;
}

export const el = (name: string, content?: string | number | boolean | Array<XmlElement | undefined>, attrs?: Record<string, string>): XmlElement => ({
  name, ...(attrs ? { attrs } : {}), ...(Array.isArray(content) ? { children: content } : content !== undefined ? { text: content } : {}),
});

export function xmlEscape(s: string): string {
  return s.replace(/[&<>"'\r]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' }[c]!));
}

function render(e: XmlElement, out: string[]): void {
  const attrs = Object.entries(e.attrs ?? {}).map(([k, v]) => ` ${k}="${xmlEscape(v)}"`).join('');
  const children = (e.children ?? []).filter((c): c is XmlElement => c !== undefined);
  if (children.length === 0 && (e.text === undefined || e.text === '')) {
    out.push(`<${e.name}${attrs}/>`);
    return;
  }
  out.push(`<${e.name}${attrs}>`);
  if (children.length > 0) for (const c of children) render(c, out);
  else out.push(xmlEscape(String(e.text)));
  out.push(`</${e.name}>`);
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** The root element alone, in the S3 namespace (AWS's `<Error>` has none). */
export function xmlRoot(root: XmlElement, opts: { namespace?: boolean } = {}): string {
  const out: string[] = [];
  render(opts.namespace === false ? root : { ...root, attrs: { xmlns: S3_NS, ...root.attrs } }, out);
  return out.join('');
}

/** A document: the declaration, then the root. */
export function xmlDocument(root: XmlElement, opts: { namespace?: boolean } = {}): string {
  return XML_DECLARATION + xmlRoot(root, opts);
}

/** A parsed element: local name (any namespace prefix dropped), children and text. */
export interface XmlNode {
  name: string;
  children: XmlNode[];
  text: string;
}

export class XmlSyntaxError extends Error {}

function decodeEntities(s: string): string {
  if (/&(?!(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);)/.test(s)) throw new XmlSyntaxError('bad entity');
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      if (code > 0x10ffff) throw new XmlSyntaxError('bad character reference');
      return String.fromCodePoint(code);
    }
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[e]!;
  });
}

const localName = (qname: string): string => qname.slice(qname.indexOf(':') + 1);

/** Parses a document; throws XmlSyntaxError when it is not well-formed (or nests deeper than `maxDepth`). */
export function parseXml(text: string, maxDepth = 32): XmlNode {
  const stack: XmlNode[] = [];
  let root: XmlNode | undefined;
  let i = 0;
  const tag = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/y;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = text.slice(i, lt < 0 ? text.length : lt);
    if (chunk.trim() !== '') {
      if (stack.length === 0) throw new XmlSyntaxError('text outside the root element');
      stack[stack.length - 1]!.text += decodeEntities(chunk);
    }
    if (lt < 0) break;
    if (text.startsWith('<?', lt)) {
      const end = text.indexOf('?>', lt);
      if (end < 0 || root || stack.length > 0) throw new XmlSyntaxError('bad processing instruction');
      i = end + 2;
      continue;
    }
    if (text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt);
      if (end < 0) throw new XmlSyntaxError('unterminated comment');
      i = end + 3;
      continue;
    }
    if (text.startsWith('<![CDATA[', lt)) {
      const end = text.indexOf(']]>', lt);
      if (end < 0 || stack.length === 0) throw new XmlSyntaxError('bad CDATA');
      stack[stack.length - 1]!.text += text.slice(lt + 9, end);
      i = end + 3;
      continue;
    }
    tag.lastIndex = lt;
    const m = tag.exec(text);
    if (!m) throw new XmlSyntaxError(`malformed tag at ${lt}`);
    i = tag.lastIndex;
    const [, closing, qname, , selfClosing] = m;
    const name = localName(qname!);
    if (closing) {
      const open = stack.pop();
      if (!open || open.name !== name || selfClosing) throw new XmlSyntaxError(`unexpected </${qname}>`);
      continue;
    }
    if (root && stack.length === 0) throw new XmlSyntaxError('more than one root element');
    const node: XmlNode = { name, children: [], text: '' };
    if (stack.length > 0) stack[stack.length - 1]!.children.push(node);
    else root = node;
    if (!selfClosing) {
      stack.push(node);
      if (stack.length > maxDepth) throw new XmlSyntaxError('nested too deeply');
    }
  }
  if (!root || stack.length > 0) throw new XmlSyntaxError('no complete root element');
  return root;
}

export const childrenNamed = (node: XmlNode, name: string): XmlNode[] => node.children.filter((c) => c.name === name);

/** The text of the first child of that name, or undefined. */
export const childText = (node: XmlNode, name: string): string | undefined => node.children.find((c) => c.name === name)?.text;
