// Ticket templates: predefined kinds of ticket ("Printer problem", "New software", "Access request")
// with their own typed fields, managed in the console, offered in the tray, and mapped to the desk's
// own categorisation. One schema for every part: the HTTP API, the agent link, the local API.
import { z } from 'zod';
import { OutpostError } from './errors.js';

export const TEMPLATE_LIMITS = {
  templates: 50,
  fields: 20,
  nameChars: 80,
  hintChars: 300,
  labelChars: 100,
  choices: 30,
  choiceChars: 100,
  /** The longest answer a text field may allow. */
  textChars: 2_000,
  deskValueChars: 200,
  rtCustomFields: 10,
} as const;

export const TEMPLATE_FIELD_TYPES = ['text', 'choice', 'yesno'] as const;
export type TemplateFieldType = (typeof TEMPLATE_FIELD_TYPES)[number];

const label = z.string().trim().min(1, 'is required').max(TEMPLATE_LIMITS.labelChars);
/** A field's key: stable across label edits, safe as a JSON key and an HTML id. */
const fieldKey = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be lower-case letters, digits and _ (a letter first)');
const common = { key: fieldKey, label, required: z.boolean().default(false) };

export const TemplateFieldSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('text'),
      ...common,
      maxChars: z.number().int().min(1).max(TEMPLATE_LIMITS.textChars).default(500),
      multiline: z.boolean().default(false),
    })
    .strict(),
  z
    .object({
      type: z.literal('choice'),
      ...common,
      choices: z
        .array(z.string().trim().min(1).max(TEMPLATE_LIMITS.choiceChars))
        .min(1, 'needs at least one choice')
        .max(TEMPLATE_LIMITS.choices)
        .refine((c) => new Set(c).size === c.length, 'must not repeat a choice'),
    })
    .strict(),
  z.object({ type: z.literal('yesno'), ...common }).strict(),
]);
export type TemplateField = z.output<typeof TemplateFieldSchema>;

