import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '../../../shared/log.js';
import { integrationLevel } from '../connector.js';
import { rtPriority, rtStatus, statusFromRt } from '../rt/config.js';
import type { RtConnector } from '../rt/connector.js';
import { RT_CAPABILITIES } from '../rt/connector.js';
import { sdpPriority, sdpStatus, statusFromSdp } from '../sdp/config.js';
import type { SdpConnector } from '../sdp/connector.js';
import type { DeskTicket, NewDeskTicket } from '../types.js';
import { effectiveCapabilities, FieldMappingSchema, importedFields, mapNewTicket } from './mapping.js';
import { createConnector, parseDeskSettings } from './settings.js';

const base = { url: 'http://desk.invalid', user: 'outpost', secret: 'not-logged' };
const ticket: NewDeskTicket = {
  idempotencyKey: 'outpost-t-0123456789',
  requesterEmail: 'a@example.com',
  subject: 'Printer',
  description: 'On fire',
  priority: 'high',
  attachments: [{ name: 'a.txt', type: 'text/plain', contentBase64: 'eA==' }],
};
const deskTicket: DeskTicket = {
  id: '7',
  subject: 'Printer (edited in the desk)',
  status: 'resolved',
  deskStatus: 'resolved',
  priority: 'urgent',
  requesters: [],
  createdAt: '',
  updatedAt: '',
  timeWorkedMinutes: null,
  idempotencyKey: null,
  assetIds: null,
};

