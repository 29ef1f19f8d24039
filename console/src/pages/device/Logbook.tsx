// The device's logbook: inventory changes, tickets, notes, worklogs, status changes, identity and
// desk events on one timeline, newest first, a page at a time.
import { useState } from 'preact/hooks';
import type { LogbookEntryJson } from '../../../../shared/console-api.js';
import { apiWith } from '../../api/client.js';
import { errorMessage } from '../../api/errors.js';
import { announce } from '../../app/announce.js';
import { useLive } from '../../app/live.js';
import { Link } from '../../app/nav.js';
import { useLoad } from '../../app/use-load.js';
import { Badge, ErrorNotice } from '../../components/common.js';
import { formatDateTime } from '../../lib/format.js';
import { describeEntry, LOGBOOK_KIND_LABELS } from '../../lib/logbook.js';
import { href } from '../../lib/routes.js';
import { Section } from './DeviceSections.js';

const PAGE = 25;

export function Logbook({ deviceId }: { deviceId: string }) {
  const page = (signal: AbortSignal | undefined, before?: string) =>
    apiWith('GET /api/devices/:id/logbook', { path: { id: deviceId }, query: { limit: PAGE, ...(before ? { before } : {}) } }, signal);
  const logbook = useLoad((signal) => page(signal), [deviceId]);
  const [busy, setBusy] = useState(false);

  const reload = (e: { deviceId: string | null }) => {
    if (e.deviceId === deviceId) logbook.reload(true);
  };
  useLive('ticket', reload);
  useLive('inventory', reload);

  async function older() {
    const before = logbook.data?.nextBefore;
    if (!before) return;
    setBusy(true);
    try {
      const next = await page(undefined, before);
      logbook.setData((d) => ({ items: [...d.items, ...next.items], nextBefore: next.nextBefore }));
      announce(`${next.items.length} older entries loaded.`);
    } catch (err) {
      announce(`Could not load older entries: ${errorMessage(err)}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Section id="logbook" title="Logbook">
      {logbook.error ? <ErrorNotice error={logbook.error} /> : null}
      {logbook.data && logbook.data.items.length === 0 ? <p class="muted">Nothing recorded yet.</p> : null}
      <ol class="timeline" aria-label="Logbook, newest first" data-testid="logbook">
        {logbook.data?.items.map((e) => (
          <Entry key={`${e.kind}:${e.id}`} entry={e} />
        ))}
      </ol>
      {logbook.data?.nextBefore ? (
        <button type="button" class="button" onClick={() => void older()} disabled={busy}>
          {busy ? 'Loading…' : 'Show older entries'}
        </button>
      ) : null}
    </Section>
  );
}

function Entry({ entry: e }: { entry: LogbookEntryJson }) {
  return (
    <li class="change" data-kind={e.kind}>
      <div class="change-head">
        <time dateTime={e.at}>{formatDateTime(e.at)}</time>
        <Badge kind={e.kind === 'desk' && e.detail.state === 'failed' ? 'danger' : 'info'}>{LOGBOOK_KIND_LABELS[e.kind]}</Badge>
        {e.ticketId !== null ? <Link href={href.ticket(e.ticketId)}>Ticket {e.ticketLabel ?? `#${e.ticketId}`}</Link> : null}
      </div>
      <p class="change-headline">{describeEntry(e)}</p>
    </li>
  );
}
