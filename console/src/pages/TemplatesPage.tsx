// Ticket templates (admin): the kinds of ticket the tray offers, with their own fields and where
// each puts a ticket in the desk. A change reaches every connected agent at once.
import { useState } from 'preact/hooks';
import type { TicketTemplate } from '../../../shared/templates.js';
import { api, apiWith } from '../api/client.js';
import { errorMessage } from '../api/errors.js';
import { announce } from '../app/announce.js';
import { useLoad } from '../app/use-load.js';
import { ErrorNotice, PageHeader } from '../components/common.js';
import { EmptyRow } from '../components/table.js';
import { deskSummary } from '../lib/template-form.js';
import { TemplateForm } from './templates/TemplateForm.js';

export function TemplatesPage() {
  const list = useLoad((signal) => apiWith('GET /api/templates', undefined, signal), []);
  /** null: no form; 'new'; or the template being changed. */
  const [editing, setEditing] = useState<TicketTemplate | 'new' | null>(null);

  async function remove(t: TicketTemplate) {
    try {
      await api('DELETE /api/templates/:id', { path: { id: t.id } });
      announce(`Template "${t.name}" removed. Tickets raised with it keep their fields.`);
      list.reload(true);
    } catch (err) {
      announce(`Could not remove "${t.name}": ${errorMessage(err)}`);
    }
  }

  return (
    <>
      <PageHeader title="Ticket templates" />
      <p class="help">Offered in the tray when someone raises a ticket; the filled fields reach IT with the ticket.</p>
      {editing === null ? (
        <div class="toolbar">
          <button type="button" class="button button-primary" onClick={() => setEditing('new')}>
            New template
          </button>
        </div>
      ) : (
        <TemplateForm
          key={editing === 'new' ? 'new' : editing.id}
          editing={editing === 'new' ? null : editing}
          onDone={() => {
            setEditing(null);
            list.reload(true);
          }}
        />
      )}
      {list.error ? <ErrorNotice error={list.error} /> : null}
      <div class="table-wrap">
        <table class="data">
          <caption class="visually-hidden">Ticket templates</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Fields</th>
              <th scope="col">In the desk</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((t) => (
              <tr key={t.id}>
                <th scope="row">
                  {t.name}
                  {t.hint ? <div class="muted small">{t.hint}</div> : null}
                </th>
                <td>{t.fields.map((f) => `${f.label}${f.required ? ' *' : ''}`).join(', ') || '—'}</td>
                <td>{deskSummary(t)}</td>
                <td class="actions">
                  <button type="button" class="button button-small" onClick={() => setEditing(t)} aria-label={`Change ${t.name}`}>
                    Change
                  </button>{' '}
                  <button
                    type="button"
                    class="button button-small button-danger"
                    onClick={() => void remove(t)}
                    aria-label={`Remove ${t.name}`}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
            {list.data && list.data.items.length === 0 ? (
              <EmptyRow colSpan={4}>No templates yet: the tray offers a plain ticket.</EmptyRow>
            ) : null}
          </tbody>
        </table>
      </div>
    </>
  );
}