const deskValue = z.string().trim().min(1).max(TEMPLATE_LIMITS.deskValueChars);
/** Desk names reach query languages and JSON keys: no quotes, braces or backslashes. */
const deskFieldName = deskValue.regex(/^[^'"{}\\]+$/, 'must not contain quotes, braces or backslashes');

/**
 * Where a ticket of this template goes in each desk, as that desk categorises: RT a queue and custom
 * field values; ServiceDesk Plus a request template, category and subcategory; Autotask an issue type
 * and sub-issue type (picklist labels). Only the connected desk's part is used.
 */
export const TemplateDeskSchema = z
  .object({
    rt: z
      .object({
        queue: deskValue.optional(),
        customFields: z
          .record(deskFieldName, deskValue)
          .refine((r) => Object.keys(r).length <= TEMPLATE_LIMITS.rtCustomFields, `at most ${TEMPLATE_LIMITS.rtCustomFields} custom fields`)
          .optional(),
      })
      .strict()
      .optional(),
    sdp: z
      .object({ template: deskValue.optional(), category: deskValue.optional(), subcategory: deskValue.optional() })
      .strict()
      .optional(),
    autotask: z.object({ issueType: deskValue.optional(), subIssueType: deskValue.optional() }).strict().optional(),
  })
  .strict();
export type TemplateDesk = z.output<typeof TemplateDeskSchema>;

/** What an admin writes in the console. */
export const TemplateInputSchema = z
  .object({
    name: z.string().trim().min(1, 'is required').max(TEMPLATE_LIMITS.nameChars),
    /** Shown in the tray under the template's name: when to pick it. */
    hint: z.string().trim().max(TEMPLATE_LIMITS.hintChars).default(''),
    fields: z.array(TemplateFieldSchema).max(TEMPLATE_LIMITS.fields).default([]),
    desk: TemplateDeskSchema.default({}),
  })
  .strict()
  .refine((t) => new Set(t.fields.map((f) => f.key)).size === t.fields.length, {
    message: 'two fields have the same key',
    path: ['fields'],
  });
export type TemplateInput = z.input<typeof TemplateInputSchema>;

export const TemplateIdSchema = z.number().int().positive().max(2_147_483_647);

export const TicketTemplateSchema = z.object({
  id: TemplateIdSchema,
  name: z.string().max(TEMPLATE_LIMITS.nameChars),
  hint: z.string().max(TEMPLATE_LIMITS.hintChars),
  fields: z.array(TemplateFieldSchema).max(TEMPLATE_LIMITS.fields),
  desk: TemplateDeskSchema,
  updatedAt: z.string(),
});
export type TicketTemplate = z.output<typeof TicketTemplateSchema>;

/** What the person filled in: field key -> text, chosen option, or yes (true) / no (false). */
export const TemplateAnswersSchema = z
  .record(z.string().max(40), z.union([z.string().max(TEMPLATE_LIMITS.textChars), z.boolean()]))
  .refine((a) => Object.keys(a).length <= TEMPLATE_LIMITS.fields, `at most ${TEMPLATE_LIMITS.fields} answers`);
export type TemplateAnswers = z.output<typeof TemplateAnswersSchema>;

/** A ticket's template choice as the tray and the CLI send it. */
export const TicketTemplateChoiceSchema = z.object({ id: TemplateIdSchema, answers: TemplateAnswersSchema.default({}) }).strict();

/** The filled template as it travels with the ticket and is kept with it: labels as the person saw them. */
export const FilledTemplateSchema = z.object({
  id: TemplateIdSchema,
  name: z.string().min(1).max(TEMPLATE_LIMITS.nameChars),
  fields: z
    .array(
      z.object({
        key: fieldKey,
        label: z.string().min(1).max(TEMPLATE_LIMITS.labelChars),
        value: z.union([z.string().max(TEMPLATE_LIMITS.textChars), z.boolean()]),
      }),
    )
    .max(TEMPLATE_LIMITS.fields),
});
export type FilledTemplate = z.output<typeof FilledTemplateSchema>;

/**
 * Checks the answers against the template and returns them filled in, in the template's field order.
 * Unanswered optional fields are left out. Throws E_BAD_REQUEST naming the field a person sees.
 */
export function fillTemplate(template: TicketTemplate, answers: TemplateAnswers): FilledTemplate {
  const known = new Set(template.fields.map((f) => f.key));
  const stray = Object.keys(answers).find((k) => !known.has(k));
  if (stray !== undefined) {
    throw new OutpostError('E_BAD_REQUEST', `The template "${template.name}" has no field ${JSON.stringify(stray)}; reload the form.`);
  }
  const fields: FilledTemplate['fields'] = [];
  for (const field of template.fields) {
    const value = answerOf(field, answers[field.key]);
    if (value !== undefined) fields.push({ key: field.key, label: field.label, value });
  }
  return { id: template.id, name: template.name, fields };
}

function answerOf(field: TemplateField, raw: string | boolean | undefined): string | boolean | undefined {
  const missing = raw === undefined || (typeof raw === 'string' && raw.trim() === '');
  if (missing) {
    if (field.required) throw new OutpostError('E_BAD_REQUEST', `${field.label} is required.`, { field: field.key });
    return undefined;
  }
  const wrong = (what: string) => new OutpostError('E_BAD_REQUEST', `${field.label} ${what}.`, { field: field.key });
  switch (field.type) {
    case 'yesno':
      if (typeof raw !== 'boolean') throw wrong('must be yes or no');
      return raw;
    case 'choice':
      if (typeof raw !== 'string' || !field.choices.includes(raw)) throw wrong(`must be one of: ${field.choices.join(', ')}`);
      return raw;
    case 'text': {
      if (typeof raw !== 'string') throw wrong('must be text');
      const text = raw.trim();
      if (text.length > field.maxChars) throw wrong(`is too long (at most ${field.maxChars} characters)`);
      return text;
    }
  }
}

/** The filled fields as a block IT reads in the desk's description. */
export function templateBlock(filled: FilledTemplate): string {
  const lines = filled.fields.map((f) => `${f.label}: ${answerText(f.value)}`);
  return [`--- ${filled.name} ---`, ...(lines.length ? lines : ['(no fields filled in)'])].join('\n');
}

export function answerText(value: string | boolean): string {
  if (value === true) return 'Yes';
  if (value === false) return 'No';
  // A multi-line answer stays readable under its label.
  return value.includes('\n') ? `\n  ${value.split('\n').join('\n  ')}` : value;
}
