// A full disk under the agent's state directory is an everyday fault on endpoints, not a bug: the
// outbox's transaction rolls back (nothing half-written), and the caller gets a stable code that
// says what to do instead of "Internal error".
import { OutpostError } from '../../shared/errors.js';

/** SQLite's "database or disk is full" (SQLITE_FULL) or the OS's ENOSPC / EDQUOT. */
export function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT';
}

/** The same error as an E_DISK_FULL OutpostError when it is a full disk; otherwise unchanged. */
export function asDiskFull(err: unknown): unknown {
  return isDiskFull(err) ? new OutpostError('E_DISK_FULL') : err;
}
