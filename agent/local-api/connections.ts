// Who holds the local API's connections, so that no local account can starve another. Node cannot
// see the account at the other end of a Unix socket (nor of a named pipe), so a connection is
// attributed by the first valid token it carries:
// - until then it is "unauthenticated": it may send only a small line (lines.ts), must show a token
//   within a few seconds, and all such connections together are capped; a new one pushes out the
//   oldest, so idle connections cannot keep an honest client, which sends its token at once, out;
// - after that it counts against the token's account, each account with its own cap, and the admin
//   token with an allowance of its own that users' connections never use up.
import type { Caller } from './callers.js';

export interface ConnectionLimits {
  maxUnauthenticated: number;
  maxPerAccount: number;
}

/** Where one connection stands. */
export interface Tracked {
  /** The account key its first valid token made it count against, or undefined before that. */
  owner?: string;
}

export class ConnectionBook<C extends Tracked> {
  /** Insertion-ordered: the first is the oldest. */
  private readonly unauthenticated = new Set<C>();
  private readonly byOwner = new Map<string, Set<C>>();

  constructor(private readonly limits: ConnectionLimits) {}

  /** Books a new connection; returns the oldest unauthenticated one to drop when over the cap. */
  open(conn: C): C | undefined {
    this.unauthenticated.add(conn);
    if (this.unauthenticated.size <= this.limits.maxUnauthenticated) return undefined;
    const oldest = this.unauthenticated.values().next().value!;
    this.unauthenticated.delete(oldest);
    return oldest;
  }

  /**
   * Counts the connection against the caller's account once it shows a valid token. False when the
   * account already holds all its connections: the caller is refused and the connection closed.
   */
  authenticate(conn: C, caller: Caller): boolean {
    if (conn.owner !== undefined) return true;
    const key = ownerKey(caller);
    const held = this.byOwner.get(key) ?? new Set<C>();
    if (held.size >= this.limits.maxPerAccount) return false;
    this.unauthenticated.delete(conn);
    held.add(conn);
    this.byOwner.set(key, held);
    conn.owner = key;
    return true;
  }

  close(conn: C): void {
    this.unauthenticated.delete(conn);
    if (conn.owner === undefined) return;
    const held = this.byOwner.get(conn.owner);
    held?.delete(conn);
    if (held?.size === 0) this.byOwner.delete(conn.owner);
  }

  counts(): { unauthenticated: number; accounts: Record<string, number> } {
    return { unauthenticated: this.unauthenticated.size, accounts: Object.fromEntries([...this.byOwner].map(([k, v]) => [k, v.size])) };
  }
}

/** The admin token never shares an allowance with an account of the same name. */
function ownerKey(caller: Caller): string {
  return caller.admin ? '(admin token)' : `user:${caller.account}`;
}
