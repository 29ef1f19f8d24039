// `outpost server --store postgres://...` end to end: the server process keeps its data in a real
// PostgreSQL (a private cluster this test starts), the token CLI writes to the same database beside
// the running server, and a restarted server finds it all where it was. (A real agent's session also
// reads its tickets at hello, the ticket side of the PostgreSQL store: its end-to-end run joins this
// file with that side.)
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freshDatabase } from './support/postgres.js';
import { runToEnd, startServer, tempDir, type ServerProc } from './support/outpost.js';

interface TokenJson {
  id: string;
  label: string | null;
  state: string;
}

describe('the server on PostgreSQL (--store)', () => {
  const dir = tempDir();
  const data = join(dir, 'server');
  let store: string;
  let server: ServerProc;
  const cli = async (...args: string[]) => {
    const r = await runToEnd([...args, '--data', data, '--store', store]);
    assert.equal(r.code, 0, r.output);
    return r.stdout;
  };

  before(async () => {
    // The test cluster trusts its local socket, so the password is not checked: it is there to be kept out of logs.
    store = (await freshDatabase({ schema: false })).replace('@', ':not-for-logs-7d1@');
    server = await startServer(data, { env: { OUTPOST_STORE: store } });
  });
  after(async () => {
    await server?.stop();
  });

  it('creates its schema in an empty database and shares it with the token CLI while it runs', async () => {
    await cli('token', 'create', '--label', 'pg rollout');
    const { body } = await server.api<{ items: TokenJson[] }>('/api/tokens');
    assert.deepEqual(
      body.items.map((t) => [t.label, t.state]),
      [['pg rollout', 'active']],
    );
    await cli('token', 'revoke', body.items[0]!.id);
    const listed = (JSON.parse(await cli('token', 'list', '--json')) as { items: TokenJson[] }).items;
    assert.deepEqual(
      listed.map((t) => [t.label, t.state]),
      [['pg rollout', 'revoked']],
    );
    assert.match(server.output(), /"store":"postgresql:/, 'the log says where the data is');
    assert.doesNotMatch(server.output(), /not-for-logs-7d1/, 'never the password');
  });

  it('finds its data again after a restart on the same database', async () => {
    await server.stop();
    server = await startServer(data, { env: { OUTPOST_STORE: store } });
    const { body } = await server.api<{ items: TokenJson[] }>('/api/tokens');
    assert.deepEqual(
      body.items.map((t) => [t.label, t.state]),
      [['pg rollout', 'revoked']],
    );
    assert.equal((await server.api<{ total: number }>('/api/devices')).body.total, 0);
  });

  it('refuses a store setting that is neither sqlite nor a postgres:// URL, by name', async () => {
    const r = await runToEnd(['server', '--port', '0', '--data', data, '--store', 'mysql://db/outpost']);
    assert.notEqual(r.code, 0);
    assert.match(r.output, /--store \(from flag\): must be sqlite or a postgres:\/\/ URL/);
  });
});
