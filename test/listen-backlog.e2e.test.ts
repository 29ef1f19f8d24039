// The server's listen backlog (TCP accept queue) is sized for reconnect storms and configurable:
// read back from the kernel with `ss`, whose Send-Q column is a listening socket's backlog.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startServer, tempDir, type ServerProc } from './support/outpost.js';

const backlogOf = (url: string): number => {
  const port = new URL(url).port;
  const line =
    execFileSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' })
      .trim()
      .split('\n')[0] ?? '';
  return Number(line.trim().split(/\s+/)[2]);
};
const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));

describe('listen backlog', () => {
  const servers: ServerProc[] = [];
  after(async () => {
    for (const s of servers) await s.stop();
  });

  it('is 4096 by default (as far as the OS allows) and OUTPOST_LISTEN_BACKLOG sets it', async () => {
    const dir = tempDir();
    const byDefault = await startServer(join(dir, 'a'));
    servers.push(byDefault);
    assert.equal(backlogOf(byDefault.url), Math.min(4096, somaxconn));
    const configured = await startServer(join(dir, 'b'), { env: { OUTPOST_LISTEN_BACKLOG: '1234' } });
    servers.push(configured);
    assert.equal(backlogOf(configured.url), Math.min(1234, somaxconn));
  });
});
