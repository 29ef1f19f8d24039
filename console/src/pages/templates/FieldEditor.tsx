// One field of a ticket template in the editor: its type, label, whether it is required, and its
// type's own settings (a text's length, a choice's options).
import type { TemplateFieldType } from '../../../../shared/templates.js';
import type { FieldDraft } from '../../lib/template-form.js';

const TYPE_LABELS: Record<TemplateFieldType, string> = { text: 'Text', choice: 'Choice', yesno: 'Yes / no' };

export function FieldEditor(props: { field: FieldDraft; index: number; onChange: (f: FieldDraft) => void; onRemove: () => void }) {
  const { field: f, index: i } = props;
  const set = (patch: Partial<FieldDraft>) => props.onChange({ ...f, ...patch });
  const id = (part: string) => `template-field-${i}-${part}`;
  const name = f.label.trim() || `field ${i + 1}`;
  return (
    <fieldset class="card template-field">
      <legend>Field {i + 1}</legend>
      <div class="form-row">
        <div class="field">
          <label for={id('label')}>Label</label>
          <input id={id('label')} required maxLength={100} value={f.label} onInput={(e) => set({ label: e.currentTarget.value })} />
        </div>
        <div class="field">
          <label for={id('type')}>Type</label>
          <select id={id('type')} value={f.type} onChange={(e) => set({ type: e.currentTarget.value as TemplateFieldType })}>
            {(Object.keys(TYPE_LABELS) as TemplateFieldType[]).map((t) => (
              <option key={t} value={t}>
                {TYPE_LABELS[t]}
              </option>
            ))}
          </select>
        </div>
        {f.type === 'text' ? (
          <div class="field">
            <label for={id('max')}>Longest answer (characters)</label>
            <input
              id={id('max')}
              type="number"
              min={1}
              max={2000}
              value={f.maxChars}
              onInput={(e) => set({ maxChars: e.currentTarget.value })}
            />
          </div>
        ) : null}
      </div>
      {f.type === 'choice' ? (
        <div class="field">
          <label for={id('choices')}>Choices, one per line</label>
          <textarea id={id('choices')} rows={3} value={f.choices} onInput={(e) => set({ choices: e.currentTarget.value })} />
        </div>
      ) : null}
      <div class="toolbar">
        <label class="field field-check">
          <input type="checkbox" checked={f.required} onChange={(e) => set({ required: e.currentTarget.checked })} /> Required
        </label>
        {f.type === 'text' ? (
          <label class="field field-check">
            <input type="checkbox" checked={f.multiline} onChange={(e) => set({ multiline: e.currentTarget.checked })} /> Several lines
          </label>
        ) : null}
        <button type="button" class="button button-small button-danger" onClick={props.onRemove} aria-label={`Remove ${name}`}>
          Remove field
        </button>
      </div>
    </fieldset>
  );
}
