// One ticket: description, device, notes (customer-facing or internal), worklogs, attachments;
// change its status and add a note. Refreshes when anyone changes it.
import { useState } from 'preact/hooks';
import type { TicketDetailJson } from '../../../../shared/http-api.js';
import type { TicketStatus } from '../../../../shared/tickets.js';
import { api, apiWith } from '../../api/client.js';
import { announce } from '../../app/announce.js';
import { useLive } from '../../app/live.js';
import { Link } from '../../app/nav.js';
import { useAction } from '../../app/use-action.js';
import { useLoad } from '../../app/use-load.js';
import { answerText } from '../../../../shared/templates.js';
import { Badge, ErrorNotice, Facts, FormError, Loading, PageHeader, PageTitle } from '../../components/common.js';
import { formatBytes, formatDateTime, formatMinutes } from '../../lib/format.js';
import { TICKET_STATUS_CHOICES } from '../../lib/list-query.js';
import { href } from '../../lib/routes.js';
import { NoteForm } from './NoteForm.js';
import { PriorityBadge, STATUS_LABELS, StatusBadge, deskRequesterText, requesterName } from './ticket-bits.js';

export function TicketPage({ id }: { id: number }) {
  const ticket = useLoad((signal) => apiWith('GET /api/tickets/:id', { path: { id } }, signal), [id]);
  useLive('ticket', (e) => {
    if (e.ticketId === id) ticket.reload(true);
  });

  const t = ticket.data;
  if (!t) {
    return (
      <>
        <PageTitle title={`Ticket #${id}`}>Ticket #{id}</PageTitle>
        {ticket.error ? <ErrorNotice error={ticket.error} /> : <Loading what="the ticket" />}
      </>
    );
  }
  return (
    <>
      <PageHeader
        title={`${t.label} ${t.subject}`}
        heading={
          <>
            <span class="muted">{t.label}</span> {t.subject}
          </>
        }
        parent={{ href: href.tickets(), label: 'Tickets' }}
        actions={<StatusForm ticket={t} onSaved={(updated) => ticket.setData(() => updated)} />}
      >
        <p class="meta-line">
          <StatusBadge status={t.status} />
          <PriorityBadge priority={t.priority} />
          <span>Raised {formatDateTime(t.createdAt)}</span>
          <span>Updated {formatDateTime(t.updatedAt)}</span>
        </p>
      </PageHeader>
      <div class="grid-2 grid-wide-left">
        <div class="stack">
          <section class="card" aria-labelledby="description-title">
            <h2 id="description-title">Description</h2>
            <p class="prewrap">{t.description}</p>
          </section>
          {t.template ? (
            <section class="card" aria-labelledby="template-title">
              <h2 id="template-title">{t.template.name}</h2>
              <Facts
                label={`Fields of the ${t.template.name} template`}
                items={t.template.fields.map((f) => [f.label, <span class="prewrap">{answerText(f.value).trim()}</span>])}
              />
            </section>
          ) : null}
          <Notes ticket={t} />
          <NoteForm ticketId={t.id} onAdded={() => ticket.reload(true)} />
        </div>
        <div class="stack">
          <section class="card" aria-labelledby="details-title">
            <h2 id="details-title">Details</h2>
            <Facts
              label="Ticket details"
              items={[
                ['Requester', requesterName(t.requester)],
                ['Desk requester', t.deskRequester ? deskRequesterText(t.deskRequester) : null],
                ['Outpost number', t.deskNumber !== null ? `OP-${t.id}` : null],
                ['Device', t.deviceId ? <Link href={href.device(t.deviceId)}>{t.hostname}</Link> : t.hostname],
                ['Category', t.category],
                ['Received', formatDateTime(t.receivedAt)],
                ['Closed', t.closedAt ? formatDateTime(t.closedAt) : null],
                ['Reference', <span class="mono">{t.ref}</span>],
              ]}
            />
          </section>
          <Attachments ticket={t} />
          <Worklogs ticket={t} />
        </div>
      </div>
    </>
  );
}

