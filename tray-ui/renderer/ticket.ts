// The ticket form: subject, description, priority, category, files and an optional screenshot.
// Files and the screenshot are held by the main process; this page shows them and sends their ids.
import type { PickedFile, TicketDraft, TrayResults } from '../../shared/tray-api.js';
import { api, call, errorMessage, TrayFailure } from './lib/api.js';
import { watchConnection, type Connection } from './lib/connection.js';
import { announce, byId, h, replaceChildren, setFieldError, whileBusy } from './lib/dom.js';
import { bytes } from './lib/format.js';
import { TemplateFields } from './template-fields.js';

const form = byId<HTMLFormElement>('ticket-form');
const subject = byId<HTMLInputElement>('subject');
const description = byId<HTMLTextAreaElement>('description');
const priority = byId<HTMLSelectElement>('priority');
const category = byId<HTMLSelectElement>('category');
const fileList = byId<HTMLUListElement>('file-list');
const filesMessage = byId('files-message');
const formMessage = byId('form-message');
const preview = byId('screenshot-preview');
const previewImage = byId<HTMLImageElement>('screenshot-image');
const sendButton = byId<HTMLButtonElement>('send');
const templates = new TemplateFields(byId<HTMLSelectElement>('template'), byId('template-hint'), byId('template-fields'));

let files: PickedFile[] = [];
let screenshotId: string | undefined;
let connection: Connection | undefined;

const FIELDS: Record<string, HTMLElement> = { subject, description, priority, category };

watchConnection((c) => {
  connection = c;
  byId('offline-note').hidden = c.state !== 'offline';
  sendButton.textContent = c.state === 'offline' ? 'Save and send later' : 'Send ticket';
});

function renderFiles(): void {
  replaceChildren(
    fileList,
    ...files.map((f) =>
      h(
        'li',
        { class: 'file' },
        h('span', { class: 'file-name' }, f.name),
        h('span', { class: 'file-size' }, bytes(f.bytes)),
        h(
          'button',
          { type: 'button', class: 'button link danger', 'aria-label': `Remove ${f.name}`, onclick: () => void removeFile(f) },
          'Remove',
        ),
      ),
    ),
  );
}

async function attachFiles(button: HTMLButtonElement): Promise<void> {
  announce(filesMessage, '');
  try {
    const result = await whileBusy(button, 'Choosing…', () => call(api().pickFiles()));
    files = result.files;
    renderFiles();
    if (result.rejected.length > 0) announce(filesMessage, result.rejected.map((r) => r.message).join(' '), 'error');
  } catch (err) {
    announce(filesMessage, errorMessage(err), 'error');
  }
}

async function removeFile(file: PickedFile): Promise<void> {
  const result = await call(api().removeFile({ id: file.id })).catch((err: unknown) => announce(filesMessage, errorMessage(err), 'error'));
  if (!result) return;
  files = result.files;
  renderFiles();
  announce(filesMessage, `${file.name} removed.`);
  byId('attach').focus();
}

async function takeScreenshot(button: HTMLButtonElement): Promise<void> {
  announce(filesMessage, '');
  try {
    const shot = await whileBusy(button, 'Capturing…', () => call(api().captureScreenshot()));
    screenshotId = shot.id;
    previewImage.src = shot.dataUrl;
    byId('screenshot-caption').textContent = `Screenshot · ${shot.width} × ${shot.height} · ${bytes(shot.bytes)}`;
    preview.hidden = false;
    button.textContent = 'Retake screenshot';
    byId('screenshot-remove').focus();
  } catch (err) {
    announce(filesMessage, errorMessage(err), 'error');
  }
}

async function removeScreenshot(): Promise<void> {
  if (screenshotId)
    await api()
      .discardScreenshot({ id: screenshotId })
      .catch(() => undefined);
  screenshotId = undefined;
  preview.hidden = true;
  previewImage.removeAttribute('src');
  byId('screenshot').textContent = 'Add a screenshot';
  announce(filesMessage, 'Screenshot removed; it will not be sent.');
  byId('screenshot').focus();
}

/** The browser's own checks, in our words; the main process checks again. */
function checkFields(): boolean {
  const problems: [HTMLElement, string | undefined][] = [
    [subject, subject.value.trim() ? undefined : 'Please give the ticket a subject.'],
    [description, description.value.trim() ? undefined : 'Please describe the problem.'],
  ];
  for (const [field, message] of problems) setFieldError(field, message);
  const first = problems.find(([, m]) => m)?.[0] ?? templates.check();
  first?.focus();
  return !first;
}

async function send(): Promise<void> {
  announce(formMessage, '');
  if (!checkFields()) return;
  const draft: TicketDraft = {
    subject: subject.value,
    description: description.value,
    priority: priority.value as TicketDraft['priority'],
    ...(category.value ? { category: category.value } : {}),
    ...(templates.chosen() ? { template: { id: templates.chosen()!.id, answers: templates.answers() } } : {}),
    fileIds: files.map((f) => f.id),
    ...(screenshotId ? { screenshotId } : {}),
  };
  try {
    const result = await whileBusy(sendButton, 'Sending…', () => call(api().createTicket(draft)));
    showSent(result);
  } catch (err) {
    const field = err instanceof TrayFailure ? err.error.field : undefined;
    const target = field ? FIELDS[field] : undefined;
    if (target) {
      setFieldError(target, errorMessage(err));
      target.focus();
    } else {
      announce(formMessage, errorMessage(err), 'error');
    }
  }
}

function showSent(result: TrayResults['createTicket']): void {
  const online = result.connected && connection?.state !== 'no-agent';
  byId('sent-title').textContent = online ? 'Ticket sent' : 'Ticket saved';
  byId('sent-text').textContent = online
    ? 'IT has your ticket with this computer’s details. You can follow it in My tickets.'
    : 'This computer is offline. Outpost keeps your ticket and sends it once, as soon as it is back online.';
  form.hidden = true;
  byId('sent').hidden = false;
  const panel = byId('sent').querySelector<HTMLElement>('.done')!;
  panel.dataset.state = online ? 'sent' : 'queued';
  panel.focus();
}

function reset(): void {
  form.reset();
  templates.reset();
  files = [];
  screenshotId = undefined;
  renderFiles();
  preview.hidden = true;
  announce(filesMessage, '');
  announce(formMessage, '');
  byId('sent').hidden = true;
  form.hidden = false;
  /** The templates IT offers; the form works without them (an agent that has none, or none yet). */
  void call(api().listTemplates())
    .then((list) => templates.offer(list.items))
    .catch(() => templates.offer([]));
  subject.focus();
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void send();
});
for (const field of [subject, description]) field.addEventListener('input', () => setFieldError(field, undefined));
byId<HTMLButtonElement>('attach').addEventListener('click', (e) => void attachFiles(e.currentTarget as HTMLButtonElement));
byId<HTMLButtonElement>('screenshot').addEventListener('click', (e) => void takeScreenshot(e.currentTarget as HTMLButtonElement));
byId('screenshot-remove').addEventListener('click', () => void removeScreenshot());
byId('cancel').addEventListener('click', () => window.close());
byId('another').addEventListener('click', reset);
byId('open-tickets').addEventListener('click', () => {
  void api().openView({ view: 'tickets' });
  reset();
  window.close();
});
/** The templates IT offers; the form works without them (an agent that has none, or none yet). */
void call(api().listTemplates())
  .then((list) => templates.offer(list.items))
  .catch(() => templates.offer([]));
subject.focus();
