import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLineLogger } from './line-logger.js';
import { createLogger } from './logger.js';
import type { Logger } from './log.js';

function recorded(level?: string) {
  const lines: string[] = [];
  const log = createLineLogger(level, (line) => lines.push(line));
  return { log, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>), lines };
}

describe('the agent line logger', () => {
  it('writes one JSON line per entry, pino-shaped: level number, time, bindings, fields, msg', () => {
    const { log, records, lines } = recorded('info');
    log.child({ part: 'link' }).warn({ attempt: 3 }, 'reconnecting');
    assert.equal(lines.length, 1);
    assert.ok(lines[0]!.endsWith('\n'));
    const [entry] = records();
    assert.deepEqual({ ...entry, time: typeof entry!.time }, { level: 40, time: 'number', part: 'link', attempt: 3, msg: 'reconnecting' });
  });

  it('leaves out entries below its level; an unknown level means info', () => {
    const quiet = recorded('warn');
    quiet.log.info({}, 'not shown');
    quiet.log.debug({}, 'not shown');
    quiet.log.error({}, 'shown');
    assert.deepEqual(
      quiet.records().map((r) => r.msg),
      ['shown'],
    );
    const odd = recorded('chatty');
    odd.log.debug({}, 'not shown');
    odd.log.info({}, 'shown');
    assert.deepEqual(
      odd.records().map((r) => r.msg),
      ['shown'],
    );
  });

  it('never writes a secret-bearing field, at the top level, one level down, or in bindings', () => {
    const { log, lines } = recorded('debug');
    log.child({ token: 'tok-in-binding' }).info({ password: 'hunter2', secret: 's3', nested: { authorization: 'Bearer abc', ok: 1 } }, 'x');
    const text = lines.join('');
    for (const secret of ['tok-in-binding', 'hunter2', 's3', 'Bearer abc']) assert.equal(text.includes(secret), false, secret);
    assert.deepEqual((JSON.parse(text) as { nested: unknown }).nested, { authorization: '[redacted]', ok: 1 });
  });

  it('censors exactly what the pino logger of the other processes censors, and keeps what it keeps', () => {
    const failure = Object.assign(new Error('disk full', { cause: new Error('ENOSPC') }), { code: 'E_DISK' });
    const write = (log: Logger) => {
      const child = log.child({ part: 'link', token: 'tok-in-binding', peer: { secret: 's-in-binding', id: 7 } });
      child.info(
        {
          secret: 's1',
          token: 't1',
          adminToken: 'a1',
          password: 'p1',
          authorization: 'Bearer b1',
          hints: { token: 't2', secret: 's2', authorization: 'Bearer b2', password: 'kept-by-both', deviceId: 'd1' },
          deep: { inner: { token: 'kept-by-both-too' } },
          list: [{ token: 'in-a-list' }],
          count: 3,
        },
        'hello sent',
      );
      log.warn({ url: 'ws://127.0.0.1:1' }, 'connection error');
      log.info({}, 'no fields');
      log.info({ noMessage: true });
      log.error({ err: failure }, 'write failed');
    };
    const ours = recorded('info');
    write(ours.log);
    const pinoLines: string[] = [];
    write(createLogger('info', { write: (l: string) => void pinoLines.push(l) }));
    const withoutTime = (l: string) => ({ ...(JSON.parse(l) as object), time: 0 });
    assert.equal(ours.lines.length, 5);
    assert.deepEqual(ours.lines.map(withoutTime), pinoLines.map(withoutTime));
  });

  it('logs an Error with its message, and a field it cannot serialise without throwing', () => {
    const { log, records } = recorded('info');
    log.error({ err: new Error('disk full') }, 'write failed');
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    log.error({ cycle }, 'still logged');
    const [first, second] = records();
    assert.equal((first!.err as { message: string }).message, 'disk full');
    assert.equal(second!.msg, 'still logged');
    assert.match(String(second!.logError), /circular/i);
  });
});
