import { createHash, randomUUID } from 'node:crypto';
import esdb from '@eventstore/db-client';
import type { AllStreamResolvedEvent, AllStreamSubscription, ResolvedEvent } from '@eventstore/db-client';
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
  type SqlStatement,
} from '../types.js';
import { GENESIS_HASH, chainHash } from '../hashing.js';
import { prepareEvents, type PreparedEvent } from '../prepare.js';
import { nextSeal, verifyLog, type SealHeads, type SealRecord } from '../integrity.js';

const { EventStoreDBClient, jsonEvent, streamNameFilter, WrongExpectedVersionError, StreamNotFoundError } = esdb;
type Client = InstanceType<typeof EventStoreDBClient>;

export interface EsdbEventStoreOptions {
  /** e.g. `esdb://127.0.0.1:2113?tls=false` or a cluster `esdb://a:2113,b:2113,c:2113`. */
  connectionString: string;
  /** Prefix of every stream this store writes (its "schema"); the tests give each store its own. */
  namespace?: string;
  /**
   * Runs an append's `alongside` statements (the caller's own tables, e.g. the personal-data vault in PostgreSQL).
   * EventStoreDB cannot share a transaction with them, so they run first and must be idempotent: once an append
   * succeeds its rows are there; a failed append may leave rows that no event cites. Without it an append with
   * statements is refused rather than silently dropping them.
   */
  runAlongside?: (statements: SqlStatement[]) => Promise<void>;
}

/** What the adapter keeps in each event's EventStoreDB metadata: ours plus the hash chain. */
interface Envelope {
  metadata: EventMetadata;
  occurredAt: string | null;
  recordedAt: string;
  prevHash: string;
  hash: string;
}

/** Streams of the adapter's own under the namespace: seals, and one claim per event id. */
const INTERNAL = '_xuncha.';
const NAMESPACE = /^[a-z0-9_-]{0,40}$/;
const ANY_RETRIES = 50;
const PAGE = 1000;

/**
 * The `EventStore` port on EventStoreDB / KurrentDB. Revisions are ESDB's plus one; positions are
 * $all commit positions. The hash chain is computed here: each append reads the stream's head and
 * writes pinned to that revision, so a racing writer fails (and an 'any' append retries) instead of
 * forking the chain. Event ids are claimed in a stream of their own before the write, which is how
 * a reused id is recognised across streams (EventStoreDB only deduplicates the very same write).
 */
export class EsdbEventStore implements EventStore {
  readonly client: Client;
  private readonly ns: string;
  private readonly subscriptions = new Set<EsdbSubscription>();

  private constructor(private readonly options: EsdbEventStoreOptions) {
    this.ns = options.namespace ?? '';
    if (!NAMESPACE.test(this.ns)) throw new Error(`Invalid EventStoreDB namespace "${this.ns}"`);
    this.client = EventStoreDBClient.connectionString(options.connectionString);
  }

  static async open(options: EsdbEventStoreOptions): Promise<EsdbEventStore> {
    const store = new EsdbEventStore(options);
    try {
      await store.headPosition();
    } catch (error) {
      await store.client.dispose();
      throw error;
    }
    return store;
  }

  /** Our stream ids in $all: the namespace, then not a system stream and not one of ours. */
  get filterRegex(): string {
    return `^${escapeRegex(this.ns)}(?!\\$|${escapeRegex(INTERNAL)})`;
  }

  private name(streamId: string): string {
    return `${this.ns}${streamId}`;
  }

  private get sealStream(): string {
    return `${this.ns}${INTERNAL}seals`;
  }

  private claimStream(id: string): string {
    return `${this.ns}${INTERNAL}id-${id}`;
  }

  private isOurs(e: { streamId: string; type: string }): boolean {
    return e.streamId.startsWith(this.ns) && !e.type.startsWith('$') && new RegExp(this.filterRegex).test(e.streamId);
  }

