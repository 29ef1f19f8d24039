// Who may use the console (admins only): desk technicians' sign-in and seats, the users and their
// roles, and importing a technician the desk knows.
import { useEffect, useState } from 'preact/hooks';
import type { UserJson, UsersJson } from '../../../shared/console-api.js';
import { ROLES, type ConsoleSettings, type Role } from '../../../shared/roles.js';
import { api, apiWith } from '../api/client.js';
import { errorMessage } from '../api/errors.js';
import { announce } from '../app/announce.js';
import { useAction } from '../app/use-action.js';
import { useLoad } from '../app/use-load.js';
import { Badge, ErrorNotice, FormError, PageHeader } from '../components/common.js';
import { formatDateTime } from '../lib/format.js';

const ROLE_HELP = 'Read-only sees everything; operator also works tickets and devices; admin also manages enrolment, rules and users.';

export function UsersPage() {
  const users = useLoad((signal) => apiWith('GET /api/users', undefined, signal), []);
  const data = users.data;
  return (
    <>
      <PageHeader title="Users" />
      {users.error ? <ErrorNotice error={users.error} /> : null}
      {data ? (
        <>
          <div class="grid-2">
            <SettingsForm
              users={data}
              onSaved={(settings) => users.setData((d) => ({ ...d, settings, seats: { ...d.seats, limit: settings.seats } }))}
            />
            <ImportForm enabled={data.desk.import} onImported={() => users.reload(true)} />
          </div>
          <UserTable users={data} onChanged={() => users.reload(true)} />
        </>
      ) : null}
    </>
  );
}

function SettingsForm({ users, onSaved }: { users: UsersJson; onSaved: (s: ConsoleSettings) => void }) {
  const [deskSignIn, setDeskSignIn] = useState(users.settings.deskSignIn);
  const [seats, setSeats] = useState(String(users.settings.seats));
  const [role, setRole] = useState<Role>(users.settings.technicianRole);
  const { busy, error, run } = useAction();
  useEffect(() => setSeats(String(users.settings.seats)), [users.settings.seats]);

  async function save(event: Event) {
    event.preventDefault();
    await run(async () => {
      const saved = await api('PUT /api/users/settings', { body: { deskSignIn, seats: Number(seats), technicianRole: role } });
      onSaved(saved);
      announce('Console settings saved.');
    });
  }

  return (
    <form class="card" onSubmit={(e) => void save(e)} aria-labelledby="technicians-title">
      <h2 id="technicians-title">Desk technicians</h2>
      <p data-testid="seats">
        {users.seats.used} of {users.seats.limit} technician seats used.
      </p>
      <div class="field">
        <label>
          <input
            type="checkbox"
            checked={deskSignIn}
            disabled={!users.desk.signIn}
            onChange={(e) => setDeskSignIn(e.currentTarget.checked)}
          />{' '}
          Let desk technicians sign in with their desk password
        </label>
        <p class="help">
          {users.desk.signIn
            ? 'RT privileged users / SDP technicians get a console account at their first sign-in, while seats last.'
            : 'The configured desk (or none) cannot check desk passwords.'}
        </p>
      </div>
      <div class="form-row">
        <div class="field">
          <label for="seat-limit">Seat limit</label>
          <input
            id="seat-limit"
            type="number"
            min={0}
            max={100000}
            step={1}
            required
            value={seats}
            onInput={(e) => setSeats(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="technician-role">Role of new technicians</label>
          <select id="technician-role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)} aria-describedby="role-help">
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p id="role-help" class="help">
        {ROLE_HELP}
      </p>
      <button type="submit" class="button button-primary" disabled={busy}>
        Save settings
      </button>
      <FormError message={error} />
    </form>
  );
}

function ImportForm({ enabled, onImported }: { enabled: boolean; onImported: () => void }) {
  const [username, setUsername] = useState('');
  const { busy, error, run } = useAction();

  async function submit(event: Event) {
    event.preventDefault();
    await run(async () => {
      const user = await api('POST /api/users', { body: { username: username.trim() } });
      setUsername('');
      onImported();
      announce(`${user.username} imported as ${user.role}.`);
    });
  }

  return (
    <form class="card" onSubmit={(e) => void submit(e)} aria-labelledby="import-title">
      <h2 id="import-title">Import a technician</h2>
      <p class="help">Adds a technician the desk knows, before their first sign-in. They take a seat.</p>
      <div class="field">
        <label for="import-username">Desk username</label>
        <input
          id="import-username"
          required
          maxLength={64}
          disabled={!enabled}
          value={username}
          onInput={(e) => setUsername(e.currentTarget.value)}
        />
      </div>
      <button type="submit" class="button" disabled={busy || !enabled}>
        Import
      </button>
      <FormError message={error} />
    </form>
  );
}

function UserTable({ users, onChanged }: { users: UsersJson; onChanged: () => void }) {
  return (
    <section class="card" aria-labelledby="users-title">
      <h2 id="users-title">Console users</h2>
      <table class="data">
        <caption class="visually-hidden">Console users and their roles</caption>
        <thead>
          <tr>
            <th scope="col">Username</th>
            <th scope="col">Account</th>
            <th scope="col">Role</th>
            <th scope="col">Since</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {users.items.map((u) => (
            <UserRow key={u.username} user={u} onChanged={onChanged} />
          ))}
        </tbody>
      </table>
    </section>
  );
}

function UserRow({ user: u, onChanged }: { user: UserJson; onChanged: () => void }) {
  const [problem, setProblem] = useState<string | null>(null);

  async function change(fn: () => Promise<unknown>, done: string) {
    setProblem(null);
    try {
      await fn();
      announce(done);
      onChanged();
    } catch (err) {
      setProblem(errorMessage(err));
    }
  }

  return (
    <tr>
      <th scope="row">{u.username}</th>
      <td>{u.source === 'desk' ? <Badge kind="info">Desk technician</Badge> : <Badge>Local</Badge>}</td>
      <td>
        <label class="visually-hidden" for={`role-${u.username}`}>
          Role of {u.username}
        </label>
        <select
          id={`role-${u.username}`}
          value={u.role}
          onChange={(e) => {
            const role = e.currentTarget.value as Role;
            void change(
              () => api('PATCH /api/users/:username', { path: { username: u.username }, body: { role } }),
              `${u.username} is now ${role}.`,
            );
          }}
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        {problem ? (
          <p class="notice notice-error" role="alert">
            {problem}
          </p>
        ) : null}
      </td>
      <td>{formatDateTime(u.createdAt)}</td>
      <td class="actions">
        <button
          type="button"
          class="button button-small"
          aria-label={`Remove ${u.username}`}
          onClick={() =>
            void change(() => api('DELETE /api/users/:username', { path: { username: u.username } }), `${u.username} removed.`)
          }
        >
          Remove
        </button>
      </td>
    </tr>
  );
}
