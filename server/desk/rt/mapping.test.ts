import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isOutpostError } from '../../../shared/errors.js';
import { silentLogger } from '../../../shared/log.js';
import { isDeskError } from '../errors.js';
import { RtConnector } from './connector.js';
import { priorityFromRt, RtConfigSchema, rtStatus, statusFromRt } from './config.js';
import { assetCustomFields, rtAssetName, toDeskAsset, rtId, rtSqlDate, rtSqlString, toDeskTicket, worklogText } from './mapping.js';

const config = RtConfigSchema.parse({ url: 'http://rt.test', user: 'outpost', auth: { kind: 'basic', password: 'p' } });

describe('RT mapping', () => {
  it('writes TicketSQL dates in UTC without T or Z, whatever offset it is given', () => {
    assert.equal(rtSqlDate('2026-01-02T03:04:05.678Z'), '2026-01-02 03:04:05');
    assert.equal(rtSqlDate('2026-01-02T05:04:05+02:00'), '2026-01-02 03:04:05');
    assert.throws(
      () => rtSqlDate('yesterday'),
      (e) => isDeskError(e) && e.code === 'E_DESK_REJECTED',
    );
  });

  it("quotes strings for RT's query language so a value cannot end the literal", () => {
    assert.equal(rtSqlString("O'Brien"), "'O\\'Brien'");
    assert.equal(rtSqlString('back\\slash'), "'back\\\\slash'");
  });

  it('prefixes digits-only asset names, which RT refuses, and keeps others', () => {
    assert.equal(rtAssetName('123456'), 'host-123456');
    assert.equal(rtAssetName('ws-42'), 'ws-42');
    assert.equal(rtAssetName('42a'), '42a');
  });

  it('accepts only numeric RT ids in paths and queries', () => {
    assert.equal(rtId('42'), '42');
    assert.throws(
      () => rtId('42/../users'),
      (e) => isDeskError(e) && e.code === 'E_DESK_REJECTED',
    );
  });

  it('maps priorities to the nearest configured number and statuses both ways', () => {
    assert.deepEqual(
      [0, 37, 38, 50, 63, 88, 500].map((p) => priorityFromRt(config, p)),
      ['low', 'low', 'normal', 'normal', 'high', 'urgent', 'urgent'],
    );
    const custom = RtConfigSchema.parse({ ...config, priorities: { low: 1, normal: 2, high: 3, urgent: 4 } });
    assert.equal(priorityFromRt(custom, 3), 'high');
    assert.deepEqual(
      ['new', 'open', 'stalled', 'resolved', 'rejected', 'deleted', 'triage'].map((s) => statusFromRt(config, s)),
      ['new', 'open', 'pending', 'resolved', 'closed', 'closed', 'open'],
    );
    assert.deepEqual([rtStatus(config, 'pending'), rtStatus(config, 'closed')], ['stalled', 'resolved']);
  });

  it('refuses field names that could break out of a query, naming the setting but not echoing secrets', () => {
    const input = {
      url: 'http://rt.test',
      user: 'outpost',
      auth: { kind: 'basic' as const, password: 'hunter2' },
      fields: { ticketKey: "Key}' OR 1=1" },
    };
    assert.throws(
      () => new RtConnector(input, silentLogger),
      (e) => isOutpostError(e) && e.code === 'E_CONFIG' && /fields\.ticketKey/.test(e.message) && !e.message.includes('hunter2'),
    );
    assert.throws(
      () => new RtConnector({ ...input, fields: {}, url: 'ftp://rt.test' }, silentLogger),
      (e) => isOutpostError(e) && /url/.test(e.message),
    );
  });

  it('clears asset fields Outpost no longer has on update, and leaves them out on create', () => {
    const a = { name: 'ws', macs: ['AA:BB:CC:DD:EE:FF'], serviceTag: 'SN1', manufacturer: 'Dell', model: 'XPS' };
    assert.deepEqual(assetCustomFields(config, a, false), {
      'MAC Addresses': ['aa:bb:cc:dd:ee:ff'],
      'Service Tag': 'SN1',
      Model: 'Dell XPS',
    });
    const update = assetCustomFields(config, a, true);
    assert.equal(update.OS, null);
    assert.equal(update['Logged-on User'], null);
    assert.equal('Outpost Device ID' in update, false, 'the device id is never cleared');
  });

  it('writes CPU, memory, disks, OS build, BIOS, encryption, volumes and software to their custom fields', () => {
    const a = {
      name: 'ws',
      macs: [],
      cpu: 'Intel Core i5-8500 (6 cores)',
      memory: '16 GB',
      disks: ['Samsung SSD 980 1.0 TB (serial S1)'],
      osBuild: '22631.4460',
      bios: { vendor: 'Dell Inc.', version: '1.21.0', releaseDate: '2023-05-10' },
      encryption: 'on (BitLocker)',
      volumes: ['C: 42 % free of 255.0 GB', 'D: 9 % free of 1.0 TB'],
      software: ['7-Zip 23.01', 'Firefox 120'],
    };
    assert.deepEqual(assetCustomFields(config, a, false), {
      'MAC Addresses': [],
      Disks: ['Samsung SSD 980 1.0 TB (serial S1)'],
      Volumes: ['C: 42 % free of 255.0 GB', 'D: 9 % free of 1.0 TB'],
      CPU: 'Intel Core i5-8500 (6 cores)',
      Memory: '16 GB',
      'OS Build': '22631.4460',
      BIOS: 'Dell Inc. 1.21.0 (2023-05-10)',
      'Disk Encryption': 'on (BitLocker)',
      Software: '7-Zip 23.01\nFirefox 120',
    });
    // An update clears what the device no longer reports: every value of a multi-value field too.
    const cleared = assetCustomFields(config, { name: 'ws', macs: [] }, true);
    assert.deepEqual([cleared.Disks, cleared.Volumes, cleared.CPU, cleared.Software], [[], [], null, null]);
  });

  it('never sends a field the mapping leaves to the desk, not even to clear it', () => {
    const fields = assetCustomFields(config, { name: 'ws', macs: [], memory: '8 GB', deskOwned: ['cpu', 'macs', 'volumes'] }, true);
    for (const owned of ['CPU', 'MAC Addresses', 'Volumes']) assert.equal(owned in fields, false, owned);
    assert.equal(fields.Memory, '8 GB');
    assert.equal(fields.Disks?.length, 0);
  });

  it('reads the new fields back from an RT asset', () => {
    const asset = toDeskAsset(config, {
      id: '5',
      Name: 'ws',
      Description: '',
      CustomFields: [
        { name: 'CPU', values: ['Xeon (4 cores)'] },
        { name: 'Volumes', values: ['/ 50 % free of 10.0 GB'] },
        { name: 'Software', values: ['bash 5.2\ncurl 7.88'] },
      ],
    });
    assert.deepEqual([asset.cpu, asset.volumes, asset.software], ['Xeon (4 cores)', ['/ 50 % free of 10.0 GB'], ['bash 5.2', 'curl 7.88']]);
  });

  it('reads a ticket: requesters, key, asset links, unset dates', () => {
    const t = toDeskTicket(config, {
      id: '7',
      Subject: 'S',
      Status: 'stalled',
      Priority: 75,
      Created: '2026-01-01T10:00:00Z',
      LastUpdated: '2026-01-01T11:00:00Z',
      TimeWorked: 45,
      Requestor: [{ type: 'user', id: 'alice@example.com' }],
      CustomFields: [{ name: 'Outpost Key', values: ['k-1234567'] }],
      _hyperlinks: [
        { ref: 'refers-to', type: 'asset', id: '3' },
        { ref: 'refers-to', type: 'ticket', id: '9' },
      ],
    });
    assert.deepEqual(
      [t.status, t.deskStatus, t.priority, t.requesters, t.idempotencyKey, t.assetIds, t.timeWorkedMinutes, t.updatedAt],
      ['pending', 'stalled', 'high', ['alice@example.com'], 'k-1234567', ['3'], 45, '2026-01-01T11:00:00.000Z'],
    );
  });

  it("writes the worklog's technician and times into the comment RT records", () => {
    const text = worklogText({ technician: 'Tom', start: 'S', end: 'E', minutes: 45, description: ' Fixed. ' });
    assert.equal(text, 'Worklog: 45 min by Tom (S to E)\n\nFixed.');
  });
});
