// `outpost store copy --from DIR|FILE --to postgres://...`: a stopped server's SQLite store into an
// empty PostgreSQL database (server/store/copy/), with progress and a count per table.
import { z } from 'zod';
import { isOutpostError, OutpostError } from '../../shared/errors.js';
import { copySqliteToPostgres, type CopyEvent } from '../../server/store/copy/copy-store.js';
import { describeStore } from '../../server/store/open-store.js';
import { resolveSettings, type SettingSpec } from '../config.js';

const COPY_SETTINGS = {
  from: { schema: z.string().trim().min(1, 'must name the SQLite file or the data directory'), flag: '--from' },
  to: {
    schema: z
      .string()
      .trim()
      .refine((s) => /^postgres(ql)?:\/\/\S+$/i.test(s), 'must be a postgres:// URL'),
    flag: '--to',
  },
} satisfies Record<string, SettingSpec<unknown>>;

/** How often a long table says how far it got. */
const PROGRESS_EVERY_MS = 2_000;

export async function storeCopyCommand(flags: Record<string, unknown>, now: () => number = Date.now): Promise<void> {
  const { from, to } = resolveSettings(COPY_SETTINGS, flags);
  const target = describeStore({ dataDir: '', store: to });
  let lastProgress = now();
  const onEvent = (event: CopyEvent) => {
    if (event.kind === 'start') {
      const rows = event.tables.reduce((sum, t) => sum + t.rows, 0);
      console.log(`Copying ${from} (schema version ${event.version}, ${event.tables.length} tables, ${rows} rows) into ${target}`);
      if (event.onlineDevices > 0) {
        console.error(
          `outpost: warning: ${event.onlineDevices} devices are marked connected in the SQLite store: if its server still runs, ` +
            'stop it; what it receives after this copy began is not copied.',
        );
      }
    } else if (event.kind === 'progress') {
      if (now() - lastProgress < PROGRESS_EVERY_MS || event.copied === event.total) return;
      lastProgress = now();
      console.log(`  ${event.table}: ${event.copied} of ${event.total} rows...`);
    } else {
      console.log(`  ${event.table}: ${event.rows} rows`);
    }
  };
  const report = await copySqliteToPostgres({ from, to, onEvent }).catch((err: unknown) => {
    // The code goes with the message: what an admin searches the README for, and what a script tests.
    throw isOutpostError(err) ? new OutpostError(err.code, `${err.message} (${err.code})`) : err;
  });
  const rows = report.tables.reduce((sum, t) => sum + t.rows, 0);
  console.log(
    `Copied ${rows} rows in ${report.tables.length} tables; every table's count matches. ` +
      `Start the servers with --store ${target} (and the same --data files: see "Moving to PostgreSQL").`,
  );
}