describe('field mapping', () => {
  it("defaults to the behaviour before mapping: status and notes both ways, the rest to the desk, the desk's starting status", () => {
    const m = parseDeskSettings({ kind: 'rt', ...base }).mapping;
    assert.deepEqual(m.fields, { status: 'both', priority: 'to-desk', subject: 'to-desk', description: 'to-desk', asset: 'to-desk' });
    assert.deepEqual(
      [m.notes, m.attachments, m.newTicketStatus, m.account],
      [{ toDesk: true, fromDesk: true }, true, undefined, undefined],
    );
    assert.deepEqual(mapNewTicket(ticket, m, null), ticket);
    assert.deepEqual(effectiveCapabilities(RT_CAPABILITIES, m), { ...RT_CAPABILITIES, accountLookup: false }, 'no lookup configured');
    assert.deepEqual(importedFields(deskTicket, m), { status: 'resolved' });
  });

  it('refuses a misspelt key instead of ignoring it, naming where it is', () => {
    assert.throws(
      () => parseDeskSettings({ kind: 'rt', ...base, mapping: { atachments: false } }),
      (e: Error & { code?: string }) => e.code === 'E_CONFIG' && /mapping: Unrecognized key: "atachments"/.test(e.message),
    );
    assert.throws(() => parseDeskSettings({ kind: 'rt', ...base, schedules: { asset: '5m' } }), /schedules: Unrecognized key: "asset"/);
    assert.throws(
      () => parseDeskSettings({ kind: 'rt', ...base, assetEvents: { prohibitedsoftware: false } }),
      /assetEvents: Unrecognized key/,
    );
  });

  it('never imports a field mapped to the desk only, and imports the ones mapped both ways', () => {
    const toDesk = FieldMappingSchema.parse({ fields: { status: 'to-desk' } });
    assert.deepEqual(importedFields(deskTicket, toDesk), {});
    const both = FieldMappingSchema.parse({ fields: { priority: 'both', subject: 'both' } });
    assert.deepEqual(importedFields(deskTicket, both), { status: 'resolved', priority: 'urgent', subject: 'Printer (edited in the desk)' });
    assert.deepEqual(
      importedFields({ ...deskTicket, priority: null }, both).priority,
      undefined,
      'a desk priority nobody mapped is left alone',
    );
  });

  it('lowers the integration level when directions or flows are switched off', () => {
    const level = (mapping: unknown) => integrationLevel(effectiveCapabilities(RT_CAPABILITIES, FieldMappingSchema.parse(mapping)));
    assert.equal(level({}), 'two-way');
    assert.equal(level({ notes: { fromDesk: false } }), 'status-sync');
    assert.equal(level({ fields: { status: 'to-desk' } }), 'log-only');
    const caps = effectiveCapabilities(RT_CAPABILITIES, FieldMappingSchema.parse({ attachments: false, notes: { toDesk: false } }));
    assert.deepEqual([caps.attachments, caps.notesToDesk], [false, false]);
  });

  it('starts new tickets in the configured status, drops attachments when off, and sets the account', () => {
    const m = FieldMappingSchema.parse({
      newTicketStatus: 'open',
      attachments: false,
      account: { assetField: 'Customer No', ticketField: 'Account' },
    });
    const out = mapNewTicket(ticket, m, 'C-1042');
    assert.equal(out.status, 'open');
    assert.equal(out.attachments, undefined);
    assert.deepEqual(out.account, { field: 'Account', value: 'C-1042' });
    assert.equal(mapNewTicket(ticket, m, null).account, undefined, 'an asset without a reference sets none');
  });

  it("lays the value maps over the RT connector's defaults; an unknown RT status maps to a fallback", () => {
    const s = parseDeskSettings({
      kind: 'rt',
      ...base,
      mapping: {
        priorities: { urgent: 90 },
        statuses: { toDesk: { pending: 'waiting' }, fromDesk: { Waiting: 'pending', Escalated: 'open' }, unknown: 'new' },
      },
    });
    const c = (createConnector(s, silentLogger) as RtConnector).config;
    assert.deepEqual([rtPriority(c, 'urgent'), rtPriority(c, 'high')], [90, 75]);
    assert.deepEqual([rtStatus(c, 'pending'), rtStatus(c, 'resolved')], ['waiting', 'resolved']);
    assert.deepEqual(
      [statusFromRt(c, 'WAITING'), statusFromRt(c, 'escalated'), statusFromRt(c, 'stalled'), statusFromRt(c, 'made-up')],
      ['pending', 'open', 'pending', 'new'],
    );
    const plain = (createConnector(parseDeskSettings({ kind: 'rt', ...base }), silentLogger) as RtConnector).config;
    assert.equal(statusFromRt(plain, 'made-up'), 'open');
  });

  it("lays the value maps over the SDP connector's defaults", () => {
    const s = parseDeskSettings({
      kind: 'sdp',
      ...base,
      mapping: {
        priorities: { normal: 'Normal' },
        statuses: { toDesk: { new: 'Assigned' }, fromDesk: { 'Waiting for customer': 'pending' } },
      },
    });
    const c = (createConnector(s, silentLogger) as SdpConnector).config;
    assert.deepEqual([sdpPriority(c, 'normal'), sdpPriority(c, 'high')], ['Normal', 'High']);
    assert.deepEqual([sdpStatus(c, 'new'), sdpStatus(c, 'pending')], ['Assigned', 'On Hold']);
    assert.deepEqual(
      [statusFromSdp(c, 'waiting for customer'), statusFromSdp(c, 'On Hold'), statusFromSdp(c, 'Something else')],
      ['pending', 'pending', 'open'],
    );
  });

  it('refuses bad mapping input with E_CONFIG and a message naming the field', () => {
    const bad = [
      { fields: { description: 'both' } },
      { fields: { status: 'from-desk' } },
      { statuses: { fromDesk: { open: 'reopened' } } },
      { newTicketStatus: 'queued' },
      { account: { assetField: "x'; DROP", ticketField: 'Account' } },
    ];
    for (const mapping of bad) {
      assert.throws(
        () => parseDeskSettings({ kind: 'rt', ...base, mapping }),
        (e: unknown) => (e as { code?: string }).code === 'E_CONFIG',
        JSON.stringify(mapping),
      );
    }
    assert.throws(
      () => createConnector(parseDeskSettings({ kind: 'rt', ...base, mapping: { priorities: { low: 'Lowest' } } }), silentLogger),
      /priorit/i,
    );
    // SDP's account lookup reads site or a udf_ field and sets site, account or a udf_ field: anything else is refused at start.
    assert.throws(
      () => parseDeskSettings({ kind: 'sdp', ...base, mapping: { account: { assetField: 'Customer No', ticketField: 'Account' } } }),
      (e: Error & { code?: string }) =>
        e.code === 'E_CONFIG' && /mapping\.account\.assetField/.test(e.message) && /mapping\.account\.ticketField/.test(e.message),
    );
    assert.doesNotThrow(() =>
      parseDeskSettings({ kind: 'sdp', ...base, mapping: { account: { assetField: 'udf_sline_7', ticketField: 'site' } } }),
    );
  });
});
