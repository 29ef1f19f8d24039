// A ticket template as the console's form edits it (text boxes, a choices list one per line, RT
// custom fields as "Name = value" lines) and back to what the API takes. Pure, so it is unit-tested;
// the server checks the result again (shared/templates.ts).
import type { TemplateFieldType, TemplateInput, TicketTemplate } from '../../../shared/templates.js';

export interface FieldDraft {
  type: TemplateFieldType;
  key: string;
  label: string;
  required: boolean;
  /** Text fields: the longest answer, as typed. */
  maxChars: string;
  multiline: boolean;
  /** Choice fields: one choice per line. */
  choices: string;
}

export interface TemplateDraft {
  name: string;
  hint: string;
  fields: FieldDraft[];
  rtQueue: string;
  /** "Name = value", one per line. */
  rtCustomFields: string;
  sdpTemplate: string;
  sdpCategory: string;
  sdpSubcategory: string;
  autotaskIssueType: string;
  autotaskSubIssueType: string;
}

export function emptyField(type: TemplateFieldType = 'text'): FieldDraft {
  return { type, key: '', label: '', required: false, maxChars: '500', multiline: false, choices: '' };
}

export function emptyDraft(): TemplateDraft {
  return {
    name: '',
    hint: '',
    fields: [],
    rtQueue: '',
    rtCustomFields: '',
    sdpTemplate: '',
    sdpCategory: '',
    sdpSubcategory: '',
    autotaskIssueType: '',
    autotaskSubIssueType: '',
  };
}

export function draftOf(t: TicketTemplate): TemplateDraft {
  return {
    name: t.name,
    hint: t.hint,
    fields: t.fields.map((f) => ({
      ...emptyField(f.type),
      key: f.key,
      label: f.label,
      required: f.required,
      ...(f.type === 'text' ? { maxChars: String(f.maxChars), multiline: f.multiline } : {}),
      ...(f.type === 'choice' ? { choices: f.choices.join('\n') } : {}),
    })),
    rtQueue: t.desk.rt?.queue ?? '',
    rtCustomFields: Object.entries(t.desk.rt?.customFields ?? {})
      .map(([name, value]) => `${name} = ${value}`)
      .join('\n'),
    sdpTemplate: t.desk.sdp?.template ?? '',
    sdpCategory: t.desk.sdp?.category ?? '',
    sdpSubcategory: t.desk.sdp?.subcategory ?? '',
    autotaskIssueType: t.desk.autotask?.issueType ?? '',
    autotaskSubIssueType: t.desk.autotask?.subIssueType ?? '',
  };
}

/** A key from a label: "Which printer?" -> which_printer; unique among `taken`. */
export function keyFor(label: string, taken: readonly string[]): string {
  const base =
    label
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^[^a-z]+|_+$/g, '')
      .slice(0, 36) || 'field';
  let key = base;
  for (let n = 2; taken.includes(key); n++) key = `${base}_${n}`;
  return key;
}

/** Only the parts given; an empty section is left out. */
function some<T extends Record<string, string | Record<string, string> | undefined>>(o: T): T | undefined {
  const kept = Object.entries(o).filter(([, v]) => v !== undefined && v !== '' && !(typeof v === 'object' && Object.keys(v).length === 0));
  return kept.length ? (Object.fromEntries(kept) as T) : undefined;
}

/** Throws with a message a person can act on when an RT custom field line has no "=". */
export function parseCustomFields(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line) continue;
    const at = line.indexOf('=');
    if (at <= 0) throw new Error(`RT custom fields, line ${i + 1}: write it as "Name = value".`);
    out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

export function inputOf(d: TemplateDraft): TemplateInput {
  const taken: string[] = [];
  const fields = d.fields.map((f) => {
    const key = f.key || keyFor(f.label, taken);
    taken.push(key);
    const common = { key, label: f.label.trim(), required: f.required };
    switch (f.type) {
      case 'text':
        return { type: 'text' as const, ...common, maxChars: Number(f.maxChars) || 500, multiline: f.multiline };
      case 'choice':
        return {
          type: 'choice' as const,
          ...common,
          choices: f.choices
            .split('\n')
            .map((c) => c.trim())
            .filter(Boolean),
        };
      case 'yesno':
        return { type: 'yesno' as const, ...common };
    }
  });
  const rt = some({ queue: d.rtQueue.trim(), customFields: parseCustomFields(d.rtCustomFields) });
  const sdp = some({ template: d.sdpTemplate.trim(), category: d.sdpCategory.trim(), subcategory: d.sdpSubcategory.trim() });
  const autotask = some({ issueType: d.autotaskIssueType.trim(), subIssueType: d.autotaskSubIssueType.trim() });
  return {
    name: d.name.trim(),
    hint: d.hint.trim(),
    fields,
    desk: { ...(rt ? { rt } : {}), ...(sdp ? { sdp } : {}), ...(autotask ? { autotask } : {}) },
  };
}

/** One line for the list: where the template puts a ticket in each desk. */
export function deskSummary(t: TicketTemplate): string {
  const parts: string[] = [];
  const rt = t.desk.rt;
  if (rt?.queue || rt?.customFields)
    parts.push(
      `RT: ${[rt.queue && `queue ${rt.queue}`, ...Object.entries(rt.customFields ?? {}).map(([k, v]) => `${k}=${v}`)].filter(Boolean).join(', ')}`,
    );
  const sdp = t.desk.sdp;
  if (sdp) parts.push(`SDP: ${[sdp.template, sdp.category, sdp.subcategory].filter(Boolean).join(' / ')}`);
  const at = t.desk.autotask;
  if (at) parts.push(`Autotask: ${[at.issueType, at.subIssueType].filter(Boolean).join(' / ')}`);
  return parts.join(' · ') || 'Not mapped';
}
