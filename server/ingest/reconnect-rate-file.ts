// Where a server process keeps the reconnect rate it measured (reconnect-window.ts) across a
// restart: without it every restart starts from the prior, and the agents welcomed in a storm's
// first second (a tenth of a 3,000 fleet, measured) are told the prior's wider window and carry it
// into the next storm. A small JSON file in the data directory; a missing, unreadable or
// implausible file is the prior again, never an error.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { MAX_RATE, MIN_RATE, type RememberedRate } from './reconnect-window.js';

const RateFileSchema = z.object({ welcomesPerBusySecond: z.number().min(MIN_RATE).max(MAX_RATE) }).strict();

export function rateFile(path: string): RememberedRate {
  return {
    read() {
      try {
        const parsed = RateFileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
        return parsed.success ? parsed.data.welcomesPerBusySecond : undefined;
      } catch {
        return undefined;
      }
    },
    write(rate) {
      // Written aside and renamed: a crash mid-write leaves the old file or the new, never half of one.
      const aside = `${path}.${process.pid}.tmp`;
      writeFileSync(aside, JSON.stringify({ welcomesPerBusySecond: Math.round(rate) }));
      renameSync(aside, path);
    },
  };
}
