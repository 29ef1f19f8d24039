// Loaded into the server under test with `node --import` (bench/fleet/server.mjs): how long the
// server's event loop was held up, per phase of bench/fleet.mjs. A request to the API waits for the
// turn in progress, so the longest turns are the API's worst latencies. On SIGUSR2 it writes what it
// measured since the last SIGUSR2 (or its start) to OUTPOST_BENCH_LOOP_FILE and starts again:
// perf_hooks' event-loop delay (a timer every 5 ms, how late it fired: a turn's length less the
// timer's place in it), and how much of the time the loop was busy.
import { renameSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

const file = process.env.OUTPOST_BENCH_LOOP_FILE;
if (file) {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  let elu = performance.eventLoopUtilization();
  process.on('SIGUSR2', () => {
    const used = performance.eventLoopUtilization(elu);
    const ms = (ns) => ns / 1e6;
    const out = {
      p50: ms(delay.percentile(50)),
      p99: ms(delay.percentile(99)),
      max: ms(delay.max),
      samples: delay.count,
      busy: used.utilization,
    };
    writeFileSync(`${file}.tmp`, JSON.stringify(out));
    renameSync(`${file}.tmp`, file);
    delay.reset();
    elu = performance.eventLoopUtilization();
  });
}
