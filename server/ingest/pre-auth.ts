// What an unauthenticated agent connection may cost the server. Anyone who can reach the port can
// open one, so until a device has authenticated (hello or enrol) each connection is counted, per
// address and in total, and refused at the HTTP upgrade (before any WebSocket or deflate state exists)
// once either cap is reached. A slot is given back when the connection authenticates or closes.
export const PRE_AUTH_DEFAULTS = {
  /** Unauthenticated connections one address may hold at once (agents behind one NAT included). */
  perAddress: 32,
  /** Unauthenticated connections the server holds at once. */
  total: 512,
  /** How long a connection may take to authenticate. */
  timeoutMs: 5_000,
  /** After a pre-auth refusal, how long a peer may take to answer the close before it is cut off. */
  closeGraceMs: 1_000,
} as const;

export interface PreAuthLimits {
  perAddress: number;
  total: number;
}

export type Admission = { ok: true; release: () => void } | { ok: false; refusal: 'address' | 'total' };

export class PreAuthLimiter {
  private readonly byAddress = new Map<string, number>();
  private count = 0;

  constructor(private readonly limits: PreAuthLimits) {}

  /** Takes a slot for a new connection from `address`; `release` (idempotent) gives it back. */
  admit(address: string): Admission {
    const held = this.byAddress.get(address) ?? 0;
    if (held >= this.limits.perAddress) return { ok: false, refusal: 'address' };
    if (this.count >= this.limits.total) return { ok: false, refusal: 'total' };
    this.byAddress.set(address, held + 1);
    this.count++;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.count--;
        const left = (this.byAddress.get(address) ?? 1) - 1;
        if (left > 0) this.byAddress.set(address, left);
        else this.byAddress.delete(address);
      },
    };
  }

  get size(): number {
    return this.count;
  }
}
