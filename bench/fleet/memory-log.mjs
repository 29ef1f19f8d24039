// Loaded into the server under test with --import when FLEET_MEMORY_LOG names a file: one JSON line a
// second of process.memoryUsage() (MB) per thread (the store and frame workers load it too), so a
// run shows what holds the RSS (heap, buffers) rather than the RSS alone. Bench only.
import { appendFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';

const file = process.env.FLEET_MEMORY_LOG;
const mb = (n) => Math.round(n / 2 ** 20);
setInterval(() => {
  const m = process.memoryUsage();
  const line = {
    t: Date.now(),
    thread: threadId,
    rss: mb(m.rss),
    heapUsed: mb(m.heapUsed),
    heapTotal: mb(m.heapTotal),
    external: mb(m.external),
    arrayBuffers: mb(m.arrayBuffers),
  };
  appendFileSync(file, `${JSON.stringify(line)}\n`);
}, 1000).unref();