  async appendToStream(streamId: string, events: NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    const expected = options.expectedRevision ?? 'any';
    const prepared = prepareEvents(streamId, events, expected);
    if (streamId.startsWith('$') || streamId.startsWith(INTERNAL)) {
      throw new InvalidEventError(`streamId must not start with "$" or "${INTERNAL}" on EventStoreDB`);
    }
    if (options.alongside?.length) {
      if (!this.options.runAlongside) {
        throw new InvalidEventError('statements alongside an append need a SQL database (runAlongside)');
      }
      await this.options.runAlongside(options.alongside);
    }
    const claimedHere = new Set<string>();
    for (let attempt = 0; ; attempt++) {
      const head = await this.head(this.name(streamId));
      const revision = head?.revision ?? 0;
      const mismatch =
        (expected === 'no_stream' && revision !== 0) ||
        (expected === 'stream_exists' && revision === 0) ||
        (typeof expected === 'number' && expected !== revision);
      const preexisting = await this.claim(streamId, prepared, claimedHere);
      if (preexisting.length > 0) {
        const replay = await this.replayed(streamId, prepared);
        if (replay) return replay;
      }
      if (mismatch) throw new WrongExpectedRevisionError(streamId, expected, revision);
      const recordedAt = new Date();
      let prevHash = head?.hash ?? GENESIS_HASH;
      const proposed = prepared.map((e, i) => {
        const hash = chainHash(
          { prevHash, streamId, revision: revision + i + 1, id: e.id, type: e.type, recordedAt },
          e.digest,
        );
        const envelope: Envelope = {
          metadata: JSON.parse(e.metadataJson) as EventMetadata,
          occurredAt: e.occurredAt,
          recordedAt: recordedAt.toISOString(),
          prevHash,
          hash,
        };
        prevHash = hash;
        return jsonEvent({ id: e.id, type: e.type, data: JSON.parse(e.dataJson), metadata: envelope as never });
      });
      try {
        const result = await this.client.appendToStream(this.name(streamId), proposed, {
          expectedRevision: revision === 0 ? 'no_stream' : BigInt(revision - 1),
        });
        if (preexisting.length > 0) {
          // EventStoreDB answers a write of the same ids at the same revision idempotently, without
          // writing: then what is stored is another attempt's (its recordedAt and hashes).
          const replay = await this.replayed(streamId, prepared);
          if (replay && replay.recordedAt.getTime() !== recordedAt.getTime()) return replay;
        }
        return {
          nextRevision: Number(result.nextExpectedRevision) + 1,
          position: toPosition(result.position?.commit),
          recordedAt,
          alreadyAppended: false,
        };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        if (expected === 'any' && attempt < ANY_RETRIES) {
          await new Promise((r) => setTimeout(r, Math.random() * Math.min(attempt + 1, 10)));
          continue;
        }
        const replay = await this.replayed(streamId, prepared);
        if (replay) return replay;
        const actual = typeof error.actualVersion === 'bigint' ? Number(error.actualVersion) + 1 : 0;
        throw new WrongExpectedRevisionError(streamId, expected, actual);
      }
    }
  }

  /**
   * Claims every event id for (stream, type, data); returns the ids claimed before this call
   * (by an earlier attempt of the same request, or by another write: EventIdConflictError then).
   */
  private async claim(streamId: string, prepared: PreparedEvent[], claimedHere: Set<string>): Promise<string[]> {
    const preexisting: string[] = [];
    await Promise.all(
      prepared.map(async (e) => {
        if (claimedHere.has(e.id)) return;
        const claim = { streamId, type: e.type, data: sha256(e.dataJson) };
        try {
          await this.client.appendToStream(this.claimStream(e.id), jsonEvent({ type: 'EventIdClaimed', data: claim }), {
            expectedRevision: 'no_stream',
          });
          claimedHere.add(e.id);
        } catch (error) {
          if (!(error instanceof WrongExpectedVersionError)) throw error;
          const [latest] = await this.readRaw(this.claimStream(e.id), {
            direction: 'backwards',
            fromRevision: 'end',
            maxCount: 1,
          });
          const data = latest?.event?.data as typeof claim | undefined;
          if (!data || data.streamId !== claim.streamId || data.type !== claim.type || data.data !== claim.data) {
            // A claim of other content stands only if its event was written. One whose writer never appended (it
            // was killed between claim and append, or lost a race and retried with other content) is taken over,
            // pinned to the claim's revision so that two takers cannot both win.
            const written = data && (await this.readStream(data.streamId)).some((x) => x.id === e.id);
            if (written || !latest?.event) throw new EventIdConflictError(streamId);
            try {
              await this.client.appendToStream(
                this.claimStream(e.id),
                jsonEvent({ type: 'EventIdClaimed', data: claim }),
                { expectedRevision: latest.event.revision },
              );
            } catch (taken) {
              if (taken instanceof WrongExpectedVersionError) throw new EventIdConflictError(streamId);
              throw taken;
            }
            claimedHere.add(e.id);
            return;
          }
          preexisting.push(e.id);
        }
      }),
    );
    return preexisting;
  }

