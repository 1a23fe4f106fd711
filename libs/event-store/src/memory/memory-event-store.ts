import { EventEmitter } from 'node:events';
import {
  EventIdConflictError,
  InvalidEventError,
  WrongExpectedRevisionError,
  type AppendOptions,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SealResult,
  type SubscribeOptions,
  type Subscription,
  type VerifyReport,
} from '../types.js';
import { GENESIS_HASH, chainHash } from '../hashing.js';
import { prepareEvents } from '../prepare.js';
import { nextSeal, verifyLog, type SealHeads, type SealRecord } from '../integrity.js';

/**
 * What an in-memory store holds: the global log in position order, an index by stream, the seals.
 * Handed in (or read back through `InMemoryEventStore.log`) like a database file: whoever has it
 * can change history behind the store's back, which is what the tamper tests do.
 */
export class MemoryLog {
  readonly events: RecordedEvent[] = [];
  readonly seals: SealRecord[] = [];
  streams = new Map<string, RecordedEvent[]>();
  /** Event id → the canonical text of its data, for recognising a retried append. */
  dataJson = new Map<string, string>();

  /** Rebuilds the stream index from `events` after they were changed directly. */
  reindex(): void {
    this.streams = new Map();
    for (const e of [...this.events].sort((a, b) => a.revision - b.revision)) {
      const list = this.streams.get(e.streamId) ?? [];
      list.push(e);
      this.streams.set(e.streamId, list);
    }
  }
}

export interface InMemoryEventStoreOptions {
  log?: MemoryLog;
}

/** Readers get their own copy: changing what was read never changes the log. */
const copy = (e: RecordedEvent): RecordedEvent => ({
  ...e,
  data: e.data === undefined ? null : JSON.parse(JSON.stringify(e.data)),
  metadata: JSON.parse(JSON.stringify(e.metadata)) as EventMetadata,
  occurredAt: e.occurredAt ? new Date(e.occurredAt.getTime()) : null,
  recordedAt: new Date(e.recordedAt.getTime()),
});

/**
 * The `EventStore` port in memory, for tests and tools: the same validation, expected revisions,
 * idempotency, positions, hash chain and seals as PostgreSQL, in one process and without persistence.
 */
export class InMemoryEventStore implements EventStore {
  readonly log: MemoryLog;
  private readonly appended = new EventEmitter();
  private readonly subscriptions = new Set<MemorySubscription>();
  private lastPosition = 0;

  constructor(options: InMemoryEventStoreOptions = {}) {
    this.log = options.log ?? new MemoryLog();
    this.lastPosition = this.log.events.reduce((max, e) => Math.max(max, e.position), 0);
    this.appended.setMaxListeners(0);
  }

  async appendToStream(streamId: string, events: NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    const expected = options.expectedRevision ?? 'any';
    const prepared = prepareEvents(streamId, events, expected);
    if (options.alongside?.length) throw new InvalidEventError('statements alongside an append need a SQL store');
    const known = prepared.filter((e) => this.log.dataJson.has(e.id));
    if (known.length > 0) {
      const originals = prepared.map((e) => this.findById(e.id));
      const same = prepared.every((e, i) => {
        const o = originals[i];
        return o && o.streamId === streamId && o.type === e.type && this.log.dataJson.get(e.id) === e.dataJson;
      });
      if (known.length !== prepared.length || !same) throw new EventIdConflictError(streamId);
      const found = originals as RecordedEvent[];
      return {
        nextRevision: Math.max(...found.map((e) => e.revision)),
        position: Math.max(...found.map((e) => e.position)),
        recordedAt: new Date(Math.max(...found.map((e) => e.recordedAt.getTime()))),
        alreadyAppended: true,
      };
    }
    const stream = this.log.streams.get(streamId) ?? [];
    const head = stream.length ? stream[stream.length - 1].revision : 0;
    const mismatch =
      (expected === 'no_stream' && head !== 0) ||
      (expected === 'stream_exists' && head === 0) ||
      (typeof expected === 'number' && expected !== head);
    if (mismatch) throw new WrongExpectedRevisionError(streamId, expected, head);
    const recordedAt = new Date();
    let prevHash = stream.length ? stream[stream.length - 1].hash : GENESIS_HASH;
    const written = prepared.map((e, i): RecordedEvent => {
      const revision = head + i + 1;
      const hash = chainHash({ prevHash, streamId, revision, id: e.id, type: e.type, recordedAt }, e.digest);
      const recorded: RecordedEvent = {
        streamId,
        revision,
        position: ++this.lastPosition,
        id: e.id,
        type: e.type,
        data: JSON.parse(e.dataJson),
        metadata: JSON.parse(e.metadataJson) as EventMetadata,
        occurredAt: e.occurredAt === null ? null : new Date(e.occurredAt),
        recordedAt,
        prevHash,
        hash,
      };
      prevHash = hash;
      return recorded;
    });
    for (const [i, e] of written.entries()) {
      this.log.events.push(e);
      this.log.dataJson.set(e.id, prepared[i].dataJson);
    }
    this.log.streams.set(streamId, [...stream, ...written]);
    const last = written[written.length - 1];
    this.appended.emit('appended');
    return { nextRevision: last.revision, position: last.position, recordedAt, alreadyAppended: false };
  }

