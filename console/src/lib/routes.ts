// The console's pages and their addresses (history routing: the server answers index.html for any
// non-API path). Pure, so that links and parsing are tested together.
export type Route =
  | { page: 'devices' }
  | { page: 'device'; id: string }
  | { page: 'software' }
  | { page: 'package'; name: string }
  | { page: 'prohibited' }
  | { page: 'deploy' }
  | { page: 'deployment'; id: string }
  | { page: 'tickets' }
  | { page: 'ticket'; id: number }
  | { page: 'desk' }
  | { page: 'tokens' }
  | { page: 'users' }
  | { page: 'templates' }
  | { page: 'not-found' };

export type Section = 'devices' | 'software' | 'deploy' | 'tickets' | 'templates' | 'desk' | 'tokens' | 'users';

export function parseRoute(pathname: string, search: string): Route {
  const parts = pathname.split('/').filter(Boolean).map(safeDecode);
  const [first, second, third] = parts;
  if (parts.length === 0) return { page: 'devices' };
  if (first === 'devices' && parts.length === 1) return { page: 'devices' };
  if (first === 'devices' && second && parts.length === 2) return { page: 'device', id: second };
  if (first === 'software' && parts.length === 1) return { page: 'software' };
  if (first === 'software' && second === 'prohibited' && !third) return { page: 'prohibited' };
  if (first === 'software' && second === 'package' && !third) {
    const name = new URLSearchParams(search).get('name');
    return name ? { page: 'package', name } : { page: 'software' };
  }
  if (first === 'deploy' && parts.length === 1) return { page: 'deploy' };
  if (first === 'deploy' && second && parts.length === 2) return { page: 'deployment', id: second };
  if (first === 'tickets' && parts.length === 1) return { page: 'tickets' };
  if (first === 'tickets' && second && /^\d{1,10}$/.test(second) && parts.length === 2) return { page: 'ticket', id: Number(second) };
  if (first === 'desk' && parts.length === 1) return { page: 'desk' };
  if (first === 'tokens' && parts.length === 1) return { page: 'tokens' };
  if (first === 'users' && parts.length === 1) return { page: 'users' };
  if (first === 'templates' && parts.length === 1) return { page: 'templates' };
  return { page: 'not-found' };
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** Where the navigation highlights "you are here". */
export function sectionOf(route: Route): Section | null {
  switch (route.page) {
    case 'devices':
    case 'device':
      return 'devices';
    case 'software':
    case 'package':
    case 'prohibited':
      return 'software';
    case 'deploy':
    case 'deployment':
      return 'deploy';
    case 'tickets':
    case 'ticket':
      return 'tickets';
    case 'desk':
      return 'desk';
    case 'tokens':
      return 'tokens';
    case 'users':
      return 'users';
    case 'templates':
      return 'templates';
    case 'not-found':
      return null;
  }
}

export const href = {
  devices: (search = '') => `/devices${search}`,
  device: (id: string) => `/devices/${encodeURIComponent(id)}`,
  software: (search = '') => `/software${search}`,
  package: (name: string) => `/software/package?name=${encodeURIComponent(name)}`,
  prohibited: () => '/software/prohibited',
  /** The package store and deployments; `search` may preset the deploy form (?devices=a,b or ?q=&os=&online=). */
  deploy: (search = '') => `/deploy${search}`,
  deployment: (id: string) => `/deploy/${encodeURIComponent(id)}`,
  tickets: (search = '') => `/tickets${search}`,
  ticket: (id: number) => `/tickets/${id}`,
  desk: () => '/desk',
  tokens: () => '/tokens',
  users: () => '/users',
  templates: () => '/templates',
};
