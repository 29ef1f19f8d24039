// Test helper for outbox-crash.test.ts, run as its own process: records changing snapshots as fast
// as it can and prints "<seq> <digest>" after each commit, until the test kills it with SIGKILL.
import { emptySnapshot } from '../../shared/delta.js';
import type { Snapshot, Software } from '../../shared/inventory.js';
import { silentLogger } from '../../shared/log.js';
import { Outbox } from '../../agent/outbox/outbox.js';

const [path, startArg] = process.argv.slice(2);
if (!path) throw new Error('usage: outbox-crash-child.ts <outbox path> [first round]');

function machine(round: number): Snapshot {
  const software: Software[] = [];
  for (let i = 0; i < 300; i++) {
    // Every round upgrades a few packages and installs one more, so every delta is non-empty.
    software.push({ name: `pkg-${i}`, version: `1.${i % 7 === round % 7 ? round : 0}`, source: 'dpkg', scope: 'machine', arch: 'amd64' });
  }
  software.push({ name: `extra-${round}`, version: '1', source: 'dpkg', scope: 'machine' });
  return { ...emptySnapshot('crash-pc'), os: { platform: 'linux', hostname: 'crash-pc' }, software };
}

const outbox = new Outbox({ path, log: silentLogger, maxInventoryBacklog: 1_000_000 });
outbox.start();
for (let round = Number(startArg ?? 0); ; round++) {
  const recorded = outbox.recordSnapshot('refresh', machine(round));
  if (recorded) process.stdout.write(`${recorded.seq} ${outbox.baseline()!.digest}\n`);
}
