// Which page component a route shows.
import type { Route } from '../lib/routes.js';
import { DevicePage } from '../pages/device/DevicePage.js';
import { DevicesPage } from '../pages/DevicesPage.js';
import { DeskPage } from '../pages/DeskPage.js';
import { NotFoundPage } from '../pages/NotFoundPage.js';
import { PackagePage } from '../pages/software/PackagePage.js';
import { ProhibitedPage } from '../pages/software/ProhibitedPage.js';
import { SoftwarePage } from '../pages/software/SoftwarePage.js';
import { TicketPage } from '../pages/tickets/TicketPage.js';
import { TicketsPage } from '../pages/tickets/TicketsPage.js';
import { TokensPage } from '../pages/TokensPage.js';
import { UsersPage } from '../pages/UsersPage.js';
import { TemplatesPage } from '../pages/TemplatesPage.js';
import { DeployPage } from '../pages/deploy/DeployPage.js';
import { DeploymentPage } from '../pages/deploy/DeploymentPage.js';

export function Page({ route, search }: { route: Route; search: string }) {
  switch (route.page) {
    case 'devices':
      return <DevicesPage search={search} />;
    case 'device':
      return <DevicePage key={route.id} id={route.id} />;
    case 'software':
      return <SoftwarePage search={search} />;
    case 'package':
      return <PackagePage key={route.name} name={route.name} />;
    case 'prohibited':
      return <ProhibitedPage />;
    case 'deploy':
      return <DeployPage search={search} />;
    case 'deployment':
      return <DeploymentPage key={route.id} id={route.id} />;
    case 'tickets':
      return <TicketsPage search={search} />;
    case 'ticket':
      return <TicketPage key={route.id} id={route.id} />;
    case 'desk':
      return <DeskPage />;
    case 'tokens':
      return <TokensPage />;
    case 'users':
      return <UsersPage />;
    case 'templates':
      return <TemplatesPage />;
    case 'not-found':
      return <NotFoundPage />;
  }
}
