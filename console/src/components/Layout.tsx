// Header with the main navigation and sign-out, the skip link, the main landmark, the status bar.
import type { ComponentChildren } from 'preact';
import { LiveRegion } from '../app/announce.js';
import { Link } from '../app/nav.js';
import type { Role } from '../../../shared/roles.js';
import { href, sectionOf, type Route, type Section } from '../lib/routes.js';

const SECTIONS: { section: Section; label: string; href: string; adminOnly?: boolean }[] = [
  { section: 'devices', label: 'Devices', href: href.devices() },
  { section: 'software', label: 'Software', href: href.software() },
  { section: 'deploy', label: 'Deploy', href: href.deploy() },
  { section: 'tickets', label: 'Tickets', href: href.tickets() },
  { section: 'templates', label: 'Templates', href: href.templates(), adminOnly: true },
  { section: 'desk', label: 'Service desk', href: href.desk() },
  { section: 'tokens', label: 'Enrolment', href: href.tokens(), adminOnly: true },
  { section: 'users', label: 'Users', href: href.users(), adminOnly: true },
];

const ROLE_LABELS: Record<Role, string> = { 'read-only': 'read-only', operator: 'operator', admin: 'admin' };

export function Layout(props: { route: Route; username: string; role: Role; onSignOut: () => void; children: ComponentChildren }) {
  const active = sectionOf(props.route);
  // The server refuses what a role may not do; the navigation only leaves out what would be refused.
  const sections = SECTIONS.filter((s) => !s.adminOnly || props.role === 'admin');
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="site-header">
        <Link href={href.devices()} class="brand" aria-label="Outpost home">
          <img src="/mark.svg" alt="" width={22} height={22} />
          <span>Outpost</span>
        </Link>
        <nav aria-label="Main" class="main-nav">
          <ul>
            {sections.map((s) => (
              <li key={s.section}>
                <Link href={s.href} aria-current={active === s.section ? 'page' : undefined}>
                  {s.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div class="account">
          <span class="account-name" title="Signed in as">
            {props.username}
          </span>
          <span class="badge badge-neutral" data-testid="account-role">
            {ROLE_LABELS[props.role]}
          </span>
          <button type="button" class="button button-quiet" onClick={props.onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {props.children}
      </main>
      <LiveRegion />
    </>
  );
}
