// Deadlines for a loaded machine. A test's deadline only says when to give up on something that
// should happen (never how fast it must happen: speed lives in bench/), and the numbers in the tests
// are written for a quiet machine. CI runs the whole suite, two files at a time, on a 2-core box that
// other work loads too, where a server start or an agent scan takes many times as long; a wide
// deadline costs nothing while the test passes. OUTPOST_TEST_DEADLINE_SCALE sets the factor
// (1 restores the written deadlines, e.g. to see a hang sooner when debugging).
export const DEADLINE_SCALE = scale(process.env.OUTPOST_TEST_DEADLINE_SCALE);

function scale(text: string | undefined): number {
  const n = Number(text ?? 4);
  return Number.isFinite(n) && n >= 1 ? n : 4;
}

/** `ms` stretched by DEADLINE_SCALE: for a wait's upper bound or a suite's timeout, never for a delay. */
export function deadline(ms: number): number {
  return ms * DEADLINE_SCALE;
}
