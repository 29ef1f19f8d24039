// The device's installed software, searchable on the server.
import { useState } from 'preact/hooks';
import { itemKey } from '../../../../shared/inventory-keys.js';
import { apiWith } from '../../api/client.js';
import { useDebounced } from '../../app/use-debounced.js';
import { useLoad } from '../../app/use-load.js';
import { Link } from '../../app/nav.js';
import { ErrorNotice } from '../../components/common.js';
import { EmptyRow } from '../../components/table.js';
import { formatCount, plural } from '../../lib/format.js';
import { href } from '../../lib/routes.js';
import { Section } from './DeviceSections.js';

/** Rendering thousands of rows helps nobody: search narrows it. */
const SHOWN = 300;

export function SoftwareSection({ deviceId, count, version }: { deviceId: string; count: number; version: number }) {
  const [text, setText] = useState('');
  const q = useDebounced(text.trim(), 250);
  const list = useLoad(
    (signal) => apiWith('GET /api/devices/:id/software', { path: { id: deviceId }, query: { q: q || undefined } }, signal),
    [deviceId, q, version],
  );
  const items = list.data?.items ?? [];

  return (
    <Section id="software" title={`Software (${formatCount(count)})`}>
      <div class="field inline-search" role="search">
        <label for="device-software-search">Search software</label>
        <input
          id="device-software-search"
          type="search"
          placeholder="Name or publisher"
          value={text}
          maxLength={200}
          onInput={(e) => setText(e.currentTarget.value)}
        />
      </div>
      {list.error ? <ErrorNotice error={list.error} /> : null}
      <div class="table-scroll" aria-busy={list.loading}>
        <table class="data compact">
          <caption class="visually-hidden">Installed software{q ? ` matching "${q}"` : ''}</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Version</th>
              <th scope="col">Source</th>
              <th scope="col">Scope</th>
              <th scope="col">Publisher</th>
            </tr>
          </thead>
          <tbody>
            {items.slice(0, SHOWN).map((s) => (
              <tr key={itemKey.software(s)}>
                <th scope="row">
                  <Link href={href.package(s.name)}>{s.name}</Link>
                </th>
                <td class="mono">{s.version ?? '—'}</td>
                <td>{s.source}</td>
                <td>{s.scope === 'user' ? `user ${s.user ?? ''}` : 'machine'}</td>
                <td>{s.publisher ?? '—'}</td>
              </tr>
            ))}
            {list.data && items.length === 0 ? (
              <EmptyRow colSpan={5}>{q ? `No software matches "${q}".` : 'No software reported.'}</EmptyRow>
            ) : null}
          </tbody>
        </table>
      </div>
      {items.length > SHOWN ? (
        <p class="muted small">
          Showing {formatCount(SHOWN)} of {formatCount(items.length)}. Search to narrow the list.
        </p>
      ) : list.data ? (
        <p class="muted small" aria-live="polite">
          {plural(items.length, 'package')}
          {q ? ` matching "${q}"` : ''}
        </p>
      ) : null}
    </Section>
  );
}