  private findById(id: string): RecordedEvent | undefined {
    return this.log.events.find((e) => e.id === id);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const from = options.fromRevision ?? 1;
    const to = options.toRevision ?? Number.MAX_SAFE_INTEGER;
    const until = options.until?.getTime();
    return (this.log.streams.get(streamId) ?? [])
      .filter((e) => e.revision >= from && e.revision <= to && (until === undefined || e.recordedAt.getTime() <= until))
      .map(copy);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return this.readAfter(options.fromPosition ?? 0, options.limit ?? 1000);
  }

  /** The events after `position` in position order; the log is kept sorted, so a binary search finds the start. */
  readAfter(position: number, limit: number): RecordedEvent[] {
    const events = this.log.events;
    let lo = 0;
    let hi = events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (events[mid].position <= position) lo = mid + 1;
      else hi = mid;
    }
    return events.slice(lo, lo + limit).map(copy);
  }

  async headPosition(): Promise<number> {
    const events = this.log.events;
    return events.length ? events[events.length - 1].position : 0;
  }

  async streamRevision(streamId: string): Promise<number> {
    const stream = this.log.streams.get(streamId) ?? [];
    return stream.length ? stream[stream.length - 1].revision : 0;
  }

  async hasEvents(): Promise<boolean> {
    return this.log.events.length > 0;
  }

  subscribeToAll(options: SubscribeOptions, handler: (batch: RecordedEvent[]) => Promise<void>): Subscription {
    const subscription = new MemorySubscription(this, this.appended, options, handler);
    this.subscriptions.add(subscription);
    void subscription.done.catch(() => undefined).finally(() => this.subscriptions.delete(subscription));
    return subscription;
  }

  async verifyStream(streamId: string): Promise<VerifyReport> {
    const events = this.sortedForVerify().filter((e) => e.streamId === streamId);
    return verifyLog({ seals: this.log.seals, total: events.length, pages: pagesOf(events), streamId });
  }

  async verifyAll(
    options: { onProgress?: (eventsChecked: number, total: number) => void } = {},
  ): Promise<VerifyReport> {
    const events = this.sortedForVerify();
    return verifyLog({
      seals: this.log.seals,
      total: events.length,
      pages: pagesOf(events),
      onProgress: options.onProgress,
    });
  }

  private sortedForVerify(): RecordedEvent[] {
    return [...this.log.events].sort((a, b) =>
      a.streamId === b.streamId ? a.revision - b.revision : a.streamId < b.streamId ? -1 : 1,
    );
  }

  async seal(): Promise<SealResult> {
    const prev = this.log.seals[this.log.seals.length - 1];
    const prevUpTo = prev?.upToPosition ?? 0;
    const upTo = await this.headPosition();
    if (prev && upTo <= prevUpTo) {
      return { seq: prev.seq, upToPosition: prevUpTo, eventCount: prev.eventCount, hash: prev.hash, created: false };
    }
    const heads: SealHeads = {};
    let count = 0;
    for (const e of this.log.events) {
      if (e.position <= prevUpTo || e.position > upTo) continue;
      count++;
      const head = heads[e.streamId];
      if (!head || e.revision > head[0]) heads[e.streamId] = [e.revision, e.hash];
    }
    const seal = nextSeal(prev, upTo, heads, count, new Date());
    this.log.seals.push(seal);
    return { seq: seal.seq, upToPosition: upTo, eventCount: seal.eventCount, hash: seal.hash, created: true };
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
  }
}

async function* pagesOf(events: RecordedEvent[], size = 5000): AsyncIterable<RecordedEvent[]> {
  for (let i = 0; i < events.length; i += size) yield events.slice(i, i + size);
  if (events.length === 0) yield [];
}

/** Catch-up then live: reads after its checkpoint until nothing is left, then waits for the next append. */
class MemorySubscription implements Subscription {
  readonly done: Promise<void>;
  private current: number;
  private stopped = false;
  private wake: (() => void) | null = null;
  private readonly onAppended = () => this.wakeUp();

  constructor(
    private readonly store: InMemoryEventStore,
    private readonly appended: EventEmitter,
    private readonly options: SubscribeOptions,
    private readonly handler: (batch: RecordedEvent[]) => Promise<void>,
  ) {
    this.current = options.fromPosition;
    appended.on('appended', this.onAppended);
    this.done = this.run().finally(() => appended.off('appended', this.onAppended));
  }

  get position(): number {
    return this.current;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp();
    await this.done.catch(() => undefined);
  }

  private async run(): Promise<void> {
    // Let the caller finish wiring up before the first batch arrives, as with the other adapters.
    await new Promise((resolve) => setImmediate(resolve));
    while (!this.stopped) {
      const batch = this.store.readAfter(this.current, this.options.batchSize ?? 500);
      if (batch.length === 0) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          if (this.stopped) resolve();
        });
        this.wake = null;
        continue;
      }
      await this.handler(batch);
      this.current = batch[batch.length - 1].position;
    }
  }

  private wakeUp(): void {
    this.wake?.();
  }
}
