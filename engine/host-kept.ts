// What the host keeps between the reads of one run: answers until a write may have changed them,
// and what is held open (a connection) until the run ends.

/** The answer under key in store, computed when there is none; a rejected answer is forgotten. */
export function keep<T>(store: Map<string, Promise<unknown>>, key: string, compute: () => Promise<T>): Promise<T> {
  const kept = store.get(key);
  if (kept) return kept as Promise<T>;
  const answer = compute();
  store.set(key, answer);
  answer.catch(() => store.get(key) === answer && store.delete(key));
  return answer;
}

interface Entry {
  opened: Promise<unknown>;
  close(): Promise<void>;
}

/** Things opened once per run by key: a failed open is not kept, a lost one is forgotten. */
export class Held {
  private readonly entries = new Map<string, Entry>();

  /** See HostView.hold. */
  hold<T>(key: string, open: (lost: () => void) => Promise<T>, close: (held: T) => Promise<void>): Promise<T> {
    const kept = this.entries.get(key);
    if (kept) return kept.opened as Promise<T>;
    let entry: Entry | undefined;
    // Forgets this opening only: a later one under the same key is not touched by a late call.
    const forget = () => void (entry && this.entries.get(key) === entry && this.entries.delete(key));
    const opened = open(forget);
    entry = { opened, close: () => opened.then(close) };
    this.entries.set(key, entry);
    opened.catch(forget);
    return opened;
  }

  /** Closes what is held under key, if anything, and forgets it: the next hold opens anew. */
  async release(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    await entry.close().catch(() => {});
  }

  /** Closes everything held and forgets it; a failure to close is ignored (the run's work is done). */
  async closeAll(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(entries.map((e) => e.close().catch(() => {})));
  }
}
