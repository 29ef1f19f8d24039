// My tickets: the person's tickets (kept by the agent, so this works offline too), one open in
// detail with its conversation; add a note, confirm a fix (close), reopen a resolved ticket. What IT
// did since the person last looked is marked unread until the ticket is shown to them.
import type { LocalTicket } from '../../shared/local-api.js';
import type { EndpointTicket } from '../../shared/tickets.js';
import { api, call, errorMessage } from './lib/api.js';
import { watchConnection } from './lib/connection.js';
import { announce, byId, h, replaceChildren, setFieldError, whileBusy, whileVisible } from './lib/dom.js';
import { dateTime, requestState, statusLabel, ticketNumber, type Requested } from './lib/format.js';

const list = byId<HTMLUListElement>('ticket-list');
const listMessage = byId('list-message');
const noteForm = byId<HTMLFormElement>('note-form');
const noteText = byId<HTMLTextAreaElement>('note-text');
const noteMessage = byId('note-message');

let tickets: LocalTicket[] = [];
let selected: string | undefined = ticketFromAddress();

const PRIORITY: Record<EndpointTicket['priority'], string> = {
  low: 'Low priority',
  normal: 'Normal priority',
  high: 'High priority',
  urgent: 'Urgent',
};

/** A notification opens this page at its ticket: tickets.html#ticket=REF. */
function ticketFromAddress(): string | undefined {
  const ref = new URLSearchParams(location.hash.slice(1)).get('ticket');
  return ref && /^[A-Za-z0-9_-]{8,64}$/.test(ref) ? ref : undefined;
}

watchConnection();
whileVisible(15_000, () => load());

async function load(): Promise<void> {
  try {
    tickets = (await call(api().listTickets())).items;
    announce(listMessage, '');
  } catch (err) {
    announce(listMessage, errorMessage(err), 'error');
    return;
  }
  if (!selected && tickets[0]) selected = tickets[0].ref;
  renderList();
  const current = tickets.find((t) => t.ref === selected);
  if (current) renderDetail(current);
}

function renderList(): void {
  byId('empty').hidden = tickets.length > 0;
  replaceChildren(
    list,
    ...tickets.map((t) =>
      h(
        'li',
        {},
        h(
          'button',
          {
            type: 'button',
            class: 'ticket-item',
            'data-ref': t.ref,
            'aria-current': t.ref === selected ? 'true' : undefined,
            onclick: () => select(t.ref, false),
          },
          h(
            'span',
            { class: 'ticket-item-top' },
            h(
              'span',
              { class: 'ticket-number' },
              t.unread ? h('span', { class: 'unread-dot', 'aria-hidden': 'true' }) : null,
              ticketNumber(t),
            ),
            h('span', { class: `badge status-${t.status}` }, statusLabel(t.status)),
          ),
          h(
            'span',
            { class: t.unread ? 'ticket-subject unread' : 'ticket-subject' },
            t.subject,
            t.unread ? h('span', { class: 'visually-hidden' }, ' (new reply or change from IT)') : null,
          ),
          h('span', { class: 'ticket-date' }, `Updated ${dateTime(t.updatedAt)}`),
        ),
      ),
    ),
  );
}

function select(ref: string, fromKeyboard: boolean): void {
  selected = ref;
  noteForm.hidden = false;
  byId('confirm-close').hidden = true;
  announce(noteMessage, '');
  renderList();
  const ticket = tickets.find((t) => t.ref === ref);
  if (ticket) renderDetail(ticket);
  if (fromKeyboard) list.querySelector<HTMLButtonElement>(`[data-ref="${ref}"]`)?.focus();
  // Fetch the latest, e.g. notes that came down since the list was read.
  void call(api().getTicket({ ref }))
    .then((fresh) => {
      tickets = tickets.map((t) => (t.ref === ref ? fresh : t));
      if (selected === ref) renderDetail(fresh);
    })
    .catch(() => undefined);
}

/** What is shown is read: the unread marks stay on screen until the next look, the badge goes now. */
function markShownRead(t: LocalTicket): void {
  if (!t.unread || document.visibilityState !== 'visible') return;
  void call(api().markRead({ ref: t.ref }))
    .then(() => {
      tickets = tickets.map((x) => (x.ref === t.ref ? { ...x, unread: false } : x));
      renderList();
    })
    .catch(() => undefined);
}

function renderDetail(t: LocalTicket): void {
  byId('no-selection').hidden = true;
  byId('detail').hidden = false;
  byId('detail-subject').textContent = t.subject;
  byId('detail-number').textContent = ticketNumber(t);
  const status = byId('detail-status');
  status.textContent = statusLabel(t.status);
  status.className = `badge status-${t.status}`;
  byId('detail-priority').textContent = PRIORITY[t.priority];
  byId('detail-created').textContent = `Raised ${dateTime(t.createdAt)}`;
  byId('detail-description').textContent = t.description;
  const approval = byId('detail-approval');
  approval.hidden = t.softwareRequest === undefined;
  approval.textContent = t.softwareRequest ? requestState(t as Requested) : '';
  approval.dataset.tone = t.softwareRequest?.approval.state === 'rejected' ? 'error' : 'info';
  const fresh = new Set(t.unreadNotes);
  replaceChildren(
    byId('notes'),
    ...t.notes.map((n) =>
      h(
        'li',
        { class: `${n.fromEndpoint ? 'note mine' : 'note theirs'}${fresh.has(n.id) ? ' unread' : ''}` },
        h(
          'p',
          { class: 'note-meta' },
          h('strong', {}, n.fromEndpoint ? 'You' : n.author || 'IT'),
          ` · ${dateTime(n.at)}`,
          fresh.has(n.id) ? h('span', { class: 'badge new-badge' }, 'New') : null,
        ),
        h('p', { class: 'note-text' }, n.text),
      ),
    ),
    t.notes.length === 0 ? h('li', { class: 'note empty-note' }, 'No replies yet. IT’s replies appear here.') : null,
  );
  const closed = t.status === 'closed';
  const resolved = t.status === 'resolved';
  byId<HTMLButtonElement>('close-ticket').hidden = closed;
  byId('close-ticket').textContent = resolved ? 'Yes, it’s fixed' : 'Close ticket…';
  byId('resolved-question').hidden = !resolved;
  byId<HTMLButtonElement>('reopen-ticket').hidden = !(closed || resolved) || t.number === null;
  noteText.disabled = closed;
  byId<HTMLButtonElement>('add-note').disabled = closed;
  noteText.placeholder = closed ? 'This ticket is closed. To ask IT again, reopen it.' : '';
  markShownRead(t);
}

