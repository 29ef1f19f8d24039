// Transaction ids of what this connector wrote to RT, for the writes that carry no key of their
// own (a status change). Kept in memory and bounded: a poll comes within seconds of a write.
const MAX_IDS = 10_000;

export class OwnWrites {
  private readonly ids = new Set<string>();

  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > MAX_IDS) this.ids.delete(this.ids.values().next().value!);
  }

  get set(): ReadonlySet<string> {
    return this.ids;
  }
}
