import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isOutpostError } from './errors.js';
import { fillTemplate, templateBlock, TemplateInputSchema, TicketTemplateSchema, type TicketTemplate } from './templates.js';

const printer: TicketTemplate = TicketTemplateSchema.parse({
  id: 3,
  name: 'Printer problem',
  hint: 'Paper jams, nothing prints',
  fields: TemplateInputSchema.parse({
    name: 'x',
    fields: [
      { type: 'text', key: 'printer', label: 'Which printer', required: true, maxChars: 40 },
      { type: 'choice', key: 'floor', label: 'Floor', choices: ['Ground', 'First'] },
      { type: 'yesno', key: 'others', label: 'Others affected', required: true },
      { type: 'text', key: 'details', label: 'Details', multiline: true },
    ],
  }).fields,
  desk: {},
  updatedAt: '2026-12-07T10:00:00.000Z',
});

function refusal(fn: () => unknown): { message: string; field: unknown } {
  try {
    fn();
  } catch (err) {
    assert.ok(isOutpostError(err));
    assert.equal(err.code, 'E_BAD_REQUEST');
    return { message: err.message, field: err.details?.field };
  }
  assert.fail('expected a refusal');
}

describe('ticket templates', () => {
  it('fills the answers in the template order, leaves out empty optional ones, and writes a block IT can read', () => {
    const filled = fillTemplate(printer, { others: false, printer: '  HP-2F  ', details: 'Line one\nLine two' });
    assert.deepEqual(filled, {
      id: 3,
      name: 'Printer problem',
      fields: [
        { key: 'printer', label: 'Which printer', value: 'HP-2F' },
        { key: 'others', label: 'Others affected', value: false },
        { key: 'details', label: 'Details', value: 'Line one\nLine two' },
      ],
    });
    assert.equal(
      templateBlock(filled),
      '--- Printer problem ---\nWhich printer: HP-2F\nOthers affected: No\nDetails: \n  Line one\n  Line two',
    );
  });

  it('refuses a missing required answer, a choice not offered, a wrong type, an overlong text and an unknown field, naming the field', () => {
    assert.deepEqual(
      refusal(() => fillTemplate(printer, { others: true })),
      { message: 'Which printer is required.', field: 'printer' },
    );
    assert.deepEqual(refusal(() => fillTemplate(printer, { printer: ' ', others: true })).field, 'printer');
    assert.match(
      refusal(() => fillTemplate(printer, { printer: 'a', others: true, floor: 'Roof' })).message,
      /Floor must be one of: Ground, First/,
    );
    assert.match(refusal(() => fillTemplate(printer, { printer: 'a', others: 'yes' })).message, /Others affected must be yes or no/);
    assert.match(refusal(() => fillTemplate(printer, { printer: 'x'.repeat(41), others: true })).message, /at most 40 characters/);
    assert.match(refusal(() => fillTemplate(printer, { printer: 'a', others: true, colour: 'red' })).message, /no field "colour"/);
  });

  it('refuses a template definition with repeated keys, an empty choice list, a bad key or a desk name with quotes', () => {
    const bad = (input: unknown) => !TemplateInputSchema.safeParse(input).success;
    const text = (key: string) => ({ type: 'text', key, label: 'L' });
    assert.ok(bad({ name: 'A', fields: [text('a'), text('a')] }));
    assert.ok(bad({ name: 'A', fields: [{ type: 'choice', key: 'c', label: 'C', choices: [] }] }));
    assert.ok(bad({ name: 'A', fields: [{ type: 'choice', key: 'c', label: 'C', choices: ['x', 'x'] }] }));
    assert.ok(bad({ name: 'A', fields: [text('Bad Key')] }));
    assert.ok(bad({ name: 'A', desk: { rt: { customFields: { "Cat'": 'x' } } } }));
    assert.ok(bad({ name: ' ' }));
    assert.ok(bad({ name: 'A', fields: Array.from({ length: 21 }, (_, i) => text(`f${i}`)) }));
    assert.ok(!bad({ name: 'A', fields: [text('a')], desk: { rt: { queue: 'Printers', customFields: { Category: 'Printing' } } } }));
  });
});