async function addNote(): Promise<void> {
  if (!selected) return;
  if (!noteText.value.trim()) {
    setFieldError(noteText, 'Please write the note first.');
    noteText.focus();
    return;
  }
  try {
    const ref = selected;
    const updated = await whileBusy(byId<HTMLButtonElement>('add-note'), 'Adding…', () =>
      call(api().addNote({ ref, text: noteText.value })),
    );
    noteForm.reset();
    setFieldError(noteText, undefined);
    update(updated);
    announce(noteMessage, 'Note added.', 'success');
  } catch (err) {
    announce(noteMessage, errorMessage(err), 'error');
  }
}

async function closeTicket(): Promise<void> {
  if (!selected) return;
  const ref = selected;
  try {
    const updated = await whileBusy(byId<HTMLButtonElement>('confirm-close-button'), 'Closing…', () => call(api().closeTicket({ ref })));
    byId('confirm-close').hidden = true;
    noteForm.hidden = false;
    update(updated);
    announce(noteMessage, 'Ticket closed.', 'success');
    byId('detail-subject').focus();
  } catch (err) {
    byId('confirm-close').hidden = true;
    noteForm.hidden = false;
    announce(noteMessage, errorMessage(err), 'error');
  }
}

async function reopenTicket(): Promise<void> {
  if (!selected) return;
  const text = byId<HTMLTextAreaElement>('reopen-text');
  if (!text.value.trim()) {
    setFieldError(text, 'Please tell IT what is still wrong.');
    text.focus();
    return;
  }
  const ref = selected;
  try {
    const updated = await whileBusy(byId<HTMLButtonElement>('confirm-reopen-button'), 'Reopening…', () =>
      call(api().reopenTicket({ ref, text: text.value })),
    );
    byId<HTMLFormElement>('reopen-form').reset();
    setFieldError(text, undefined);
    byId('reopen-form').hidden = true;
    noteForm.hidden = false;
    update(updated);
    announce(noteMessage, 'Ticket reopened. IT will see your note.', 'success');
    byId('detail-subject').focus();
  } catch (err) {
    announce(byId('reopen-message'), errorMessage(err), 'error');
  }
}

function update(ticket: EndpointTicket): void {
  // What the person just did is not news to them.
  const seen: LocalTicket = { ...ticket, unread: false, unreadNotes: [] };
  tickets = tickets.map((t) => (t.ref === seen.ref ? seen : t));
  renderList();
  renderDetail(seen);
}

// Up and down move through the list, as in a mail client.
list.addEventListener('keydown', (event) => {
  if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
  const i = tickets.findIndex((t) => t.ref === (document.activeElement as HTMLElement | null)?.dataset.ref);
  const next = tickets[Math.min(tickets.length - 1, Math.max(0, i + (event.key === 'ArrowDown' ? 1 : -1)))];
  if (next) {
    event.preventDefault();
    select(next.ref, true);
  }
});
noteForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void addNote();
});
noteText.addEventListener('input', () => setFieldError(noteText, undefined));
byId('close-ticket').addEventListener('click', () => {
  noteForm.hidden = true;
  byId('confirm-close').hidden = false;
  byId('keep-open').focus();
});
byId('keep-open').addEventListener('click', () => {
  byId('confirm-close').hidden = true;
  noteForm.hidden = false;
  byId('close-ticket').focus();
});
byId('confirm-close-button').addEventListener('click', () => void closeTicket());
byId('reopen-ticket').addEventListener('click', () => {
  noteForm.hidden = true;
  byId('confirm-close').hidden = true;
  byId('reopen-form').hidden = false;
  byId('reopen-text').focus();
});
byId('cancel-reopen').addEventListener('click', () => {
  byId('reopen-form').hidden = true;
  noteForm.hidden = false;
  byId('reopen-ticket').focus();
});
byId('reopen-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void reopenTicket();
});
byId('reopen-text').addEventListener('input', () => setFieldError(byId<HTMLTextAreaElement>('reopen-text'), undefined));
window.addEventListener('hashchange', () => {
  const ref = ticketFromAddress();
  if (ref) select(ref, false);
});
byId('refresh').addEventListener('click', (e) => void whileBusy(e.currentTarget as HTMLButtonElement, 'Refreshing…', load));
byId('new-ticket').addEventListener('click', () => void api().openView({ view: 'ticket' }));
