// The prohibited list: patterns from the console (removable) and from the server's config, and the
// devices exempt from it (./ExemptionsTable.tsx).
import { useState } from 'preact/hooks';
import { api, apiWith } from '../../api/client.js';
import { errorMessage } from '../../api/errors.js';
import { announce } from '../../app/announce.js';
import { useAction } from '../../app/use-action.js';
import { useLoad } from '../../app/use-load.js';
import { Badge, ErrorNotice, FormError, PageHeader } from '../../components/common.js';
import { EmptyRow } from '../../components/table.js';
import { formatCount } from '../../lib/format.js';
import { href } from '../../lib/routes.js';
import { ExemptionsTable } from './ExemptionsTable.js';

export function ProhibitedPage() {
  const list = useLoad((signal) => apiWith('GET /api/prohibited', undefined, signal), []);
  const [pattern, setPattern] = useState('');
  const { busy, error, run } = useAction();

  async function add(event: Event) {
    event.preventDefault();
    const value = pattern.trim();
    if (!value) return;
    await run(async () => {
      await api('POST /api/prohibited', { body: { pattern: value } });
      setPattern('');
      announce(`Added "${value}" to the prohibited list.`);
      list.reload(true);
    });
  }

  async function remove(value: string) {
    try {
      await api('DELETE /api/prohibited', { query: { pattern: value } });
      announce(`Removed "${value}" from the prohibited list.`);
      list.reload(true);
    } catch (err) {
      announce(`Could not remove "${value}": ${errorMessage(err)}`);
    }
  }

  return (
    <>
      <PageHeader title="Prohibited software" parent={{ href: href.software(), label: 'Software' }} />
      <form class="card toolbar" onSubmit={(e) => void add(e)} aria-labelledby="add-pattern-title">
        <h2 id="add-pattern-title" class="visually-hidden">
          Add a pattern
        </h2>
        <div class="field field-grow">
          <label for="prohibited-pattern">Pattern</label>
          <input
            id="prohibited-pattern"
            required
            maxLength={200}
            placeholder="e.g. utorrent or *torrent*"
            value={pattern}
            onInput={(e) => setPattern(e.currentTarget.value)}
            aria-describedby="prohibited-pattern-help"
          />
          <p id="prohibited-pattern-help" class="help">
            Matches package names, case-insensitively; * stands for any text.
          </p>
        </div>
        <button type="submit" class="button button-primary" disabled={busy}>
          Add pattern
        </button>
        <FormError message={error} />
      </form>
      {list.error ? <ErrorNotice error={list.error} /> : null}
      <div class="table-wrap">
        <table class="data">
          <caption class="visually-hidden">Prohibited patterns</caption>
          <thead>
            <tr>
              <th scope="col">Pattern</th>
              <th scope="col">Source</th>
              <th scope="col" class="num">
                Matching devices
              </th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((p) => (
              <tr key={`${p.source}\t${p.pattern}`}>
                <th scope="row" class="mono">
                  {p.pattern}
                </th>
                <td>{p.source === 'console' ? <Badge>Console</Badge> : <Badge kind="info">Server config</Badge>}</td>
                <td class="num">{formatCount(p.devices)}</td>
                <td class="actions">
                  {p.source === 'console' ? (
                    <button
                      type="button"
                      class="button button-small button-danger"
                      onClick={() => void remove(p.pattern)}
                      aria-label={`Remove ${p.pattern}`}
                    >
                      Remove
                    </button>
                  ) : (
                    <span class="muted small">Set in the server's configuration</span>
                  )}
                </td>
              </tr>
            ))}
            {list.data && list.data.items.length === 0 ? <EmptyRow colSpan={4}>Nothing is prohibited.</EmptyRow> : null}
          </tbody>
        </table>
      </div>
      <ExemptionsTable onChange={() => list.reload(true)} />
    </>
  );
}
