// Sign-in for admins. Wrong credentials and too many attempts get their own plain messages.
import { useState } from 'preact/hooks';
import type { SessionInfo } from '../../../shared/http-api.js';
import { api } from '../api/client.js';
import { useAction } from '../app/use-action.js';
import { FormError } from '../components/common.js';

export function SignIn({ onSignedIn, reason }: { onSignedIn: (info: SessionInfo) => void; reason?: string | undefined }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();

  async function submit(event: Event) {
    event.preventDefault();
    const ok = await run(async () => {
      onSignedIn(await api('POST /api/session', { body: { username: username.trim(), password } }));
    });
    if (!ok) setPassword('');
  }

  document.title = 'Sign in · Outpost';
  return (
    <main id="main" class="center-page">
      <form class="card sign-in" onSubmit={(e) => void submit(e)} aria-labelledby="sign-in-title">
        <div class="sign-in-brand">
          <img src="/mark.svg" alt="" width={32} height={32} />
          <span>Outpost</span>
        </div>
        <h1 id="sign-in-title">Sign in</h1>
        {reason && !error ? <p class="notice notice-info">{reason}</p> : null}
        <FormError message={error} />
        <div class="field">
          <label for="sign-in-username">Username</label>
          <input
            id="sign-in-username"
            name="username"
            autoComplete="username"
            required
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="sign-in-password">Password</label>
          <input
            id="sign-in-password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </div>
        <button type="submit" class="button button-primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
