// The node_modules an endpoint needs: the packages the shipped dist/ files import, and their
// dependencies, found from the package.json files (so a new import is packed without a list to
// keep up to date). Build-time-only parts are left out.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Used only to download or compile better-sqlite3 at install time; the package ships it built. */
const INSTALL_TIME_ONLY = new Set(['prebuild-install']);

function bareImports(distDir) {
  const names = new Set();
  for (const e of readdirSync(distDir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !e.name.endsWith('.js')) continue;
    const text = readFileSync(join(e.parentPath, e.name), 'utf8');
    for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+|require\(\s*|\)\(\s*)['"`]([^'"`./$][^'"`$]*)/g)) {
      const spec = m[1];
      if (spec.startsWith('node:')) continue;
      names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
    }
  }
  return names;
}

/** Only the compiled binding and the JS of better-sqlite3: its 20 MB of C sources stay behind. */
function filterFor(name, base) {
  if (name === 'better-sqlite3') {
    return (src) => {
      const rel = src.slice(base.length);
      return (
        rel === '' ||
        rel === '/package.json' ||
        rel === '/LICENSE' ||
        rel.startsWith('/lib') ||
        rel === '/build' ||
        rel === '/build/Release' ||
        rel === '/build/Release/better_sqlite3.node'
      );
    };
  }
  return (src) => !/\/(test|tests|\.github|docs?|examples?)$/.test(src.slice(base.length)) && !src.endsWith('.md');
}

export function endpointModules(root, distDir) {
  const nm = join(root, 'node_modules');
  const seen = new Map();
  const queue = [...bareImports(distDir)].filter((n) => !(n === 'electron'));
  while (queue.length) {
    const name = queue.shift();
    if (seen.has(name) || INSTALL_TIME_ONLY.has(name)) continue;
    const base = join(nm, name);
    let manifest;
    try {
      manifest = JSON.parse(readFileSync(join(base, 'package.json'), 'utf8'));
    } catch {
      // Only resolved at runtime on other platforms (systeminformation's optional requires): not installed here.
      continue;
    }
    seen.set(name, { name, filter: filterFor(name, base) });
    queue.push(...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.optionalDependencies ?? {}));
  }
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
}
