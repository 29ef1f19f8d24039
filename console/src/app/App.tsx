// The console's shell: resumes or asks for a session, then shows the page the address names.
import { useEffect, useState } from 'preact/hooks';
import type { SessionInfo } from '../../../shared/http-api.js';
import { api, setCsrfToken, setUnauthorizedHandler } from '../api/client.js';
import { errorCode } from '../api/errors.js';
import { Layout } from '../components/Layout.js';
import { parseRoute } from '../lib/routes.js';
import { SignIn } from '../pages/SignIn.js';
import { announce, LiveRegion } from './announce.js';
import { startLive, stopLive } from './live.js';
import { useLocation } from './nav.js';
import { Page } from './Page.js';

type SessionState = { state: 'checking' } | { state: 'signed-out'; reason?: string } | { state: 'signed-in'; session: SessionInfo };

export function App() {
  const [session, setSession] = useState<SessionState>({ state: 'checking' });
  const location = useLocation();

  useEffect(() => {
    setUnauthorizedHandler(() => signedOut('Your session has ended. Sign in again.'));
    api('GET /api/session').then(
      (info) => signedIn(info),
      (err: unknown) => signedOut(errorCode(err) === 'E_NETWORK' ? 'The server cannot be reached.' : undefined),
    );
  }, []);

  function signedIn(info: SessionInfo) {
    setCsrfToken(info.csrfToken);
    startLive();
    setSession({ state: 'signed-in', session: info });
  }

  function signedOut(reason?: string) {
    setCsrfToken(null);
    stopLive();
    setSession({ state: 'signed-out', reason });
  }

  async function signOut() {
    try {
      await api('DELETE /api/session');
    } catch {
      // Signed out locally either way; the cookie ends with the session on the server.
    }
    signedOut();
    announce('Signed out.');
  }

  if (session.state === 'checking') {
    return (
      <main id="main" class="center-page">
        <p class="muted">Loading Outpost…</p>
      </main>
    );
  }
  if (session.state === 'signed-out') {
    return (
      <>
        <SignIn onSignedIn={signedIn} reason={session.reason} />
        <LiveRegion />
      </>
    );
  }
  const route = parseRoute(location.pathname, location.search);
  return (
    <Layout route={route} username={session.session.username} role={session.session.role} onSignOut={() => void signOut()}>
      <Page route={route} search={location.search} />
    </Layout>
  );
}
