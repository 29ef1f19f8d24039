import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { consoleRoutes, defaultConsoleDir } from './console.js';

const INDEX = '<!doctype html><title>Outpost</title><script type="module" src="/assets/app-abc123.js"></script>';

async function serverFor(dir: string): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: { code: 'E_NOT_FOUND', message: 'No route.' } }));
  app.get('/api/devices', async () => ({ items: [] }));
  await consoleRoutes(app, { dir });
  await app.ready();
  return app;
}

describe('consoleRoutes', () => {
  let dir: string;
  let app: FastifyInstance;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'outpost-console-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), INDEX);
    writeFileSync(join(dir, 'assets', 'app-abc123.js'), 'console.log(1)');
    writeFileSync(join(dir, 'mark.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(dir, '.secret'), 'no');
    app = await serverFor(dir);
  });
  after(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / uncached, with a strict CSP and the other security headers', async () => {
    const res = await app.inject({ url: '/' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, INDEX);
    assert.match(res.headers['content-type'] as string, /^text\/html/);
    assert.equal(res.headers['cache-control'], 'no-cache');
    const csp = res.headers['content-security-policy'] as string;
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /style-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
    assert.equal(res.headers['x-frame-options'], 'DENY');
  });

  it('serves hashed assets with a long immutable cache', async () => {
    const res = await app.inject({ url: '/assets/app-abc123.js' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, 'console.log(1)');
    assert.match(res.headers['content-type'] as string, /javascript/);
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
  });

  it('answers index.html for console pages a browser opens directly', async () => {
    const res = await app.inject({ url: '/devices/5b0c?q=x', headers: { accept: 'text/html,application/xhtml+xml' } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, INDEX);
    assert.equal(res.headers['cache-control'], 'no-cache');
  });

  it('leaves /api and /agent to the server: real routes answer, unknown ones are a JSON 404', async () => {
    assert.deepEqual((await app.inject({ url: '/api/devices', headers: { accept: 'text/html' } })).json(), { items: [] });
    for (const url of ['/api/nope', '/agent', '/agent/x']) {
      const res = await app.inject({ url, headers: { accept: 'text/html' } });
      assert.equal(res.statusCode, 404, url);
      assert.equal(res.json<{ error: { code: string } }>().error.code, 'E_NOT_FOUND');
    }
  });

  it('does not answer HTML for a missing asset or a non-browser request', async () => {
    assert.equal((await app.inject({ url: '/assets/gone-123.js', headers: { accept: 'text/html' } })).statusCode, 404);
    assert.equal((await app.inject({ url: '/devices', headers: { accept: 'application/json' } })).statusCode, 404);
  });

  it('never serves files outside the folder or dot files', async () => {
    for (const url of ['/../package.json', '/%2e%2e/%2e%2e/etc/passwd', '/.secret', '/assets/..%2F..%2Fetc%2Fpasswd']) {
      const res = await app.inject({ url, headers: { accept: 'application/json' } });
      assert.equal(res.statusCode, 404, url);
      assert.doesNotMatch(res.body, /root:|"name"|^no$/);
    }
  });

  it('answers 503 with a plain explanation when the console is not built', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'outpost-console-empty-'));
    const bare = await serverFor(empty);
    try {
      const res = await bare.inject({ url: '/' });
      assert.equal(res.statusCode, 503);
      assert.match(res.body, /console is not built/);
      const page = await bare.inject({ url: '/tickets/4', headers: { accept: 'text/html' } });
      assert.equal(page.statusCode, 503);
    } finally {
      await bare.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('defaultConsoleDir', () => {
  it('points at dist/console under the package root', () => {
    const dir = defaultConsoleDir();
    assert.match(dir, /[/\\]dist[/\\]console$/);
    assert.ok(existsSync(join(dir, '..', '..', 'package.json')));
  });
});
