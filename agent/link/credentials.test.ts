import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { RecordingLogger } from '../../test/fakes/recording-logger.js';
import { FileCredentialStore } from './credentials.js';

describe('FileCredentialStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'creds-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const creds = { deviceId: 'dev-1', secret: 's3cret-s3cret-s3cret', serverUrl: 'wss://outpost.example' };

  it('has nothing before enrolment, then keeps what was saved, owner-only, with no temp file left', () => {
    const store = new FileCredentialStore(join(dir, 'credentials.json'));
    assert.equal(store.load(), undefined);
    store.save(creds);
    assert.deepEqual(new FileCredentialStore(join(dir, 'credentials.json')).load(), creds);
    assert.equal(statSync(store.path).mode & 0o777, 0o600);
    store.save({ ...creds, deviceId: 'dev-2' });
    assert.equal(store.load()?.deviceId, 'dev-2');
    assert.deepEqual(readdirSync(dir), ['credentials.json']);
    store.clear();
    assert.equal(store.load(), undefined);
  });

  it('treats an unreadable file as no credentials and says so without the secret', () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{"deviceId":"dev-1","secret":"s3cret-s3cret-s3cret"');
    const log = new RecordingLogger();
    assert.equal(new FileCredentialStore(path, log).load(), undefined);
    assert.equal(log.withCode('E_CONFIG').length, 1);
    assert.ok(!log.text().includes('s3cret'));
  });

  it('refuses to save credentials that break the schema', () => {
    const store = new FileCredentialStore(join(dir, 'never.json'));
    assert.throws(() => store.save({ ...creds, secret: 'short' }));
    assert.equal(store.load(), undefined);
  });
});
