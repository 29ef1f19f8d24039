// Aho-Corasick over literal strings: which of many words occur in a text, in one pass over the text
// whatever the number of words. The prohibited-software matcher keys each pattern by its longest
// literal run, so a package name is only glob-matched against the patterns that could match it.

export class LiteralIndex<V> {
  private readonly next: Map<string, number>[] = [new Map<string, number>()];
  private readonly fail: number[] = [0];
  private readonly out: V[][] = [[]];
  private built = false;

  /** Files `value` under `word` (a non-empty string); call before the first `find`. */
  add(word: string, value: V): void {
    if (this.built) throw new Error('LiteralIndex: add after find');
    let state = 0;
    for (const ch of word) {
      let to = this.next[state]!.get(ch);
      if (to === undefined) {
        to = this.next.length;
        this.next.push(new Map<string, number>());
        this.fail.push(0);
        this.out.push([]);
        this.next[state]!.set(ch, to);
      }
      state = to;
    }
    this.out[state]!.push(value);
  }

  /** Every value whose word occurs in `text`, each once, in no particular order. */
  find(text: string): Set<V> {
    this.build();
    const found = new Set<V>();
    let state = 0;
    for (const ch of text) {
      while (state !== 0 && !this.next[state]!.has(ch)) state = this.fail[state]!;
      state = this.next[state]!.get(ch) ?? 0;
      for (const v of this.out[state]!) found.add(v);
    }
    return found;
  }

  /** Failure links breadth-first; each state's output also holds the outputs of its suffixes. */
  private build(): void {
    if (this.built) return;
    this.built = true;
    const queue = [...this.next[0]!.values()];
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!;
      for (const [ch, to] of this.next[state]!) {
        queue.push(to);
        let f = this.fail[state]!;
        while (f !== 0 && !this.next[f]!.has(ch)) f = this.fail[f]!;
        const suffix = this.next[f]!.get(ch) ?? 0;
        this.fail[to] = suffix;
        if (this.out[suffix]!.length) this.out[to] = [...this.out[to]!, ...this.out[suffix]!];
      }
    }
  }
}
