// The agent idles on every endpoint for weeks and works in short bursts (a scan, a batch sent), so
// it trades a little burst speed for a small resident footprint (README, Numbers: agent idle RSS).
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * How often the compactor looks, and how much heap growth makes it act. 1 MB, not more: the idle
 * agent's live heap is about 13 MB, and at a 4 MB threshold it sat with 4 MB of garbage and 3 MB of
 * free pages on top (README, Numbers: 3-4 MB more RSS than at 1 MB, for no measurable CPU saved).
 */
export const COMPACTOR = { intervalMs: 10_000, growthBytes: 1024 * 1024 } as const;

/**
 * Call before the agent's modules load. The young generation keeps its first size (2 MB): V8 grows
 * it to 16 MB during start-up and a scan and never gives it back, though a burst leaves almost
 * nothing alive in it. TurboFan is off: it compiles a scan's parsers for a speed-up the next scan,
 * hours later, rarely uses, and keeps the machine code. Returns a full collection on demand (a
 * no-op if this Node does not give one: the agent then runs as before, only larger).
 */
export function tuneHeapForIdle(): () => void {
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--no-opt');
  // The one way to a collection on demand without a command-line flag: `--expose-gc` set at run
  // time exposes `gc` only to contexts made after it, hence the fresh one.
  setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('typeof gc === "function" ? gc : undefined');
  if (typeof gc !== 'function') return () => undefined;
  // Without arguments: a full, synchronous collection (with an options object from this context,
  // Node 20's V8 ran a young-generation one).
  return () => (gc as () => void)();
}

export interface CompactorDeps {
  compact: () => void;
  /** The heap's committed size (v8 heapStatistics total_heap_size). */
  heapBytes?: () => number;
}

/**
 * After a burst the heap keeps the pages it grew into until V8 next collects in earnest, which an
 * idle process may not do for hours. Every intervalMs, if the heap has grown by growthBytes over
 * its lowest size since the last collection, collects once: the freed pages go back to the OS.
 * Idle, it costs one look a tick; the timer never keeps the process alive.
 */
export function startHeapCompactor(deps: CompactorDeps): () => void {
  const heapBytes = deps.heapBytes ?? (() => getHeapStatistics().total_heap_size);
  // Start-up is a burst too: the first look always collects.
  let lowest = -Infinity;
  const timer = setInterval(() => {
    const now = heapBytes();
    if (now - lowest < COMPACTOR.growthBytes) {
      lowest = Math.min(lowest, now);
      return;
    }
    deps.compact();
    lowest = heapBytes();
  }, COMPACTOR.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
