// The agent endpoint of a server, from the base URL an admin configures.
import { OutpostError } from '../../shared/errors.js';

const SCHEMES: Record<string, string> = { 'http:': 'ws:', 'https:': 'wss:', 'ws:': 'ws:', 'wss:': 'wss:' };

/** <base>/agent, with http -> ws and https -> wss. A base that already ends in /agent is kept. */
export function agentUrl(base: string): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new OutpostError('E_CONFIG', `The server URL ${JSON.stringify(base)} is not a URL.`);
  }
  const scheme = SCHEMES[url.protocol];
  if (!scheme)
    throw new OutpostError('E_CONFIG', `The server URL must start with https://, http://, wss:// or ws://, not ${url.protocol}//.`);
  url.protocol = scheme;
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith('/agent') ? path : `${path}/agent`;
  url.search = '';
  url.hash = '';
  return url.toString();
}

/** Two configured URLs name the same server endpoint. */
export function sameServer(a: string, b: string): boolean {
  try {
    return agentUrl(a) === agentUrl(b);
  } catch {
    return false;
  }
}
