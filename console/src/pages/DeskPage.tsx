// Service-desk sync: which connector, is it healthy, what waits or failed, and retry.
import { api, apiWith } from '../api/client.js';
import { errorMessage } from '../api/errors.js';
import { announce } from '../app/announce.js';
import { useLoad } from '../app/use-load.js';
import { Badge, ErrorNotice, Facts, Loading, Notice, PageHeader } from '../components/common.js';
import { EmptyRow } from '../components/table.js';
import { formatCount, formatDateTime } from '../lib/format.js';
import { CatalogCard } from './desk/CatalogCard.js';
import { SetupCard } from './desk/SetupCard.js';

const KIND_NAMES: Record<string, string> = { rt: 'Request Tracker', sdp: 'ServiceDesk Plus', autotask: 'Autotask PSA' };
const LEVEL_NAMES: Record<string, string> = { 'log-only': 'Log only', 'status-sync': 'Status sync', 'two-way': 'Two-way' };
const named = (names: Record<string, string>, value: string | null) => (value === null ? null : (names[value] ?? value));

export function DeskPage() {
  const status = useLoad((signal) => apiWith('GET /api/desk/status', undefined, signal), []);
  const s = status.data;

  async function retry(id: number) {
    try {
      await api('POST /api/desk/jobs/:id/retry', { path: { id } });
      announce(`Job ${id} queued again.`);
      status.reload(true);
    } catch (err) {
      announce(`Could not retry job ${id}: ${errorMessage(err)}`);
    }
  }

  return (
    <>
      <PageHeader
        title="Service desk"
        actions={
          <button type="button" class="button" onClick={() => status.reload()}>
            Refresh
          </button>
        }
      />
      {status.error ? <ErrorNotice error={status.error} /> : null}
      {!s && !status.error ? <Loading what="the sync status" /> : null}
      {s && !s.configured ? (
        <Notice>
          No service desk is configured. Outpost is the desk of record: tickets stay here and are handled on the Tickets page. To sync with
          a desk, start the server with
          <code> --desk</code> and its settings.
        </Notice>
      ) : null}
      {s?.configured ? (
        <>
          <section class="card" aria-labelledby="desk-connector-title">
            <h2 id="desk-connector-title">Connector</h2>
            <Facts
              label="Connector"
              items={[
                ['Desk', named(KIND_NAMES, s.kind)],
                ['Integration level', named(LEVEL_NAMES, s.level)],
                [
                  'Health',
                  s.healthy === null ? (
                    'Not checked yet'
                  ) : s.healthy ? (
                    <Badge kind="success">Healthy</Badge>
                  ) : (
                    <Badge kind="danger">Failing</Badge>
                  ),
                ],
                ['Queued jobs', formatCount(s.queued)],
                ['Failed jobs', formatCount(s.failed)],
                ['Last poll', s.lastPollAt ? formatDateTime(s.lastPollAt) : 'Never'],
                ['Last error', s.lastError ? <LastError error={s.lastError} at={s.lastErrorAt} current={s.healthy === false} /> : 'None'],
              ]}
            />
          </section>
          <SetupCard preflight={s.preflight} onChecked={() => status.reload(true)} />
          {s.catalog ? <CatalogCard catalog={s.catalog} onQueued={() => status.reload(true)} /> : null}
          {s.packages ? <CatalogCard kind="packages" catalog={s.packages} onQueued={() => status.reload(true)} /> : null}
          <section class="card" aria-labelledby="desk-failed-title">
            <h2 id="desk-failed-title">Failed jobs</h2>
            <p class="muted small">Jobs the desk refused are not retried on their own. Fix the cause, then retry.</p>
            <table class="data compact">
              <caption class="visually-hidden">Failed jobs, most recent first</caption>
              <thead>
                <tr>
                  <th scope="col" class="num">
                    Job
                  </th>
                  <th scope="col">Kind</th>
                  <th scope="col">Key</th>
                  <th scope="col" class="num">
                    Attempts
                  </th>
                  <th scope="col">Error</th>
                  <th scope="col">When</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {s.jobs.map((j) => (
                  <tr key={j.id}>
                    <th scope="row" class="num mono">
                      {j.id}
                    </th>
                    <td>{j.kind}</td>
                    <td class="mono">{j.key}</td>
                    <td class="num">{j.attempts}</td>
                    <td class="error-text">{j.error ?? '—'}</td>
                    <td>{formatDateTime(j.at)}</td>
                    <td class="actions">
                      <button type="button" class="button button-small" onClick={() => void retry(j.id)} aria-label={`Retry job ${j.id}`}>
                        Retry
                      </button>
                    </td>
                  </tr>
                ))}
                {s.jobs.length === 0 ? <EmptyRow colSpan={7}>No failed jobs.</EmptyRow> : null}
              </tbody>
            </table>
          </section>
        </>
      ) : null}
    </>
  );
}

/** Red while the desk is failing; once it answers again, the same error in plain text with its time. */
function LastError({ error, at, current }: { error: string; at: string | null; current: boolean }) {
  const when = at ? ` (${formatDateTime(at)}${current ? '' : ', since recovered'})` : '';
  return (
    <span class={current ? 'error-text' : undefined}>
      {error}
      <span class="muted">{when}</span>
    </span>
  );
}
