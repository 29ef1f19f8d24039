// Deploys a package from the store to a selection of devices or to the devices a search finds now,
// at once or in a window; optionally for a ticket, whose notes then follow the deployment.
import { useState } from 'preact/hooks';
import type { DeploymentJson, PackageJson } from '../../../../shared/deploy-api.js';
import { api } from '../../api/client.js';
import { announce } from '../../app/announce.js';
import { navigate } from '../../app/nav.js';
import { useAction } from '../../app/use-action.js';
import { FormError } from '../../components/common.js';
import { localToIso, presetFromSearch, targetsOf, type DeployPreset } from '../../lib/deploy.js';
import { href } from '../../lib/routes.js';

export function DeployForm({ packages, search }: { packages: PackageJson[]; search: string }) {
  const [form, setForm] = useState<DeployPreset>(() => presetFromSearch(search));
  const [packageId, setPackageId] = useState('');
  const [notBefore, setNotBefore] = useState('');
  const [notAfter, setNotAfter] = useState('');
  const [ticket, setTicket] = useState(new URLSearchParams(search).get('ticket') ?? '');
  const { busy, error, run } = useAction();
  const set = (patch: Partial<DeployPreset>) => setForm((f) => ({ ...f, ...patch }));
  const chosen = packageId || packages[0]?.id || '';

  async function submit(event: Event) {
    event.preventDefault();
    await run(async () => {
      const picked = targetsOf(form);
      if ('error' in picked) throw new Error(picked.error);
      const start = localToIso(notBefore);
      const end = localToIso(notAfter);
      const deployment: DeploymentJson = await api('POST /api/deployments', {
        body: {
          packageId: chosen,
          targets: picked.targets,
          ...(start ? { notBefore: start } : {}),
          ...(end ? { notAfter: end } : {}),
          ...(ticket.trim() ? { ticketId: Number(ticket.trim()) } : {}),
        },
      });
      const n = deployment.targets?.length ?? 0;
      announce(`Deploying ${deployment.package.name} to ${n} ${n === 1 ? 'device' : 'devices'}.`);
      navigate(href.deployment(deployment.id));
    });
  }

  return (
    <form class="card" onSubmit={(e) => void submit(e)} aria-labelledby="deploy-title">
      <h2 id="deploy-title">Deploy</h2>
      <div class="field">
        <label for="deploy-package">Package</label>
        <select id="deploy-package" value={chosen} onChange={(e) => setPackageId(e.currentTarget.value)} disabled={packages.length === 0}>
          {packages.map((p) => (
            <option key={p.id} value={p.id}>
              {p.version ? `${p.name} ${p.version}` : p.name} ({p.installer})
            </option>
          ))}
        </select>
      </div>
      <fieldset class="field">
        <legend>To</legend>
        <label>
          <input type="radio" name="deploy-mode" checked={form.mode === 'devices'} onChange={() => set({ mode: 'devices' })} /> These
          devices
        </label>{' '}
        <label>
          <input type="radio" name="deploy-mode" checked={form.mode === 'search'} onChange={() => set({ mode: 'search' })} /> The devices a
          search finds
        </label>
      </fieldset>
      {form.mode === 'devices' ? (
        <div class="field">
          <label for="deploy-devices">Device ids</label>
          <textarea id="deploy-devices" rows={3} value={form.devices} onInput={(e) => set({ devices: e.currentTarget.value })} />
          <p class="help">One per line; a device page's “Deploy software” fills it in.</p>
        </div>
      ) : (
        <div class="form-row">
          <div class="field">
            <label for="deploy-q">Search</label>
            <input
              id="deploy-q"
              maxLength={200}
              placeholder="Host name, serial, user, IP"
              value={form.q}
              onInput={(e) => set({ q: e.currentTarget.value })}
            />
          </div>
          <div class="field">
            <label for="deploy-os">OS</label>
            <select id="deploy-os" value={form.os} onChange={(e) => set({ os: e.currentTarget.value as DeployPreset['os'] })}>
              <option value="">Any</option>
              <option value="linux">Linux</option>
              <option value="windows">Windows</option>
              <option value="darwin">macOS</option>
            </select>
          </div>
          <div class="field">
            <label for="deploy-online">Connection</label>
            <select
              id="deploy-online"
              value={form.online}
              onChange={(e) => set({ online: e.currentTarget.value as DeployPreset['online'] })}
            >
              <option value="">Any</option>
              <option value="true">Online now</option>
              <option value="false">Offline now</option>
            </select>
          </div>
        </div>
      )}
      <div class="form-row">
        <div class="field">
          <label for="deploy-start">Not before</label>
          <input id="deploy-start" type="datetime-local" value={notBefore} onInput={(e) => setNotBefore(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="deploy-end">Not after</label>
          <input id="deploy-end" type="datetime-local" value={notAfter} onInput={(e) => setNotAfter(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="deploy-ticket">For ticket (Outpost number)</label>
          <input id="deploy-ticket" inputMode="numeric" value={ticket} onInput={(e) => setTicket(e.currentTarget.value)} />
        </div>
      </div>
      <p class="help">Empty times: now, with no end. Devices that are offline get it when they connect.</p>
      <FormError message={error} />
      <button type="submit" class="button button-primary" disabled={busy || packages.length === 0}>
        {busy ? 'Deploying…' : 'Deploy'}
      </button>
    </form>
  );
}
