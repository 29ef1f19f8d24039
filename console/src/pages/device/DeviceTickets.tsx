// Every ticket that refers to this device (open ones first, with the number people quote: the desk's
// once it has the ticket), the desk's other tickets on its asset, and a form to raise one for it in a queue of the desk.
// Live ticket events keep the list current.
import { useState } from 'preact/hooks';
import type { DeviceTicketJson, DeviceTicketsJson } from '../../../../shared/console-api.js';
import type { Priority } from '../../../../shared/tickets.js';
import { api, apiWith } from '../../api/client.js';
import { announce } from '../../app/announce.js';
import { useLive } from '../../app/live.js';
import { Link } from '../../app/nav.js';
import { useAction } from '../../app/use-action.js';
import { useLoad } from '../../app/use-load.js';
import { Badge, ErrorNotice, FormError } from '../../components/common.js';
import { EmptyRow } from '../../components/table.js';
import { formatDateTime } from '../../lib/format.js';
import { href } from '../../lib/routes.js';
import { Section } from './DeviceSections.js';

const STATUS_LABELS = { new: 'New', open: 'Open', pending: 'Pending', resolved: 'Resolved', closed: 'Closed' } as const;
const STATUS_KIND = { new: 'info', open: 'info', pending: 'warning', resolved: 'success', closed: 'neutral' } as const;
const PRIORITIES: Priority[] = ['low', 'normal', 'high', 'urgent'];

export function DeviceTickets({ deviceId }: { deviceId: string }) {
  const tickets = useLoad((signal) => apiWith('GET /api/devices/:id/tickets', { path: { id: deviceId } }, signal), [deviceId]);
  const [raising, setRaising] = useState(false);

  useLive('ticket', (e) => {
    if (e.deviceId === deviceId) tickets.reload(true);
  });

  return (
    <Section
      id="tickets"
      title="Tickets"
      extra={
        raising ? null : (
          <button type="button" class="button" onClick={() => setRaising(true)}>
            Raise a ticket
          </button>
        )
      }
    >
      {raising ? (
        <RaiseTicketForm
          deviceId={deviceId}
          onDone={(created) => {
            setRaising(false);
            if (created) tickets.reload(true);
          }}
        />
      ) : null}
      {tickets.error ? <ErrorNotice error={tickets.error} /> : null}
      <table class="data" data-testid="device-tickets">
        <caption class="visually-hidden">Tickets of this device, open ones first</caption>
        <thead>
          <tr>
            <th scope="col">Number</th>
            <th scope="col">Subject</th>
            <th scope="col">Status</th>
            <th scope="col">Queue</th>
            <th scope="col">Raised</th>
          </tr>
        </thead>
        <tbody>
          {tickets.data?.items.map((t) => (
            <TicketRow key={t.id} ticket={t} />
          ))}
          {tickets.data && tickets.data.items.length === 0 ? <EmptyRow colSpan={5}>No tickets refer to this device.</EmptyRow> : null}
        </tbody>
      </table>
      {tickets.data?.desk ? <DeskOnlyTickets desk={tickets.data.desk} /> : null}
    </Section>
  );
}

/** The desk's tickets on the device's asset that Outpost did not raise (taken by phone, say). */
function DeskOnlyTickets({ desk }: { desk: NonNullable<DeviceTicketsJson['desk']> }) {
  if (desk.error) {
    return (
      <p class="notice notice-warning" role="status" data-testid="device-desk-tickets-error">
        The desk's other tickets on this device's asset could not be read: {desk.error}
      </p>
    );
  }
  if (desk.tickets.length === 0) return null;
  return (
    <table class="data" data-testid="device-desk-tickets">
      <caption class="table-title">Also in the desk on this device's asset</caption>
      <thead>
        <tr>
          <th scope="col">Number</th>
          <th scope="col">Subject</th>
          <th scope="col">Status</th>
          <th scope="col">Raised</th>
        </tr>
      </thead>
      <tbody>
        {desk.tickets.map((t) => (
          <tr key={t.deskNumber}>
            <td class="num mono">#{t.deskNumber}</td>
            <th scope="row">{t.subject}</th>
            <td>
              <Badge kind={STATUS_KIND[t.status]}>{STATUS_LABELS[t.status]}</Badge>
              {t.deskStatus.toLowerCase() !== t.status ? <span class="muted small"> ({t.deskStatus})</span> : null}
            </td>
            <td>{formatDateTime(t.createdAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function TicketRow({ ticket: t }: { ticket: DeviceTicketJson }) {
  return (
    <tr>
      <td class="num mono" title={t.deskNumber ? "The desk's number" : undefined}>
        {t.label}
      </td>
      <th scope="row">
        <Link href={href.ticket(t.id)}>{t.subject}</Link>
      </th>
      <td>
        <Badge kind={STATUS_KIND[t.status]}>{STATUS_LABELS[t.status]}</Badge>
      </td>
      <td>{t.queue ?? <span class="muted">default</span>}</td>
      <td>
        {formatDateTime(t.createdAt)}
        {t.raisedBy ? ` by ${t.raisedBy}` : ''}
      </td>
    </tr>
  );
}

function RaiseTicketForm({ deviceId, onDone }: { deviceId: string; onDone: (created: boolean) => void }) {
  const queues = useLoad((signal) => apiWith('GET /api/desk/queues', undefined, signal), []);
  const [subject, setSubject] = useState('');
  const [description, setDescription] = useState('');
  const [priority, setPriority] = useState<Priority>('normal');
  const [queue, setQueue] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const chosenQueue = queue ?? queues.data?.default ?? '';

  async function submit(event: Event) {
    event.preventDefault();
    await run(async () => {
      const created = await api('POST /api/devices/:id/tickets', {
        path: { id: deviceId },
        body: { subject, description, priority, ...(chosenQueue ? { queue: chosenQueue } : {}) },
      });
      announce(`Ticket ${created.label} raised${chosenQueue ? ` in ${chosenQueue}` : ''}.`);
      onDone(true);
    });
  }

  return (
    <form class="raise-ticket" onSubmit={(e) => void submit(e)} aria-label="Raise a ticket for this device">
      <div class="field">
        <label for="raise-subject">Subject</label>
        <input id="raise-subject" required maxLength={200} value={subject} onInput={(e) => setSubject(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="raise-description">Description</label>
        <textarea id="raise-description" required rows={4} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
      </div>
      <div class="form-row">
        <div class="field">
          <label for="raise-priority">Priority</label>
          <select id="raise-priority" value={priority} onChange={(e) => setPriority(e.currentTarget.value as Priority)}>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {p[0]!.toUpperCase() + p.slice(1)}
              </option>
            ))}
          </select>
        </div>
        {queues.data && queues.data.names.length > 0 ? (
          <div class="field">
            <label for="raise-queue">Desk queue</label>
            <select id="raise-queue" value={chosenQueue} onChange={(e) => setQueue(e.currentTarget.value)}>
              {queues.data.names.map((q) => (
                <option key={q} value={q}>
                  {q}
                  {q === queues.data?.default ? ' (default)' : ''}
                </option>
              ))}
            </select>
          </div>
        ) : null}
      </div>
      {queues.error ? <ErrorNotice error={queues.error}>The desk's queues could not be read: </ErrorNotice> : null}
      <div class="form-actions">
        <button type="submit" class="button button-primary" disabled={busy}>
          {busy ? 'Raising…' : 'Raise ticket'}
        </button>
        <button type="button" class="button" onClick={() => onDone(false)}>
          Cancel
        </button>
      </div>
      <FormError message={error} />
    </form>
  );
}
