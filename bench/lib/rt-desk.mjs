// The private Request Tracker 5 the desk benches run against (bench/desk.mjs, bench/self-service.mjs):
// the server's --desk rt arguments, which both need alike, and RT's REST API as its admin.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tsImport } from 'tsx/esm/api';

const { rtRest } = await tsImport('../../test/support/rt.ts', import.meta.url);

/**
 * Arguments that start a server on loopback (port 0) with `rt` as its desk, polling RT every
 * `pollSeconds`. RT's token goes to a file in `dir` (0600), as an administrator would pass it.
 * `extra`: more desk flags (e.g. --desk-approval-poll).
 */
export function rtServerArgs({ dir, dataDir, rt, pollSeconds, extra = [] }) {
  const secretFile = join(dir, 'rt-token');
  writeFileSync(secretFile, rt.token, { mode: 0o600 });
  return [
    'server',
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--data',
    dataDir,
    '--desk',
    'rt',
    '--desk-url',
    rt.url,
    '--desk-user',
    rt.user,
    '--desk-secret-file',
    secretFile,
    '--desk-poll',
    String(pollSeconds),
    '--desk-requester-domain',
    'example.com',
    ...extra,
  ];
}

/**
 * Calls RT's REST 2.0 API as its administrator (a person in RT, not Outpost's desk account), through the
 * tests' own client (test/support/rt.ts rtRest); a refusal throws.
 */
export function rtAsAdmin(rt) {
  return async (method, path, body) => {
    const answer = await rtRest(rt, method, path, body);
    if (answer.status >= 300) throw new Error(`RT ${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
}
