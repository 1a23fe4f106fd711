import type { ReadModelCheckpoint } from '../projections/projection-status.service.js';

/** How many answers are kept; the least recently used one goes first. */
export const ANSWER_CACHE_ENTRIES = 500;

interface Entry {
  version: string;
  value: Promise<unknown>;
}

/**
 * Read-model answers kept by the checkpoint they were computed at. A read model changes only when the projector
 * commits a batch, which moves the checkpoint (or, on a rebuild's swap, its generation): an answer computed when the
 * checkpoint was P is the answer for every request that sees P, so identical requests between two batches are answered
 * from memory, and concurrent ones share one query. The figures served can only be as fresh as, or fresher than, the
 * X-Projection-Position they are answered with (the query runs after the checkpoint was read), so read-your-writes
 * holds (an answer kept by its round's version was computed at a checkpoint no later than the one it is served at,
 * and nothing it reads changed in between). The key must name everything the answer depends on: the endpoint, every
 * parameter, the office date and whatever the caller's role narrows.
 */
export class AnswerCache {
  private readonly entries = new Map<string, Entry>();
  hits = 0;
  misses = 0;

  constructor(private readonly capacity = ANSWER_CACHE_ENTRIES) {}

  get size(): number {
    return this.entries.size;
  }

  /**
   * The answer for `key` at `checkpoint`; computes it when there is none (or no checkpoint to key it by). An answer
   * confined to one round (`round`: it reads only that round's rows and rows of no one round) is kept by that round's
   * version instead of the checkpoint's position, so batches that change other rounds leave it valid.
   */
  answer<T>(
    key: string,
    checkpoint: ReadModelCheckpoint | undefined,
    compute: () => Promise<T>,
    round?: string,
  ): Promise<T> {
    if (checkpoint === undefined || checkpoint.generation === '') return compute();
    const version =
      round !== undefined && checkpoint.round?.id === round
        ? `${checkpoint.generation}:round@${checkpoint.round.version}`
        : `${checkpoint.generation}:${checkpoint.position}`;
    const found = this.entries.get(key);
    if (found !== undefined && found.version === version) {
      this.hits++;
      this.entries.delete(key);
      this.entries.set(key, found);
      return found.value as Promise<T>;
    }
    this.misses++;
    const value = compute();
    const entry: Entry = { version, value };
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    // A failed query is not kept: the next request tries again.
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return value;
  }
}
