// Status and settings: is the agent connected, when did it last send the inventory, what is still
// waiting to go; scan now; start at login; notifications and quiet hours.
import type { TraySettings } from '../../shared/tray-api.js';
import { api, call, errorMessage } from './lib/api.js';
import { readConnection, watchConnection, type Connection } from './lib/connection.js';
import { announce, byId, whileBusy } from './lib/dom.js';
import { dateTime } from './lib/format.js';

const TRIGGERS: Record<string, string> = {
  startup: 'at start-up',
  logon: 'at log-on',
  'users-refresh': 'when users changed',
  manual: 'on request',
  server: 'at the server’s request',
  schedule: 'on schedule',
  'software-change': 'after a software change',
  refresh: 'on the periodic refresh',
  rename: 'after a rename',
  resync: 'to resynchronise',
};

const message = byId('status-message');
const openAtLogin = byId<HTMLInputElement>('open-at-login');
const notifications = byId<HTMLInputElement>('notifications');
const quiet = byId<HTMLInputElement>('quiet');
const quietFrom = byId<HTMLInputElement>('quiet-from');
const quietTo = byId<HTMLInputElement>('quiet-to');

watchConnection(render);

function render(c: Connection): void {
  byId('summary').dataset.state = c.state;
  if (c.state === 'no-agent') {
    byId('summary-title').textContent = 'The Outpost agent is not running';
    byId('summary-text').textContent = `${c.message} Tickets cannot be raised until it runs; please tell IT.`;
    for (const id of ['hostname', 'server', 'last-inventory', 'pending', 'device-id', 'agent-version']) byId(id).textContent = '—';
    return;
  }
  const s = c.status;
  byId('summary-title').textContent = c.state === 'connected' ? 'Connected' : 'Offline';
  byId('summary-text').textContent =
    c.state === 'connected'
      ? 'Tickets and inventory reach IT straight away.'
      : 'Tickets you raise are kept on this computer and sent when it is back online.';
  byId('hostname').textContent = s.hostname;
  byId('server').textContent = s.server;
  byId('last-inventory').textContent = s.lastInventoryAt
    ? `${dateTime(s.lastInventoryAt)}${s.lastTrigger ? `, ${TRIGGERS[s.lastTrigger] ?? s.lastTrigger}` : ''}`
    : 'Not yet';
  byId('pending').textContent = s.pendingItems === 0 ? 'Nothing' : `${s.pendingItems} item${s.pendingItems === 1 ? '' : 's'}`;
  byId('device-id').textContent = s.deviceId ?? 'Not enrolled yet';
  byId('agent-version').textContent = s.agentVersion;
}

async function scan(button: HTMLButtonElement): Promise<void> {
  try {
    const result = await whileBusy(button, 'Scanning…', () => call(api().scanNow()));
    announce(
      message,
      result.changed ? 'Scan finished: the changes are on their way to IT.' : 'Scan finished: nothing has changed.',
      'success',
    );
    render(await readConnection());
  } catch (err) {
    announce(message, errorMessage(err), 'error');
  }
}

function showSettings(s: TraySettings): void {
  openAtLogin.checked = s.openAtLogin;
  notifications.checked = s.notifications;
  quiet.checked = s.quietHours !== null;
  if (s.quietHours) {
    quietFrom.value = s.quietHours.from;
    quietTo.value = s.quietHours.to;
  }
  quiet.disabled = !s.notifications;
}

async function loadSettings(): Promise<void> {
  const settings = await call(api().getSettings()).catch(() => undefined);
  if (settings) showSettings(settings);
}

async function saveNotifications(): Promise<void> {
  try {
    const s = await call(
      api().setNotifications({
        enabled: notifications.checked,
        quietHours: quiet.checked ? { from: quietFrom.value, to: quietTo.value } : null,
      }),
    );
    showSettings(s);
    const said = !s.notifications
      ? 'You will not get notifications; My tickets still marks what is new.'
      : s.quietHours
        ? `Notifications are held from ${s.quietHours.from} to ${s.quietHours.to}.`
        : 'You will get a notification when IT answers.';
    announce(message, said, 'success');
  } catch (err) {
    announce(message, errorMessage(err), 'error');
    await loadSettings();
  }
}

openAtLogin.addEventListener('change', () => {
  const enabled = openAtLogin.checked;
  void call(api().setOpenAtLogin({ enabled }))
    .then((s) => {
      openAtLogin.checked = s.openAtLogin;
      announce(message, s.openAtLogin ? 'Outpost will start when you log in.' : 'Outpost will not start when you log in.', 'success');
    })
    .catch((err: unknown) => {
      openAtLogin.checked = !enabled;
      announce(message, errorMessage(err), 'error');
    });
});
notifications.addEventListener('change', () => void saveNotifications());
quiet.addEventListener('change', () => void saveNotifications());
byId('quiet-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void saveNotifications();
});
byId<HTMLButtonElement>('scan').addEventListener('click', (e) => void scan(e.currentTarget as HTMLButtonElement));
byId('open-ticket').addEventListener('click', () => void api().openView({ view: 'ticket' }));
byId('open-tickets').addEventListener('click', () => void api().openView({ view: 'tickets' }));
void loadSettings();
