// Get software: the packages IT allows on this computer (the agent's copy of the catalog), a request
// for one, a request to keep prohibited software, and where each request stands: waiting for IT's
// approval, approved and installing, installed (its ticket resolved), or rejected with IT's reason.
import type { SelfServicePackage } from '../../shared/self-service.js';
import { api, call, errorMessage, TrayFailure } from './lib/api.js';
import { announce, byId, h, replaceChildren, setFieldError, whileBusy, whileVisible } from './lib/dom.js';
import { requestState, ticketNumber, type Requested } from './lib/format.js';

const message = byId('software-message');
const reason = byId<HTMLInputElement>('reason');
const exceptionName = byId<HTMLInputElement>('exception-name');
const exceptionReason = byId<HTMLTextAreaElement>('exception-reason');

const nameOf = (p: Pick<SelfServicePackage, 'name' | 'version'>) => (p.version ? `${p.name} ${p.version}` : p.name);

async function load(): Promise<void> {
  const [catalog, tickets] = await Promise.all([call(api().listSoftware()), call(api().listTickets())]);
  const requests = tickets.items.filter((t): t is Requested => t.softwareRequest !== undefined);
  const open = new Map(
    requests
      .filter((t) => t.softwareRequest.approval.state !== 'rejected' && t.status !== 'resolved' && t.status !== 'closed')
      .map((t) => [t.softwareRequest.packageId, t]),
  );
  replaceChildren(byId('catalog'), ...catalog.items.map((p) => packageItem(p, open.get(p.id))));
  const empty = byId('catalog-empty');
  empty.hidden = catalog.items.length > 0;
  empty.textContent =
    catalog.receivedAt === null
      ? 'The list arrives when this computer first connects to IT.'
      : 'IT offers no software for this computer yet. Raise a ticket to ask for something else.';
  replaceChildren(byId('requests'), ...requests.map(requestItem));
  byId('requests-empty').hidden = requests.length > 0;
}

function packageItem(p: SelfServicePackage, pending: Requested | undefined): HTMLLIElement {
  const button = h('button', { type: 'button', class: 'button primary small', 'aria-label': `Request ${nameOf(p)}` }, 'Request');
  button.addEventListener('click', () => void request(button, p));
  return h(
    'li',
    { class: 'software-item' },
    h('span', { class: 'software-name' }, nameOf(p)),
    pending ? h('span', { class: 'badge' }, requestState(pending)) : button,
  );
}

function requestItem(t: Requested): HTMLLIElement {
  const r = t.softwareRequest;
  const what = r.kind === 'install' ? nameOf(r) : `Keep ${r.name}`;
  return h(
    'li',
    { class: 'software-item', 'data-state': r.approval.state },
    h('span', { class: 'software-name' }, `${what} `, h('span', { class: 'hint' }, ticketNumber(t))),
    h('span', { class: 'software-state' }, requestState(t)),
  );
}

async function request(button: HTMLButtonElement, p: SelfServicePackage): Promise<void> {
  try {
    const done = await whileBusy(button, 'Asking…', () =>
      call(api().requestSoftware({ kind: 'install', packageId: p.id, reason: reason.value })),
    );
    announce(message, `Asked IT for ${nameOf(p)}${done.connected ? '' : ' (sent when this computer is back online)'}.`, 'success');
    reason.value = '';
  } catch (err) {
    announce(message, errorMessage(err), 'error');
  }
  await load().catch(() => undefined);
}

async function askException(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const name = exceptionName.value.trim();
  const why = exceptionReason.value.trim();
  setFieldError(exceptionName, name ? undefined : 'Please name the software.');
  setFieldError(exceptionReason, why ? undefined : 'Please say why you need it.');
  if (!name || !why) return;
  try {
    await whileBusy(byId<HTMLButtonElement>('ask-exception'), 'Asking…', () =>
      call(api().requestSoftware({ kind: 'exception', name, reason: why })),
    );
    announce(message, `Asked IT to let you keep ${name}.`, 'success');
    exceptionName.value = '';
    exceptionReason.value = '';
  } catch (err) {
    const field = err instanceof TrayFailure ? err.error.field : undefined;
    if (field === 'name') setFieldError(exceptionName, err instanceof Error ? err.message : undefined);
    announce(message, errorMessage(err), 'error');
  }
  await load().catch(() => undefined);
}

byId<HTMLFormElement>('exception-form').addEventListener('submit', (e) => void askException(e));
byId<HTMLButtonElement>('refresh').addEventListener(
  'click',
  () => void load().catch((err: unknown) => announce(message, errorMessage(err), 'error')),
);
whileVisible(20_000, () => load().catch((err: unknown) => announce(message, errorMessage(err), 'error')));
