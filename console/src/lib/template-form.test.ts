import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TemplateInputSchema, TicketTemplateSchema } from '../../../shared/templates.js';
import { deskSummary, draftOf, emptyDraft, emptyField, inputOf, keyFor } from './template-form.js';

describe('the template form', () => {
  it('makes keys from labels, unique within the template', () => {
    assert.equal(keyFor('Which printer?', []), 'which_printer');
    assert.equal(keyFor('Which printer?', ['which_printer']), 'which_printer_2');
    assert.equal(keyFor('2nd floor', []), 'nd_floor');
    assert.equal(keyFor('???', []), 'field');
  });

  it('turns the form into what the API takes, and a stored template back into the same form', () => {
    const draft = {
      ...emptyDraft(),
      name: ' New software ',
      fields: [
        { ...emptyField('text'), label: 'Software name', required: true, maxChars: '120' },
        { ...emptyField('choice'), label: 'Licence', choices: 'Free\n\n Paid \n' },
        { ...emptyField('yesno'), label: 'Manager agreed', required: true },
      ],
      rtQueue: 'Software',
      rtCustomFields: 'Category = Software request\n\nCost centre=4711',
      autotaskIssueType: 'Software',
    };
    const input = inputOf(draft);
    assert.deepEqual(input, {
      name: 'New software',
      hint: '',
      fields: [
        { type: 'text', key: 'software_name', label: 'Software name', required: true, maxChars: 120, multiline: false },
        { type: 'choice', key: 'licence', label: 'Licence', required: false, choices: ['Free', 'Paid'] },
        { type: 'yesno', key: 'manager_agreed', label: 'Manager agreed', required: true },
      ],
      desk: {
        rt: { queue: 'Software', customFields: { Category: 'Software request', 'Cost centre': '4711' } },
        autotask: { issueType: 'Software' },
      },
    });
    const stored = TicketTemplateSchema.parse({ id: 1, updatedAt: '2026-12-07T00:00:00Z', ...TemplateInputSchema.parse(input) });
    assert.deepEqual(inputOf(draftOf(stored)), input);
    assert.equal(deskSummary(stored), 'RT: queue Software, Category=Software request, Cost centre=4711 · Autotask: Software');
  });

  it('says which RT custom field line is not "Name = value"', () => {
    assert.throws(() => inputOf({ ...emptyDraft(), name: 'X', rtCustomFields: 'Category = A\nno equals sign' }), /line 2/);
  });
});
