// Enrolment tokens: create one (shown once, with the install command), list them, revoke.
import { useState } from 'preact/hooks';
import type { CreatedTokenJson, EnrolmentTokenJson } from '../../../shared/http-api.js';
import { api, apiWith } from '../api/client.js';
import { errorMessage } from '../api/errors.js';
import { announce } from '../app/announce.js';
import { useLoad } from '../app/use-load.js';
import { Badge, ErrorNotice, PageHeader } from '../components/common.js';
import { EmptyRow } from '../components/table.js';
import { formatCount, formatDateTime } from '../lib/format.js';
import { CreateTokenForm } from './tokens/CreateTokenForm.js';
import { EnrolmentDownloads } from './tokens/EnrolmentDownloads.js';

const STATE_KIND = { active: 'success', expired: 'neutral', 'used-up': 'neutral', revoked: 'danger' } as const;
const STATE_LABEL = { active: 'Active', expired: 'Expired', 'used-up': 'Used up', revoked: 'Revoked' } as const;

export function TokensPage() {
  const list = useLoad((signal) => apiWith('GET /api/tokens', undefined, signal), []);
  const [created, setCreated] = useState<CreatedTokenJson | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);

  async function revoke(token: EnrolmentTokenJson) {
    try {
      const updated = await api('DELETE /api/tokens/:id', { path: { id: token.id } });
      list.setData((d) => ({ items: d.items.map((t) => (t.id === updated.id ? updated : t)) }));
      announce(`Token ${token.label ?? token.id} revoked.`);
    } catch (err) {
      announce(`Could not revoke the token: ${errorMessage(err)}`);
    } finally {
      setConfirming(null);
    }
  }

  return (
    <>
      <PageHeader title="Enrolment tokens" />
      <div class="grid-2 grid-wide-right">
        <CreateTokenForm
          onCreated={(token) => {
            setCreated(token);
            list.reload(true);
          }}
        />
        {created ? <NewToken token={created} onDone={() => setCreated(null)} /> : <HowItWorks />}
      </div>
      {list.error ? <ErrorNotice error={list.error} /> : null}
      <section class="card" aria-labelledby="tokens-title">
        <h2 id="tokens-title">Tokens</h2>
        <table class="data">
          <caption class="visually-hidden">Enrolment tokens</caption>
          <thead>
            <tr>
              <th scope="col">Label</th>
              <th scope="col">State</th>
              <th scope="col">Created</th>
              <th scope="col">Expires</th>
              <th scope="col" class="num">
                Uses left
              </th>
              <th scope="col" class="num">
                Devices enrolled
              </th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((t) => (
              <tr key={t.id}>
                <th scope="row">{t.label ?? <span class="muted">(no label)</span>}</th>
                <td>
                  <Badge kind={STATE_KIND[t.state]}>{STATE_LABEL[t.state]}</Badge>
                </td>
                <td>{formatDateTime(t.createdAt)}</td>
                <td>{t.expiresAt ? formatDateTime(t.expiresAt) : 'Never'}</td>
                <td class="num">{t.usesLeft === null ? 'Unlimited' : formatCount(t.usesLeft)}</td>
                <td class="num">{formatCount(t.used)}</td>
                <td class="actions">
                  {t.state !== 'active' ? null : confirming === t.id ? (
                    <span class="confirm" role="group" aria-label={`Confirm revoking ${t.label ?? 'this token'}`}>
                      <span>Revoke? Devices can no longer enrol with it.</span>
                      <button type="button" class="button button-small button-danger" onClick={() => void revoke(t)}>
                        Yes, revoke
                      </button>
                      <button type="button" class="button button-small" onClick={() => setConfirming(null)}>
                        Cancel
                      </button>
                    </span>
                  ) : (
                    <button
                      type="button"
                      class="button button-small"
                      onClick={() => setConfirming(t.id)}
                      aria-label={`Revoke ${t.label ?? 'token created ' + formatDateTime(t.createdAt)}`}
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
            {list.data && list.data.items.length === 0 ? (
              <EmptyRow colSpan={7}>No tokens yet. Create one to enrol devices.</EmptyRow>
            ) : null}
          </tbody>
        </table>
      </section>
    </>
  );
}

function HowItWorks() {
  return (
    <section class="card" aria-labelledby="how-title">
      <h2 id="how-title">How enrolment works</h2>
      <p>
        A token lets agents join this server. Create one, run the install command it shows on each endpoint, and the device appears on the
        Devices page. The token is shown only once: the server keeps only its hash.
      </p>
    </section>
  );
}

function NewToken({ token, onDone }: { token: CreatedTokenJson; onDone: () => void }) {
  const [copied, setCopied] = useState<string | null>(null);

  async function copy(what: 'token' | 'command', text: string) {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(what);
      announce(what === 'token' ? 'Token copied.' : 'Install command copied.');
    } catch {
      announce('Copying is not allowed here: select the text and copy it by hand.');
    }
  }

  return (
    <section class="card card-highlight" aria-labelledby="new-token-title" data-testid="new-token">
      <h2 id="new-token-title">New token{token.label ? `: ${token.label}` : ''}</h2>
      <p class="notice notice-warning">Copy it now. It will not be shown again.</p>
      <div class="field">
        <label for="new-token-value">Token</label>
        <div class="copy-row">
          <input id="new-token-value" class="mono" readOnly value={token.token} onFocus={(e) => e.currentTarget.select()} />
          <button type="button" class="button" onClick={() => void copy('token', token.token)}>
            {copied === 'token' ? 'Copied' : 'Copy token'}
          </button>
        </div>
      </div>
      <div class="field">
        <label for="new-token-command">Install command</label>
        <div class="copy-row">
          <textarea
            id="new-token-command"
            class="mono"
            readOnly
            rows={3}
            value={token.installCommand}
            onFocus={(e) => e.currentTarget.select()}
          />
          <button type="button" class="button button-primary" onClick={() => void copy('command', token.installCommand)}>
            {copied === 'command' ? 'Copied' : 'Copy command'}
          </button>
        </div>
      </div>
      <EnrolmentDownloads files={token.enrolmentFiles} />
      <button type="button" class="button button-quiet" onClick={onDone}>
        Done, hide it
      </button>
    </section>
  );
}
