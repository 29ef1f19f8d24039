// A small XML property-list writer for the macOS configuration profile: strings, integers,
// booleans, arrays and dictionaries are all a profile needs. Tests read the output back with a
// maintained plist parser.
export type PlistValue = string | number | boolean | PlistValue[] | { [key: string]: PlistValue };

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function value(v: PlistValue, indent: string): string {
  if (typeof v === 'string') return `${indent}<string>${escape(v)}</string>`;
  if (typeof v === 'boolean') return `${indent}<${v}/>`;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error('plist: only integers are written');
    return `${indent}<integer>${v}</integer>`;
  }
  const inner = `${indent}  `;
  if (Array.isArray(v)) return [`${indent}<array>`, ...v.map((x) => value(x, inner)), `${indent}</array>`].join('\n');
  const entries = Object.entries(v).flatMap(([k, x]) => [`${inner}<key>${escape(k)}</key>`, value(x, inner)]);
  return [`${indent}<dict>`, ...entries, `${indent}</dict>`].join('\n');
}

export function toPlist(root: PlistValue): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    value(root, ''),
    '</plist>',
    '',
  ].join('\n');
}
