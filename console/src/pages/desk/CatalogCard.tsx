// The software catalog flow on the desk page, and the package store's catalog of software packages
// beside it: when each runs, what the last run did, and "Sync now" / "Send now".
import type { DeskStatusJson } from '../../../../shared/http-api.js';
import { api } from '../../api/client.js';
import { announce } from '../../app/announce.js';
import { useAction } from '../../app/use-action.js';
import { Facts, FormError } from '../../components/common.js';
import { formatCount, formatDateTime, scheduleText } from '../../lib/format.js';

type Catalog = NonNullable<DeskStatusJson['catalog']>;

const KINDS = {
  software: {
    id: 'desk-catalog-title',
    title: 'Software catalog',
    route: 'POST /api/desk/catalog/sync',
    queued: 'Software catalog sync queued.',
    button: 'Sync catalog now',
    none: 'This desk has no software catalog Outpost can write to.',
  },
  packages: {
    id: 'desk-packages-title',
    title: 'Software packages',
    route: 'POST /api/desk/packages/sync',
    queued: 'Sending the software packages to the desk.',
    button: 'Send packages now',
    none: 'This desk has no catalog of software packages Outpost can write to.',
  },
} as const;

export function CatalogCard({
  catalog,
  onQueued,
  kind = 'software',
}: {
  catalog: Catalog;
  onQueued: () => void;
  kind?: keyof typeof KINDS;
}) {
  const action = useAction();
  const k = KINDS[kind];

  async function syncNow() {
    const ok = await action.run(async () => {
      await api(k.route, {});
    });
    if (ok) {
      announce(k.queued);
      onQueued();
    }
  }

  const last = catalog.lastRun;
  return (
    <section class="card" aria-labelledby={k.id}>
      <h2 id={k.id}>{k.title}</h2>
      {catalog.supported ? (
        <>
          <Facts
            label={k.title}
            items={[
              ['Schedule', scheduleText(catalog.schedule)],
              ['Next run', catalog.queued ? 'Queued now' : catalog.nextRunAt ? formatDateTime(catalog.nextRunAt) : 'Not scheduled'],
              ['Last run', last ? formatDateTime(last.at) : 'Never'],
              [
                'Last result',
                last
                  ? `${formatCount(last.packages)} packages: ${formatCount(last.created)} created, ${formatCount(last.updated)} updated, ${formatCount(last.unchanged)} unchanged`
                  : null,
              ],
            ]}
          />
          <button type="button" class="button" onClick={() => void syncNow()} disabled={action.busy || catalog.queued}>
            {action.busy ? 'Queuing…' : k.button}
          </button>
          <FormError message={action.error} />
        </>
      ) : (
        <p class="muted">{k.none}</p>
      )}
    </section>
  );
}