  /** The original result when every id is already in the stream with the same content. */
  private async replayed(streamId: string, prepared: PreparedEvent[]): Promise<AppendResult | null> {
    const ids = new Map(prepared.map((e) => [e.id, e]));
    const found = (await this.readStream(streamId)).filter((e) => ids.has(e.id));
    if (found.length === 0) return null;
    const same = found.every((e) => e.type === ids.get(e.id)!.type);
    if (found.length !== prepared.length || !same) throw new EventIdConflictError(streamId);
    return {
      nextRevision: Math.max(...found.map((e) => e.revision)),
      position: Math.max(...found.map((e) => e.position)),
      recordedAt: new Date(Math.max(...found.map((e) => e.recordedAt.getTime()))),
      alreadyAppended: true,
    };
  }

  private async head(name: string): Promise<RecordedEvent | undefined> {
    const [last] = await this.readRaw(name, { direction: 'backwards', fromRevision: 'end', maxCount: 1 });
    return last ? this.toRecorded(last) : undefined;
  }

  private async readRaw(
    name: string,
    options: { direction?: 'forwards' | 'backwards'; fromRevision?: bigint | 'start' | 'end'; maxCount?: number },
  ): Promise<ResolvedEvent[]> {
    const out: ResolvedEvent[] = [];
    try {
      for await (const e of this.client.readStream(name, options)) out.push(e);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return out;
  }

  private toRecorded(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent {
    const e = resolved.event!;
    const envelope = e.metadata as unknown as Envelope;
    return {
      streamId: e.streamId.slice(this.ns.length),
      revision: Number(e.revision) + 1,
      position: toPosition(e.position?.commit),
      id: e.id,
      type: e.type,
      data: e.data,
      metadata: envelope.metadata,
      occurredAt: envelope.occurredAt ? new Date(envelope.occurredAt) : null,
      recordedAt: new Date(envelope.recordedAt),
      prevHash: envelope.prevHash,
      hash: envelope.hash,
    };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const from = options.fromRevision ?? 1;
    const to = options.toRevision ?? Number.MAX_SAFE_INTEGER;
    if (to < from) return [];
    const raw = await this.readRaw(this.name(streamId), {
      fromRevision: BigInt(Math.max(from, 1) - 1),
      maxCount: to === Number.MAX_SAFE_INTEGER ? undefined : to - Math.max(from, 1) + 1,
    });
    const until = options.until?.getTime();
    return raw.map((e) => this.toRecorded(e)).filter((e) => until === undefined || e.recordedAt.getTime() <= until);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return this.readAfter(options.fromPosition ?? 0, options.limit ?? 1000);
  }

  /** $all forwards after an exclusive position, our events only (readAll takes no server-side filter). */
  private async readAfter(position: number, limit: number): Promise<RecordedEvent[]> {
    const out: RecordedEvent[] = [];
    let from: bigint | null = position > 0 ? BigInt(position) : null;
    for (;;) {
      let n = 0;
      let last: bigint | null = null;
      for await (const e of this.client.readAll({
        fromPosition: from === null ? 'start' : { commit: from, prepare: from },
        maxCount: PAGE,
      })) {
        n++;
        const commit = e.event?.position?.commit ?? e.commitPosition;
        if (commit === undefined) continue;
        last = commit;
        if (from !== null && commit <= from) continue;
        const ev = e.event!;
        // Read to the end of the page: a read left half-way is never finished, and dispose() waits for it.
        if (out.length < limit && this.isOurs({ streamId: ev.streamId, type: ev.type })) out.push(this.toRecorded(e));
      }
      if (out.length >= limit || n < PAGE || last === null) return out;
      from = last;
    }
  }

  async headPosition(): Promise<number> {
    let from: 'end' | { commit: bigint; prepare: bigint } = 'end';
    for (;;) {
      let n = 0;
      const page: AsyncIterable<AllStreamResolvedEvent> = this.client.readAll({
        direction: 'backwards',
        fromPosition: from,
        maxCount: 100,
      });
      let found: number | undefined;
      for await (const e of page) {
        n++;
        const ev = e.event!;
        if (found === undefined && this.isOurs({ streamId: ev.streamId, type: ev.type })) {
          found = toPosition(ev.position?.commit);
        }
        if (ev.position) from = { commit: ev.position.commit, prepare: ev.position.prepare };
      }
      if (found !== undefined) return found;
      if (n < 100) return 0;
    }
  }

  async streamRevision(streamId: string): Promise<number> {
    return (await this.head(this.name(streamId)))?.revision ?? 0;
  }

  async hasEvents(): Promise<boolean> {
    return (await this.headPosition()) > 0;
  }

  subscribeToAll(options: SubscribeOptions, handler: (batch: RecordedEvent[]) => Promise<void>): Subscription {
    const subscription = new EsdbSubscription(this, options, handler, (e) => this.toRecorded(e));
    this.subscriptions.add(subscription);
    void subscription.done.catch(() => undefined).finally(() => this.subscriptions.delete(subscription));
    return subscription;
  }

  private async seals(): Promise<SealRecord[]> {
    return (await this.readRaw(this.sealStream, {})).map((e) => {
      const d = e.event!.data as Omit<SealRecord, 'sealedAt'> & { sealedAt: string };
      return { ...d, sealedAt: new Date(d.sealedAt) };
    });
  }

  async verifyStream(streamId: string): Promise<VerifyReport> {
    const events = await this.readStream(streamId);
    return verifyLog({ seals: await this.seals(), total: events.length, pages: once(events), streamId });
  }

  async verifyAll(
    options: { onProgress?: (eventsChecked: number, total: number) => void } = {},
  ): Promise<VerifyReport> {
    // The chain is checked per stream: the whole filtered $all is read and grouped (held in memory).
    const all: RecordedEvent[] = [];
    for (let position = 0; ;) {
      const page = await this.readAfter(position, 5000);
      all.push(...page);
      if (page.length < 5000) break;
      position = page[page.length - 1].position;
    }
    all.sort((a, b) => (a.streamId === b.streamId ? a.revision - b.revision : a.streamId < b.streamId ? -1 : 1));
    return verifyLog({
      seals: await this.seals(),
      total: all.length,
      pages: once(all),
      onProgress: options.onProgress,
    });
  }

  async seal(): Promise<SealResult> {
    const seals = await this.seals();
    const prev = seals[seals.length - 1];
    const prevUpTo = prev?.upToPosition ?? 0;
    const upTo = await this.headPosition();
    if (prev && upTo <= prevUpTo) {
      return { seq: prev.seq, upToPosition: prevUpTo, eventCount: prev.eventCount, hash: prev.hash, created: false };
    }
    const heads: SealHeads = {};
    let count = 0;
    for (let position = prevUpTo; position < upTo;) {
      const page = await this.readAfter(position, 5000);
      if (page.length === 0) break;
      for (const e of page) {
        if (e.position > upTo) break;
        count++;
        const head = heads[e.streamId];
        if (!head || e.revision > head[0]) heads[e.streamId] = [e.revision, e.hash];
      }
      position = page[page.length - 1].position;
    }
    const seal = nextSeal(prev, upTo, heads, count, new Date(Math.floor(Date.now())));
    try {
      // Pinned to the seal before: of two racing sealers one writes, the other finds the work done.
      await this.client.appendToStream(
        this.sealStream,
        jsonEvent({ id: randomUUID(), type: 'LogSealed', data: { ...seal, sealedAt: seal.sealedAt.toISOString() } }),
        { expectedRevision: prev ? BigInt(prev.seq - 1) : 'no_stream' },
      );
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) return this.seal();
      throw error;
    }
    return { seq: seal.seq, upToPosition: upTo, eventCount: seal.eventCount, hash: seal.hash, created: true };
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.client.dispose();
  }
}

/** A commit position as the port's number; beyond 2^53 it cannot be one, and this says so. */
export function toPosition(commit: bigint | undefined): number {
  if (commit === undefined || commit === 18446744073709551615n) {
    throw new Error('EventStoreDB returned no commit position for an event (EventStoreDB 22.6 or later fills it)');
  }
  if (commit > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(
      `EventStoreDB commit position ${commit} is beyond 2^53: the port's positions are JavaScript numbers`,
    );
  }
  return Number(commit);
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function* once(events: RecordedEvent[]): AsyncIterable<RecordedEvent[]> {
  yield events;
}

/**
 * Catch-up then live over one filtered $all subscription. Events are queued as they arrive and
 * handed over in batches; the checkpoint moves after the handler, events at or below it are never
 * handed over again, and a dropped subscription is resumed from the checkpoint.
 */
class EsdbSubscription implements Subscription {
  readonly done: Promise<void>;
  private current: number;
  private stopped = false;
  private sub: AllStreamSubscription | null = null;
  private queue: RecordedEvent[] = [];
  private failure: Error | null = null;
  private wake: (() => void) | null = null;

  constructor(
    private readonly store: EsdbEventStore,
    private readonly options: SubscribeOptions,
    private readonly handler: (batch: RecordedEvent[]) => Promise<void>,
    private readonly convert: (e: AllStreamResolvedEvent) => RecordedEvent,
  ) {
    this.current = options.fromPosition;
    this.done = this.run();
  }

  get position(): number {
    return this.current;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.notify();
    await this.done.catch(() => undefined);
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private open(): void {
    const from = this.queue.length ? this.queue[this.queue.length - 1].position : this.current;
    const sub = this.store.client.subscribeToAll({
      fromPosition: from === 0 ? 'start' : { commit: BigInt(from), prepare: BigInt(from) },
      filter: streamNameFilter({ regex: this.store.filterRegex }),
    });
    this.sub = sub;
    const batchSize = this.options.batchSize ?? 500;
    sub.on('data', (resolved: AllStreamResolvedEvent) => {
      if (this.sub !== sub || !resolved.event || resolved.event.type.startsWith('$')) return;
      try {
        const e = this.convert(resolved);
        const last = this.queue.length ? this.queue[this.queue.length - 1].position : this.current;
        if (e.position <= last) return;
        this.queue.push(e);
        if (this.queue.length >= batchSize * 2) sub.pause();
      } catch (error) {
        this.failure =
          error instanceof Error ? error : new Error('Could not convert a subscribed event', { cause: error });
      }
      this.notify();
    });
    sub.on('error', (error: unknown) => {
      if (this.sub !== sub || this.stopped) return;
      this.sub = null;
      this.options.onReadError?.(error);
      this.notify();
    });
  }

  private async run(): Promise<void> {
    let backoff = 50;
    try {
      while (!this.stopped) {
        if (this.failure) throw this.failure;
        if (!this.sub) {
          if (backoff > 50) await new Promise((r) => setTimeout(r, backoff));
          if (this.stopped) break;
          this.open();
          backoff = Math.min(backoff * 2, 2000);
        }
        if (this.queue.length === 0) {
          await new Promise<void>((resolve) => {
            this.wake = resolve;
            if (this.stopped || this.queue.length || !this.sub || this.failure) this.notify();
          });
          continue;
        }
        backoff = 50;
        const batch = this.queue.splice(0, this.options.batchSize ?? 500);
        await this.handler(batch);
        this.current = batch[batch.length - 1].position;
        if (this.sub?.isPaused && this.queue.length < (this.options.batchSize ?? 500)) this.sub.resume();
      }
    } finally {
      const sub = this.sub;
      this.sub = null;
      // Cancelling the call is enough; a dropped one has nothing left to wait for.
      void sub?.unsubscribe().catch(() => undefined);
    }
  }
}
