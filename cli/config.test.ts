import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AGENT_SETTINGS, SERVER_SETTINGS, resolveDeskSettings, resolveSettings } from './config.js';

const configFile = (content: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'outpost-config-')), 'outpost.json');
  writeFileSync(path, content);
  return path;
};

describe('settings', () => {
  it('takes flags over environment over the config file over defaults', () => {
    const config = configFile(JSON.stringify({ host: '0.0.0.0', port: 9000, data: '/srv/file' }));
    const s = resolveSettings(SERVER_SETTINGS, { config, port: '9100' }, { OUTPOST_DATA_DIR: '/srv/env' });
    assert.deepEqual(s, {
      host: '0.0.0.0',
      port: 9100,
      data: '/srv/env',
      store: undefined,
      adminToken: undefined,
      preAuthPerAddress: undefined,
      preAuthTotal: undefined,
      authTimeoutMs: undefined,
      listenBacklog: undefined,
      tlsCert: undefined,
      tlsKey: undefined,
    });
    assert.equal(resolveSettings(SERVER_SETTINGS, {}, {}).port, 7040);
  });

  it('takes a postgres:// store from the environment or the config file, and refuses anything else by name', () => {
    const url = 'postgres://outpost@db.example/outpost';
    assert.equal(resolveSettings(SERVER_SETTINGS, {}, { OUTPOST_STORE: url }).store, url);
    assert.equal(resolveSettings(SERVER_SETTINGS, { config: configFile(JSON.stringify({ store: 'sqlite' })) }, {}).store, 'sqlite');
    assert.throws(
      () => resolveSettings(SERVER_SETTINGS, { store: 'mysql://db/outpost' }, {}),
      (err: Error & { code?: string }) => err.code === 'E_CONFIG' && /store/.test(err.message) && /postgres:\/\//.test(err.message),
    );
  });

  it('reads the caps on unauthenticated agent connections from the environment, and refuses nonsense', () => {
    const s = resolveSettings(
      SERVER_SETTINGS,
      {},
      { OUTPOST_PREAUTH_PER_ADDRESS: '8', OUTPOST_PREAUTH_TOTAL: '100', OUTPOST_AUTH_TIMEOUT_MS: '2500' },
    );
    assert.deepEqual([s.preAuthPerAddress, s.preAuthTotal, s.authTimeoutMs], [8, 100, 2500]);
    assert.throws(
      () => resolveSettings(SERVER_SETTINGS, {}, { OUTPOST_PREAUTH_TOTAL: '0' }),
      /OUTPOST_PREAUTH_TOTAL \(from env\): must be a whole number/,
    );
    assert.throws(
      () => resolveSettings(SERVER_SETTINGS, {}, { OUTPOST_AUTH_TIMEOUT_MS: '5' }),
      /OUTPOST_AUTH_TIMEOUT_MS \(from env\): must be at least 100 ms/,
    );
  });

  it('names the bad setting and where it came from in one line', () => {
    assert.throws(
      () => resolveSettings(SERVER_SETTINGS, { port: 'eighty' }, {}),
      (e: Error) => /^--port \(from flag\): must be a port number/.test(e.message) && !e.message.includes('\n'),
    );
    assert.throws(() => resolveSettings(SERVER_SETTINGS, {}, { OUTPOST_PORT: '70000' }), /OUTPOST_PORT \(from env\)/);
    assert.throws(() => resolveSettings(AGENT_SETTINGS, { server: 'ftp://x' }, {}), /--server \(from flag\): must be a ws/);
    assert.throws(() => resolveSettings(AGENT_SETTINGS, {}, {}), /--server \/ OUTPOST_SERVER is required/);
    assert.throws(
      () => resolveSettings(SERVER_SETTINGS, {}, { OUTPOST_ADMIN_TOKEN: 'short' }),
      /OUTPOST_ADMIN_TOKEN \(from env\): must be at least 16/,
    );
  });

  it('refuses a config file that is missing or not a JSON object', () => {
    assert.throws(
      () => resolveSettings(SERVER_SETTINGS, { config: '/nonexistent/outpost.json' }, {}),
      /--config \/nonexistent\/outpost.json: cannot read \(ENOENT\)/,
    );
    assert.throws(() => resolveSettings(SERVER_SETTINGS, { config: configFile('[1,2]') }, {}), /not a JSON object/);
    assert.throws(
      () => resolveSettings(SERVER_SETTINGS, { config: configFile(JSON.stringify({ port: -1 })) }, {}),
      /"port" in the config file \(from file\)/,
    );
  });
});

describe('desk settings', () => {
  const secretFile = (secret: string) => {
    const path = join(mkdtempSync(join(tmpdir(), 'outpost-secret-')), 'secret');
    writeFileSync(path, `${secret}\n`);
    return path;
  };

  it('is absent without --desk, and reads the secret from its file', () => {
    assert.equal(resolveDeskSettings({}, {}), undefined);
    const s = resolveDeskSettings(
      { desk: 'rt', deskUrl: 'http://rt.test', deskUser: 'outpost', deskSecretFile: secretFile('s3cret'), deskPoll: '2' },
      {},
    );
    assert.deepEqual(s, { kind: 'rt', url: 'http://rt.test', user: 'outpost', pollSeconds: 2, secret: 's3cret' });
  });

  it('takes the config file\'s "desk" object, overridden by environment and flags, but never a secret from it', () => {
    const config = configFile(
      JSON.stringify({ desk: { kind: 'rt', url: 'http://file.test', user: 'file', requesterDomain: 'example.com' } }),
    );
    const s = resolveDeskSettings({ config, deskUser: 'flag' }, { OUTPOST_DESK_URL: 'http://env.test', OUTPOST_DESK_SECRET: 'from-env' });
    assert.deepEqual(s, { kind: 'rt', url: 'http://env.test', user: 'flag', requesterDomain: 'example.com', secret: 'from-env' });
    const leaky = configFile(JSON.stringify({ desk: { kind: 'rt', secret: 'oops' } }));
    assert.throws(() => resolveDeskSettings({ config: leaky }, {}), /desk\.secret" is not read from the config file/);
    assert.throws(() => resolveDeskSettings({ desk: 'rt' }, {}), /--desk-secret-file/);
  });
});
