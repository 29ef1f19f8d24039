// Remote session: a technician records time against a ticket ID, with the timer (the agent keeps
// it running across restarts) or by entering start and end. A worklog the server refused shows
// why, and can be sent again with the ticket ID corrected.
import type { EndpointWorklog } from '../../shared/tickets.js';
import { worklogTicketLabel } from '../../shared/ticket-label.js';
import type { TrayResults } from '../../shared/tray-api.js';
import { api, call, errorMessage, TrayFailure } from './lib/api.js';
import { watchConnection } from './lib/connection.js';
import { announce, byId, h, replaceChildren, setFieldError, whileBusy, whileVisible } from './lib/dom.js';
import { dateTime, elapsed, localInputValue, minutes } from './lib/format.js';

type Running = TrayResults['listWorklogs']['running'];

const form = byId<HTMLFormElement>('session-form');
const ticketId = byId<HTMLInputElement>('ticket-id');
const technician = byId<HTMLInputElement>('technician');
const notes = byId<HTMLTextAreaElement>('notes');
const startAt = byId<HTMLInputElement>('start-at');
const endAt = byId<HTMLInputElement>('end-at');
const message = byId('session-message');
const FIELDS: Record<string, HTMLElement> = { ticketId, technician, start: startAt, end: endAt, description: notes };

let running: Running = null;
let tick: number | undefined;

watchConnection();
whileVisible(10_000, () => load());

async function load(): Promise<void> {
  const result = await call(api().listWorklogs()).catch(() => undefined);
  if (!result) return;
  showRunning(result.running);
  renderWorklogs(result.items);
}

function showRunning(next: Running): void {
  running = next;
  const on = next !== null;
  byId('start').hidden = on;
  byId('stop').hidden = !on;
  ticketId.readOnly = on;
  technician.readOnly = on;
  byId<HTMLInputElement>('mode-manual').disabled = on;
  if (next) {
    ticketId.value = next.ticketId;
    technician.value = next.technician;
  }
  byId('timer-state').textContent = next
    ? `Running on ticket ${worklogTicketLabel(next.ticketId)} for ${next.technician} since ${dateTime(next.start)}.`
    : 'Start the timer when the remote session begins.';
  window.clearInterval(tick);
  const paint = () => (byId('timer-display').textContent = elapsed(next ? Date.now() - Date.parse(next.start) : 0));
  paint();
  if (next) tick = window.setInterval(paint, 1000);
}

function renderWorklogs(items: EndpointWorklog[]): void {
  byId('no-worklogs').hidden = items.length > 0;
  replaceChildren(byId('worklogs'), ...items.map(worklogItem));
}

function worklogItem(w: EndpointWorklog): HTMLLIElement {
  const state = { queued: 'Waiting to send', recorded: 'Recorded', rejected: 'Not accepted' }[w.state];
  const item = h(
    'li',
    { class: `worklog state-${w.state}` },
    h(
      'div',
      { class: 'worklog-top' },
      h('strong', {}, worklogTicketLabel(w.ticketId)),
      h('span', {}, `${minutes(w.minutes)} · ${w.technician} · ${dateTime(w.start)}`),
      h('span', { class: `badge worklog-${w.state}` }, state),
    ),
    w.description ? h('p', { class: 'worklog-notes' }, w.description) : null,
  );
  if (w.state === 'rejected') item.append(correction(w));
  return item;
}

/** A refused worklog: the server's reason and a way to send it again against the right ticket. */
function correction(w: EndpointWorklog): HTMLElement {
  const inputId = `fix-${w.ref}`;
  const note = h(
    'p',
    { class: 'message', role: 'alert', 'data-tone': 'error' },
    w.error?.message ?? 'The server did not accept this worklog.',
  );
  const input = h('input', { id: inputId, type: 'text', value: w.ticketId, autocomplete: 'off' });
  const button = h('button', { type: 'button', class: 'button primary small' }, 'Send again');
  const result = h('p', { class: 'message', role: 'status', hidden: true });
  button.addEventListener('click', () => {
    void whileBusy(button, 'Sending…', () => call(api().retryWorklog({ ref: w.ref, ticketId: input.value })))
      .then(() => load())
      .catch((err: unknown) => announce(result, errorMessage(err), 'error'));
  });
  return h(
    'div',
    { class: 'correction' },
    note,
    h('div', { class: 'inline-form' }, h('label', { for: inputId }, 'Correct ticket ID'), input, button),
    result,
  );
}

function showError(err: unknown): void {
  const field = err instanceof TrayFailure ? err.error.field : undefined;
  const target = field ? FIELDS[field] : undefined;
  if (target) {
    setFieldError(target, errorMessage(err));
    target.focus();
  } else {
    announce(message, errorMessage(err), 'error');
  }
}

function clearErrors(): void {
  for (const f of Object.values(FIELDS)) setFieldError(f, undefined);
  announce(message, '');
}

async function start(button: HTMLButtonElement): Promise<void> {
  clearErrors();
  try {
    const session = await whileBusy(button, 'Starting…', () =>
      call(api().startWorklog({ ticketId: ticketId.value, technician: technician.value })),
    );
    showRunning(session);
    announce(message, `Timer started for ticket ${worklogTicketLabel(session.ticketId)}.`, 'success');
    byId('stop').focus();
  } catch (err) {
    showError(err);
  }
}

async function stop(button: HTMLButtonElement): Promise<void> {
  clearErrors();
  try {
    const worklog = await whileBusy(button, 'Recording…', () => call(api().stopWorklog({ description: notes.value })));
    notes.value = '';
    showRunning(null);
    announce(message, `Recorded ${minutes(worklog.minutes)} on ticket ${worklogTicketLabel(worklog.ticketId)}.`, 'success');
    await load();
    byId('start').focus();
  } catch (err) {
    showError(err);
  }
}

async function record(): Promise<void> {
  clearErrors();
  if (!startAt.value || !endAt.value) {
    setFieldError(startAt.value ? endAt : startAt, 'Please enter when the session started and ended.');
    return;
  }
  try {
    const worklog = await whileBusy(byId<HTMLButtonElement>('record'), 'Recording…', () =>
      call(
        api().addWorklog({
          ticketId: ticketId.value,
          technician: technician.value,
          start: new Date(startAt.value).toISOString(),
          end: new Date(endAt.value).toISOString(),
          description: notes.value,
        }),
      ),
    );
    notes.value = '';
    announce(message, `Recorded ${minutes(worklog.minutes)} on ticket ${worklogTicketLabel(worklog.ticketId)}.`, 'success');
    await load();
  } catch (err) {
    showError(err);
  }
}

function setMode(manual: boolean): void {
  byId('timer-panel').hidden = manual;
  byId('manual-panel').hidden = !manual;
  byId('manual-actions').hidden = !manual;
  if (manual && !startAt.value) {
    const now = new Date();
    endAt.value = localInputValue(now);
    startAt.value = localInputValue(new Date(now.getTime() - 30 * 60_000));
  }
}

byId('mode-timer').addEventListener('change', () => setMode(false));
byId('mode-manual').addEventListener('change', () => setMode(true));
byId<HTMLButtonElement>('start').addEventListener('click', (e) => void start(e.currentTarget as HTMLButtonElement));
byId<HTMLButtonElement>('stop').addEventListener('click', (e) => void stop(e.currentTarget as HTMLButtonElement));
form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (byId<HTMLInputElement>('mode-manual').checked) void record();
  else if (!running) void start(byId<HTMLButtonElement>('start'));
});
for (const f of Object.values(FIELDS)) f.addEventListener('input', () => setFieldError(f, undefined));
ticketId.focus();
