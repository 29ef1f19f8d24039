// The ticket form's template part: the templates IT offers (from the agent, which keeps them for
// offline use), and the chosen template's own fields, each a labelled control a keyboard and a screen
// reader can use. Answers go to the agent, which checks them again against the same template.
import type { TemplateAnswers, TemplateField, TicketTemplate } from '../../shared/templates.js';
import { h, replaceChildren, setFieldError } from './lib/dom.js';

const controlId = (key: string) => `tf-${key}`;

export class TemplateFields {
  private templates: TicketTemplate[] = [];

  constructor(
    private readonly select: HTMLSelectElement,
    private readonly hint: HTMLElement,
    private readonly box: HTMLElement,
  ) {
    select.addEventListener('change', () => this.render());
  }

  /** Offers these templates; the picker stays hidden while there are none. */
  offer(templates: TicketTemplate[]): void {
    this.templates = templates;
    replaceChildren(
      this.select,
      h('option', { value: '' }, 'Something else'),
      ...templates.map((t) => h('option', { value: String(t.id) }, t.name)),
    );
    this.select.closest<HTMLElement>('.field')!.hidden = templates.length === 0;
    this.render();
  }

  chosen(): TicketTemplate | undefined {
    return this.templates.find((t) => String(t.id) === this.select.value);
  }

  reset(): void {
    this.select.value = '';
    this.render();
  }

  /** The person's answers; empty controls are left out. */
  answers(): TemplateAnswers {
    const out: TemplateAnswers = {};
    for (const field of this.chosen()?.fields ?? []) {
      const value = (document.getElementById(controlId(field.key)) as HTMLInputElement | null)?.value ?? '';
      if (field.type === 'yesno') {
        if (value) out[field.key] = value === 'yes';
      } else if (value.trim()) out[field.key] = value;
    }
    return out;
  }

  /** Marks each required field left empty; returns the first, to focus, or undefined when all is well. */
  check(): HTMLElement | undefined {
    let first: HTMLElement | undefined;
    for (const field of this.chosen()?.fields ?? []) {
      const control = document.getElementById(controlId(field.key)) as HTMLInputElement | null;
      if (!control) continue;
      const missing = field.required && !control.value.trim();
      setFieldError(control, missing ? `Please fill in ${field.label.toLowerCase()}.` : undefined);
      if (missing) first ??= control;
    }
    return first;
  }

  private render(): void {
    const template = this.chosen();
    this.hint.textContent = template?.hint || 'Picking the kind of request tells IT what they need to know.';
    this.box.hidden = !template || template.fields.length === 0;
    replaceChildren(this.box, ...(template?.fields ?? []).map((f) => fieldRow(f)));
  }
}

function fieldRow(field: TemplateField): HTMLElement {
  const id = controlId(field.key);
  const label = h('label', { for: id }, field.label, field.required ? null : h('span', { class: 'optional' }, ' (optional)'));
  return h('div', { class: 'field' }, label, control(field, id));
}

function control(field: TemplateField, id: string): HTMLElement {
  const common = {
    id,
    name: id,
    required: field.required,
    oninput: (e: Event) => setFieldError(e.currentTarget as HTMLElement, undefined),
  };
  switch (field.type) {
    case 'text':
      return field.multiline
        ? h('textarea', { ...common, rows: 3, maxlength: field.maxChars })
        : h('input', { ...common, type: 'text', maxlength: field.maxChars, autocomplete: 'off' });
    case 'choice':
      return h('select', common, h('option', { value: '' }, 'Choose…'), ...field.choices.map((c) => h('option', { value: c }, c)));
    case 'yesno':
      return h(
        'select',
        common,
        h('option', { value: '' }, 'Choose…'),
        h('option', { value: 'yes' }, 'Yes'),
        h('option', { value: 'no' }, 'No'),
      );
  }
}
