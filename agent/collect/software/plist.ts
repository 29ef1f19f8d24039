// A small reader for Apple's XML property lists (system_profiler -xml, receipt files after
// `plutil -convert xml1`). Purpose-written instead of the `plist` npm package: the input is always
// machine-written by Apple tools, the format is eight element names, and this avoids pulling an XML
// DOM library (and its advisories) into the agent for two call sites. Binary plists are converted by
// plutil before they get here.

export type PlistValue = string | number | boolean | PlistValue[] | PlistDict;
export interface PlistDict {
  [key: string]: PlistValue;
}

/** Far deeper than anything Apple writes (system_profiler nests about 6 levels). */
const MAX_DEPTH = 64;

type Frame = { kind: 'array'; items: PlistValue[] } | { kind: 'dict'; dict: PlistDict; key?: string };

const TOKEN = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<(\/?)([A-Za-z][\w.-]*)(?:\s[^>]*?)?(\/?)>/g;
const LEAVES = new Set(['key', 'string', 'date', 'integer', 'real', 'data']);

export class PlistError extends Error {
  override name = 'PlistError';
}

/** The root value of an XML plist. Throws PlistError on anything that is not a well-formed plist. */
export function parsePlist(xml: string): PlistValue {
  const stack: Frame[] = [];
  let root: PlistValue | undefined;
  let leaf: { name: string; start: number } | undefined;
  const put = (value: PlistValue) => {
    const top = stack[stack.length - 1];
    if (!top) {
      if (root !== undefined) throw new PlistError('more than one root value');
      root = value;
    } else if (top.kind === 'array') top.items.push(value);
    else {
      if (top.key === undefined) throw new PlistError('dict value without a key');
      top.dict[top.key] = value;
      top.key = undefined;
    }
  };

  for (const m of xml.matchAll(TOKEN)) {
    const [token, closing, name, selfClosing] = m;
    if (name === undefined || name === 'plist') continue; // comment, declaration, doctype, <plist>
    if (leaf) {
      if (!closing || name !== leaf.name) throw new PlistError(`<${leaf.name}> holds <${name}>`);
      const text = decodeEntities(xml.slice(leaf.start, m.index));
      leaf = undefined;
      if (name === 'key') setKey(stack, text);
      else put(leafValue(name, text));
      continue;
    }
    if (closing) {
      const top = stack.pop();
      if (!top || (top.kind === 'array' ? 'array' : 'dict') !== name) throw new PlistError(`unexpected </${name}>`);
      if (top.kind === 'dict' && top.key !== undefined) throw new PlistError(`key ${top.key} has no value`);
      put(top.kind === 'array' ? top.items : top.dict);
    } else if (selfClosing) {
      put(emptyValue(name));
    } else if (LEAVES.has(name)) {
      leaf = { name, start: m.index + token.length };
    } else if (name === 'array' || name === 'dict') {
      if (stack.length >= MAX_DEPTH) throw new PlistError('nested too deeply');
      stack.push(name === 'array' ? { kind: 'array', items: [] } : { kind: 'dict', dict: newDict() });
    } else throw new PlistError(`unknown element <${name}>`);
  }
  if (leaf || stack.length > 0 || root === undefined) throw new PlistError('truncated plist');
  return root;
}

function setKey(stack: Frame[], key: string): void {
  const top = stack[stack.length - 1];
  if (top?.kind !== 'dict' || top.key !== undefined) throw new PlistError('<key> outside a dict');
  top.key = key;
}

function leafValue(name: string, text: string): PlistValue {
  if (name === 'integer' || name === 'real') {
    const n = Number(text.trim());
    if (!Number.isFinite(n)) throw new PlistError(`bad <${name}> ${text}`);
    return n;
  }
  if (name === 'data') return text.replace(/\s+/g, ''); // base64, kept as text: nothing here reads it
  return text; // string, date (ISO 8601, e.g. 2024-02-26T05:47:45Z)
}

function emptyValue(name: string): PlistValue {
  switch (name) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'array':
      return [];
    case 'dict':
      return newDict();
    case 'string':
    case 'data':
      return '';
    default:
      throw new PlistError(`unexpected <${name}/>`);
  }
}

// No prototype: a key such as "__proto__" in a plist must stay an ordinary key.
const newDict = (): PlistDict => Object.create(null) as PlistDict;

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[ref] ?? whole;
  });
}

/** A dict, or undefined for any other value: lets callers walk untrusted trees without casts. */
export function asDict(value: PlistValue | undefined): PlistDict | undefined {
  return typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

export function asArray(value: PlistValue | undefined): PlistValue[] {
  return Array.isArray(value) ? value : [];
}

export function asString(value: PlistValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