function StatusForm({ ticket, onSaved }: { ticket: TicketDetailJson; onSaved: (t: TicketDetailJson) => void }) {
  const [status, setStatus] = useState<TicketStatus>(ticket.status);
  const { busy, error, run } = useAction();

  async function save(event: Event) {
    event.preventDefault();
    await run(async () => {
      const updated = await api('PATCH /api/tickets/:id', { path: { id: ticket.id }, body: { status } });
      onSaved(updated);
      announce(`Status changed to ${STATUS_LABELS[status]}.`);
    });
  }

  return (
    <form class="status-form" onSubmit={(e) => void save(e)} aria-label="Change status">
      <div class="field">
        <label for="ticket-status-select">Status</label>
        <select id="ticket-status-select" value={status} onChange={(e) => setStatus(e.currentTarget.value as TicketStatus)}>
          {TICKET_STATUS_CHOICES.map((s) => (
            <option key={s} value={s}>
              {STATUS_LABELS[s]}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" class="button button-primary" disabled={busy || status === ticket.status}>
        Save status
      </button>
      <FormError message={error} />
    </form>
  );
}

function Notes({ ticket }: { ticket: TicketDetailJson }) {
  return (
    <section class="card" aria-labelledby="notes-title">
      <h2 id="notes-title">Notes</h2>
      {ticket.notes.length === 0 ? <p class="muted">No notes yet.</p> : null}
      <ol class="notes">
        {ticket.notes.map((n) => (
          <li key={n.id} class={n.visibility === 'internal' ? 'note note-internal' : 'note'}>
            <div class="note-head">
              <strong>{n.author}</strong>
              {n.visibility === 'internal' ? <Badge kind="warning">Internal</Badge> : <Badge kind="info">Customer-facing</Badge>}
              {n.fromEndpoint ? <Badge>From the endpoint</Badge> : null}
              <time dateTime={n.at}>{formatDateTime(n.at)}</time>
            </div>
            <p class="prewrap">{n.text}</p>
          </li>
        ))}
      </ol>
    </section>
  );
}

function Attachments({ ticket }: { ticket: TicketDetailJson }) {
  const missing = ticket.attachmentsExpected - ticket.attachments.length;
  return (
    <section class="card" aria-labelledby="attachments-title">
      <h2 id="attachments-title">Attachments</h2>
      {ticket.attachments.length === 0 && missing <= 0 ? <p class="muted">None.</p> : null}
      <ul class="plain-list">
        {ticket.attachments.map((a) => (
          <li key={a.id}>
            <a href={`/api/tickets/${ticket.id}/attachments/${a.id}`} download={a.name}>
              {a.name}
            </a>{' '}
            <span class="muted small">
              {a.screenshot ? 'screenshot, ' : ''}
              {formatBytes(a.size)}
            </span>
          </li>
        ))}
      </ul>
      {missing > 0 ? (
        <p class="muted small">{missing} more announced by the endpoint, not received (still on the way, or refused as too large).</p>
      ) : null}
    </section>
  );
}

function Worklogs({ ticket }: { ticket: TicketDetailJson }) {
  return (
    <section class="card" aria-labelledby="worklogs-title">
      <h2 id="worklogs-title">
        Worklogs {ticket.minutesLogged > 0 ? <span class="muted">({formatMinutes(ticket.minutesLogged)})</span> : null}
      </h2>
      {ticket.worklogs.length === 0 ? <p class="muted">No time logged.</p> : null}
      <ul class="plain-list worklogs">
        {ticket.worklogs.map((w) => (
          <li key={w.id}>
            <div>
              <strong>{w.technician}</strong> · {formatMinutes(w.minutes)} · {formatDateTime(w.start)}
              {w.hostname ? (
                <span class="muted"> on {w.deviceId ? <Link href={href.device(w.deviceId)}>{w.hostname}</Link> : w.hostname}</span>
              ) : null}
            </div>
            <p class="prewrap">{w.description}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}
