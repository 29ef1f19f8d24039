// The parts of the PostgreSQL store another change fills in: any call says so plainly instead of
// failing somewhere deeper. Removed once every part is written.
export function pending<T extends object>(part: string, known: Partial<T> = {}): T {
  return new Proxy(known as T, {
    get(target, prop) {
      if (prop in target) return (target as Record<string | symbol, unknown>)[prop];
      if (prop === 'then') return undefined; // not a promise
      return () => {
        throw new Error(`The PostgreSQL store does not do ${part}.${String(prop)} yet`);
      };
    },
  });
}
