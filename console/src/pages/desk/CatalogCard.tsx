// The software catalog flow on the desk page: when it runs, what the last run did, and "Sync now".
import type { DeskStatusJson } from '../../../../shared/http-api.js';
import { api } from '../../api/client.js';
import { announce } from '../../app/announce.js';
import { useAction } from '../../app/use-action.js';
import { Facts, FormError } from '../../components/common.js';
import { formatCount, formatDateTime, scheduleText } from '../../lib/format.js';

type Catalog = NonNullable<DeskStatusJson['catalog']>;

export function CatalogCard({ catalog, onQueued }: { catalog: Catalog; onQueued: () => void }) {
  const action = useAction();

  async function syncNow() {
    const ok = await action.run(async () => {
      await api('POST /api/desk/catalog/sync', {});
    });
    if (ok) {
      announce('Software catalog sync queued.');
      onQueued();
    }
  }

  const last = catalog.lastRun;
  return (
    <section class="card" aria-labelledby="desk-catalog-title">
      <h2 id="desk-catalog-title">Software catalog</h2>
      {catalog.supported ? (
        <>
          <Facts
            label="Software catalog"
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
            {action.busy ? 'Queuing…' : 'Sync catalog now'}
          </button>
          <FormError message={action.error} />
        </>
      ) : (
        <p class="muted">This desk has no software catalog Outpost can write to.</p>
      )}
    </section>
  );
}
