// Adds or changes a ticket template: its name and hint (what the tray shows), its fields, and where
// it puts a ticket in each desk. The server checks it again and names what is wrong.
import { useState } from 'preact/hooks';
import type { TicketTemplate } from '../../../../shared/templates.js';
import { api } from '../../api/client.js';
import { announce } from '../../app/announce.js';
import { useAction } from '../../app/use-action.js';
import { FormError } from '../../components/common.js';
import { draftOf, emptyDraft, emptyField, inputOf, type TemplateDraft } from '../../lib/template-form.js';
import { FieldEditor } from './FieldEditor.js';

type TextKey = Exclude<keyof TemplateDraft, 'fields'>;

export function TemplateForm(props: { editing: TicketTemplate | null; onDone: () => void }) {
  const [draft, setDraft] = useState<TemplateDraft>(() => (props.editing ? draftOf(props.editing) : emptyDraft()));
  const { busy, error, run } = useAction();
  const set = (patch: Partial<TemplateDraft>) => setDraft({ ...draft, ...patch });
  const text = (key: TextKey, label: string, opts: { help?: string; rows?: number } = {}) => (
    <div class="field">
      <label for={`template-${key}`}>{label}</label>
      {opts.rows ? (
        <textarea id={`template-${key}`} rows={opts.rows} value={draft[key]} onInput={(e) => set({ [key]: e.currentTarget.value })} />
      ) : (
        <input id={`template-${key}`} maxLength={200} value={draft[key]} onInput={(e) => set({ [key]: e.currentTarget.value })} />
      )}
      {opts.help ? <p class="help">{opts.help}</p> : null}
    </div>
  );

  async function save(event: Event) {
    event.preventDefault();
    await run(async () => {
      const body = inputOf(draft);
      if (props.editing) await api('PUT /api/templates/:id', { path: { id: props.editing.id }, body });
      else await api('POST /api/templates', { body });
      announce(`Template "${body.name}" saved; agents get it at once.`);
      props.onDone();
    });
  }

  return (
    <form class="card" onSubmit={(e) => void save(e)} aria-labelledby="template-form-title">
      <h2 id="template-form-title">{props.editing ? `Change "${props.editing.name}"` : 'New template'}</h2>
      <div class="form-row">
        <div class="field">
          <label for="template-name">Name</label>
          <input id="template-name" required maxLength={80} value={draft.name} onInput={(e) => set({ name: e.currentTarget.value })} />
        </div>
        {text('hint', 'Hint shown in the tray', { help: 'When to pick this template, e.g. "Paper jams, nothing prints".' })}
      </div>
      <h3>Fields</h3>
      {draft.fields.map((f, i) => (
        <FieldEditor
          key={i}
          field={f}
          index={i}
          onChange={(next) => set({ fields: draft.fields.map((old, j) => (j === i ? next : old)) })}
          onRemove={() => set({ fields: draft.fields.filter((_, j) => j !== i) })}
        />
      ))}
      <button type="button" class="button" onClick={() => set({ fields: [...draft.fields, emptyField()] })}>
        Add a field
      </button>
      <h3>In the service desk</h3>
      <p class="help">Where a ticket of this template goes; only the connected desk's part is used. Leave empty for the desk's default.</p>
      <div class="form-row">
        {text('rtQueue', 'RT queue')}
        {text('rtCustomFields', 'RT custom fields', { rows: 2, help: 'One "Name = value" per line.' })}
      </div>
      <div class="form-row">
        {text('sdpTemplate', 'ServiceDesk Plus request template')}
        {text('sdpCategory', 'SDP category')}
        {text('sdpSubcategory', 'SDP subcategory')}
      </div>
      <div class="form-row">
        {text('autotaskIssueType', 'Autotask issue type')}
        {text('autotaskSubIssueType', 'Autotask sub-issue type')}
      </div>
      <div class="toolbar">
        <button type="submit" class="button button-primary" disabled={busy}>
          Save template
        </button>
        <button type="button" class="button" onClick={props.onDone}>
          Cancel
        </button>
      </div>
      <FormError message={error} />
    </form>
  );
}
