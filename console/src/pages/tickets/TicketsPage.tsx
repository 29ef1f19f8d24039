// Tickets, newest first: status filter, search, and "Load more" for older ones.
import type { TicketSummaryJson } from '../../../../shared/http-api.js';
import { apiWith } from '../../api/client.js';
import { useLive } from '../../app/live.js';
import { Link, navigate } from '../../app/nav.js';
import { useSearchBox } from '../../app/use-debounced.js';
import { useLoad, useLoadOlder } from '../../app/use-load.js';
import { ErrorNotice, PageHeader } from '../../components/common.js';
import { EmptyRow, openOnClick } from '../../components/table.js';
import { formatDateTime, relativeTime } from '../../lib/format.js';
import {
  PAGE_SIZE,
  TICKET_STATUS_CHOICES,
  searchFromTicketView,
  ticketStatusQuery,
  ticketViewFromSearch,
  type TicketView,
} from '../../lib/list-query.js';
import { href } from '../../lib/routes.js';
import { PriorityBadge, STATUS_LABELS, StatusBadge, requesterName } from './ticket-bits.js';

export function TicketsPage({ search }: { search: string }) {
  const view = ticketViewFromSearch(search);
  const show = (next: TicketView, replace = false) => navigate(href.tickets(searchFromTicketView(next)), { replace, keepFocus: true });
  const [text, setText] = useSearchBox(view.q, (q) => show({ ...view, q }, true));

  const query = { status: ticketStatusQuery(view), q: view.q || undefined, limit: PAGE_SIZE };
  const list = useLoad((signal) => apiWith('GET /api/tickets', { query }, signal), [search]);
  const older = useLoadOlder(
    list,
    (before) => apiWith('GET /api/tickets', { query: { ...query, before } }, undefined),
    'Could not load more tickets',
  );
  useLive('ticket', () => list.reload(true));

  const now = Date.now();
  return (
    <>
      <PageHeader title="Tickets" />
      <form
        role="search"
        class="toolbar"
        aria-label="Filter tickets"
        onSubmit={(e) => {
          e.preventDefault();
          show({ ...view, q: text.trim() });
        }}
      >
        <div class="field field-grow">
          <label for="ticket-search">Search tickets</label>
          <input
            id="ticket-search"
            type="search"
            placeholder="Number, subject, requester or hostname"
            value={text}
            maxLength={200}
            onInput={(e) => setText(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="ticket-status">Status</label>
          <select
            id="ticket-status"
            value={view.status}
            onChange={(e) => show({ ...view, status: e.currentTarget.value as TicketView['status'] })}
          >
            <option value="active">Active (new, open, pending)</option>
            <option value="">All</option>
            {TICKET_STATUS_CHOICES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABELS[s]}
              </option>
            ))}
          </select>
        </div>
      </form>
      {list.error ? <ErrorNotice error={list.error} /> : null}
      <div class="table-wrap" aria-busy={list.loading}>
        <table class="data">
          <caption class="visually-hidden">Tickets, newest first</caption>
          <thead>
            <tr>
              <th scope="col" class="num">
                Number
              </th>
              <th scope="col">Subject</th>
              <th scope="col">Status</th>
              <th scope="col">Priority</th>
              <th scope="col">Requester</th>
              <th scope="col">Device</th>
              <th scope="col">Created</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((t) => (
              <TicketRow key={t.id} ticket={t} now={now} />
            ))}
            {list.data && list.data.items.length === 0 ? <EmptyRow colSpan={8}>No tickets match.</EmptyRow> : null}
          </tbody>
        </table>
      </div>
      {list.data?.nextBefore ? (
        <p class="pager">
          <button type="button" class="button" onClick={() => void older.loadOlder()} disabled={older.busy}>
            {older.busy ? 'Loading…' : 'Load older tickets'}
          </button>
        </p>
      ) : null}
    </>
  );
}

function TicketRow({ ticket: t, now }: { ticket: TicketSummaryJson; now: number }) {
  return (
    <tr class="clickable" onClick={openOnClick(href.ticket(t.id))}>
      <td class="num mono">{t.label}</td>
      <th scope="row">
        <Link href={href.ticket(t.id)}>{t.subject}</Link>
      </th>
      <td>
        <StatusBadge status={t.status} />
      </td>
      <td>
        <PriorityBadge priority={t.priority} />
      </td>
      <td>{requesterName(t.requester)}</td>
      <td>{t.deviceId ? <Link href={href.device(t.deviceId)}>{t.hostname}</Link> : t.hostname}</td>
      <td>
        <time dateTime={t.createdAt}>{formatDateTime(t.createdAt)}</time>
      </td>
      <td>
        <time dateTime={t.updatedAt} title={formatDateTime(t.updatedAt)}>
          {relativeTime(t.updatedAt, now)}
        </time>
      </td>
    </tr>
  );
}
