// The form that creates an enrolment token: label, expiry and how many devices may use it.
import { useState } from 'preact/hooks';
import type { CreatedTokenJson, CreateTokenBody } from '../../../../shared/http-api.js';
import { api } from '../../api/client.js';
import { announce } from '../../app/announce.js';
import { useAction } from '../../app/use-action.js';
import { FormError } from '../../components/common.js';

const EXPIRY_CHOICES: [number, string][] = [
  [1, '1 hour'],
  [24, '1 day'],
  [168, '7 days'],
  [720, '30 days'],
  [2160, '90 days'],
  [8760, '1 year'],
];

export function CreateTokenForm({ onCreated }: { onCreated: (token: CreatedTokenJson) => void }) {
  const [label, setLabel] = useState('');
  const [hours, setHours] = useState(168);
  const [uses, setUses] = useState('');
  const [caPem, setCaPem] = useState('');
  const { busy, error, run } = useAction();

  async function submit(event: Event) {
    event.preventDefault();
    const body: CreateTokenBody = { expiresInHours: hours };
    if (label.trim()) body.label = label.trim();
    if (uses.trim()) body.uses = Number(uses);
    if (caPem.trim()) body.caPem = caPem.trim();
    await run(async () => {
      const token = await api('POST /api/tokens', { body });
      setLabel('');
      setUses('');
      setCaPem('');
      onCreated(token);
      announce('Token created. Copy it now: it is shown only once.');
    });
  }

  return (
    <form class="card" onSubmit={(e) => void submit(e)} aria-labelledby="create-token-title">
      <h2 id="create-token-title">Create a token</h2>
      <div class="field">
        <label for="token-label">Label</label>
        <input
          id="token-label"
          maxLength={100}
          placeholder="e.g. Accounting laptops"
          value={label}
          onInput={(e) => setLabel(e.currentTarget.value)}
        />
      </div>
      <div class="form-row">
        <div class="field">
          <label for="token-expiry">Expires in</label>
          <select id="token-expiry" value={String(hours)} onChange={(e) => setHours(Number(e.currentTarget.value))}>
            {EXPIRY_CHOICES.map(([h, text]) => (
              <option key={h} value={String(h)}>
                {text}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="token-uses">Uses</label>
          <input
            id="token-uses"
            type="number"
            min={1}
            max={100000}
            step={1}
            inputMode="numeric"
            placeholder="Unlimited"
            value={uses}
            onInput={(e) => setUses(e.currentTarget.value)}
            aria-describedby="token-uses-help"
          />
          <p id="token-uses-help" class="help">
            How many devices may enrol with it. Empty for unlimited.
          </p>
        </div>
      </div>
      <div class="field">
        <label for="token-ca">CA certificate (optional)</label>
        <textarea
          id="token-ca"
          class="mono"
          rows={3}
          maxLength={16384}
          placeholder="-----BEGIN CERTIFICATE-----"
          value={caPem}
          onInput={(e) => setCaPem(e.currentTarget.value)}
          aria-describedby="token-ca-help"
        />
        <p id="token-ca-help" class="help">
          For a server whose certificate comes from a private CA: the agents trust this CA only, instead of their system's store. It goes
          into the installer settings.
        </p>
      </div>
      <FormError message={error} />
      <button type="submit" class="button button-primary" disabled={busy}>
        {busy ? 'Creating…' : 'Create token'}
      </button>
    </form>
  );
}
