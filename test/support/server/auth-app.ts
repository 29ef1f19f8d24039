// For tests: a Fastify app with registerAuth over a real SQLite file, a fake clock, a recording
// logger, one admin, and a protected GET and POST route that echo who called them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { RecordingLogger } from '../../fakes/recording-logger.js';
import { registerAuth } from '../../../server/api/auth.js';
import { hashSecret } from '../../../server/store/secrets.js';
import { SqliteAdminStore } from '../../../server/store/sqlite/admin-store.js';
import { openDatabase } from '../../../server/store/sqlite/open.js';
import { createAdminAccount } from '../../../server/auth/accounts.js';
import type { ScryptParams } from '../../../server/auth/passwords.js';

export const ADMIN = 'alice';
export const PASSWORD = 'correct horse battery staple';
export const ADMIN_TOKEN = 'test-admin-token-0123456789';
/** Cheap enough for many sign-ins per test; production hashes use DEFAULT_SCRYPT. */
export const TEST_SCRYPT: ScryptParams = { ln: 10, r: 8, p: 1 };

export interface AuthTestApp {
  app: FastifyInstance;
  admins: SqliteAdminStore;
  log: RecordingLogger;
  clock: { now: number };
  /** Signs in as ADMIN; returns the cookie header value, the CSRF token and the raw response. */
  signIn(password?: string, headers?: Record<string, string>): Promise<{ cookie: string; csrf: string; res: LightMyRequestResponse }>;
  close(): Promise<void>;
}

export async function startAuthTestApp(): Promise<AuthTestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-auth-'));
  const db = openDatabase(dir);
  const admins = new SqliteAdminStore(db);
  const log = new RecordingLogger();
  const clock = { now: Date.UTC(2025, 2, 1, 9) };
  await createAdminAccount(admins, ADMIN, PASSWORD, clock.now, TEST_SCRYPT);

  const app = Fastify({ logger: false });
  await registerAuth(app, { adminTokenHash: () => hashSecret(ADMIN_TOKEN), admins, now: () => clock.now, log });
  app.get('/api/thing', async (req) => ({ admin: req.admin }));
  app.post('/api/thing', async (req) => ({ admin: req.admin }));
  app.get('/api/health', async () => ({ ok: true }));
  app.get('/assets/app.js', async () => 'console code');

  const signIn: AuthTestApp['signIn'] = async (password = PASSWORD, headers = {}) => {
    const res = await app.inject({ method: 'POST', url: '/api/session', payload: { username: ADMIN, password }, headers });
    const setCookie = [res.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('outpost_session='));
    const cookie = setCookie ? setCookie.split(';')[0]! : '';
    const csrf = res.statusCode === 200 ? res.json<{ csrfToken: string }>().csrfToken : '';
    return { cookie, csrf, res };
  };

  return {
    app,
    admins,
    log,
    clock,
    signIn,
    close: async () => {
      await app.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
