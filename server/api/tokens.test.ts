import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CreatedTokenJson, EnrolmentTokenJson } from '../../shared/http-api.js';
import { hashSecret } from '../store/secrets.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { tokenRoutes } from './tokens.js';

type Body<T> = T & { error?: { code: string } };
const NOW = Date.UTC(2025, 5, 1);

describe('enrolment tokens API', () => {
  let dir: string;
  let store: SqliteStore;
  let app: FastifyInstance;
  const call = async <T>(method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object, headers: Record<string, string> = {}) => {
    const res = await app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
    return { status: res.statusCode, body: res.json<Body<T>>(), headers: res.headers };
  };
  const enrol = (token: string, installId: string) =>
    store.enrol({
      tokenHash: hashSecret(token),
      hints: { installId, hostname: installId, macs: [] },
      agentVersion: 't',
      secretHash: hashSecret(installId),
      at: NOW,
    });

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'outpost-tokens-api-'));
    store = SqliteStore.open(dir);
    app = Fastify({ logger: false });
    tokenRoutes(app, { store, now: () => NOW });
  });
  after(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a token once, with the install command for the address the console used', async () => {
    const res = await call<CreatedTokenJson>(
      'POST',
      '/api/tokens',
      { label: 'Lyon', expiresInHours: 24, uses: 2 },
      { host: 'outpost.example.org:7040' },
    );
    assert.equal(res.status, 201);
    assert.equal(res.headers['cache-control'], 'no-store');
    const { token, installCommand, enrolmentFiles, ...listed } = res.body;
    assert.deepEqual(
      enrolmentFiles.map((f) => `${f.os}/${f.name}`),
      ['linux/agent.json', 'windows/outpost-enrol.token', 'windows/install-outpost.cmd', 'macos/outpost.mobileconfig'],
    );
    assert.deepEqual(JSON.parse(enrolmentFiles[0]!.content), { server: 'http://outpost.example.org:7040', token });
    assert.equal(
      installCommand,
      `sudo sh -c "install -d -m 0700 /etc/outpost && umask 077 && printf '%s\\n' '${token}' > /etc/outpost/enrol-token" && sudo outpost agent --server http://outpost.example.org:7040 --token-file /etc/outpost/enrol-token`,
    );
    assert.doesNotMatch(installCommand, /--token /, 'the token never goes on the agent command line');
    assert.deepEqual(
      { ...listed, id: 'x' },
      {
        id: 'x',
        label: 'Lyon',
        createdAt: new Date(NOW).toISOString(),
        expiresAt: new Date(NOW + 24 * 3_600_000).toISOString(),
        usesLeft: 2,
        used: 0,
        state: 'active',
      },
    );
    assert.equal((await enrol(token, 'inst-a')).ok, true);
    assert.equal((await enrol(token, 'inst-b')).ok, true);
    const list = await call<{ items: EnrolmentTokenJson[] }>('GET', '/api/tokens');
    assert.deepEqual(
      list.body.items.map((t) => [t.id, t.used, t.usesLeft, t.state]),
      [[listed.id, 2, 0, 'used-up']],
    );
    assert.equal(JSON.stringify(list.body).includes(token), false, 'the token itself is shown once only');
  });

  it('revokes a token so that it enrols nobody, and 404s an unknown id', async () => {
    const created = (await call<CreatedTokenJson>('POST', '/api/tokens')).body;
    assert.deepEqual(
      [created.usesLeft, created.expiresAt],
      [null, new Date(NOW + 168 * 3_600_000).toISOString()],
      '7 days, unlimited by default',
    );
    const revoked = await call<EnrolmentTokenJson>('DELETE', `/api/tokens/${created.id}`);
    assert.deepEqual([revoked.status, revoked.body.state], [200, 'revoked']);
    assert.deepEqual(await enrol(created.token, 'inst-c'), { ok: false });
    const unknown = await call('DELETE', '/api/tokens/0000000000000000');
    assert.deepEqual([unknown.status, unknown.body.error?.code], [404, 'E_NOT_FOUND']);
  });

  it('refuses bad bodies and shows a placeholder for a Host header that is not a host', async () => {
    for (const bad of [
      { caPem: 'not a certificate' },
      { caPem: `-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n${'A'.repeat(17_000)}` },
      { expiresInHours: 0 },
      { expiresInHours: 87_601 },
      { uses: 0 },
      { uses: 1.5 },
      { label: 'x'.repeat(101) },
      { label: 'a\u0007' },
      { other: 1 },
    ]) {
      const res = await call('POST', '/api/tokens', bad);
      assert.deepEqual([res.status, res.body.error?.code], [400, 'E_BAD_REQUEST'], JSON.stringify(bad));
    }
    const odd = await call<CreatedTokenJson>('POST', '/api/tokens', {}, { host: 'evil.example;rm -rf /' });
    assert.match(odd.body.installCommand, /outpost agent --server http:\/\/SERVER-ADDRESS --token-file \/etc\/outpost\/enrol-token$/);
  });
});
