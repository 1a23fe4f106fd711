/** The event store port. It knows streams, revisions and positions — nothing of the domain. */

export interface Actor {
  id: string;
  username: string;
  role: string;
}

export interface EventMetadata {
  actor: Actor;
  correlationId: string;
  causationId: string;
  [key: string]: unknown;
}

/** What a caller hands to `appendToStream`. */
export interface NewEvent<Type extends string = string, Data = unknown> {
  /** Caller-supplied uuid makes a retried request idempotent; generated when absent. */
  id?: string;
  type: Type;
  data: Data;
  metadata: Partial<EventMetadata> & { actor: Actor };
  /** When the user says it happened; `recordedAt` is always the server's clock. */
  occurredAt?: Date | string | null;
}

export interface RecordedEvent<Type extends string = string, Data = unknown> {
  streamId: string;
  /** 1-based, gap-free within a stream. */
  revision: number;
  /** Global order, strictly increasing in the order readers receive events. */
  position: number;
  id: string;
  type: Type;
  data: Data;
  metadata: EventMetadata;
  occurredAt: Date | null;
  recordedAt: Date;
  prevHash: string;
  hash: string;
}

/**
 * `number`: the stream's current revision (0 = empty); `no_stream`: must not exist yet;
 * `stream_exists`: must have at least one event; `any`: no check.
 */
export type ExpectedRevision = number | 'no_stream' | 'stream_exists' | 'any';

export interface AppendOptions {
  expectedRevision?: ExpectedRevision;
  /**
   * Statements of the caller's own tables committed in the same transaction as the events (run
   * right after them): both or neither (e.g. the personal-data vault rows a LeadRecorded cites). SQL stores only;
   * an empty list is the same as none. A retried append whose events are there already runs them
   * again, so they must be idempotent (INSERT … ON CONFLICT DO NOTHING).
   */
  alongside?: SqlStatement[];
}

export interface SqlStatement {
  text: string;
  values: unknown[];
}

export interface AppendResult {
  /** The stream's revision after the append: pass it as `expectedRevision` next time. */
  nextRevision: number;
  /** Global position of the last event written. */
  position: number;
  recordedAt: Date;
  /** True when every event id had been appended before: nothing was written. */
  alreadyAppended: boolean;
}

export interface ReadStreamOptions {
  fromRevision?: number;
  toRevision?: number;
  /** Only events recorded at or before this moment ("the state as it was then"). */
  until?: Date;
}

export interface ReadAllOptions {
  /** Exclusive: events with a position greater than this. 0 reads from the start. */
  fromPosition?: number;
  limit?: number;
}

export interface SubscribeOptions {
  /** Exclusive checkpoint: delivery starts after this position (0 = from the start). */
  fromPosition: number;
  batchSize?: number;
  /** Called when a read fails (e.g. a dropped connection); the subscription retries. */
  onReadError?: (error: unknown) => void;
}

export interface Subscription {
  /** The position of the last event handed to the handler and acknowledged. */
  readonly position: number;
  /** Resolves when the subscription has stopped; rejects if the handler threw. */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

export interface ChainBreak {
  streamId: string;
  revision: number;
  position?: number;
  expectedHash?: string;
  actualHash?: string;
  reason: string;
}

export interface VerifyReport {
  ok: boolean;
  streamsChecked: number;
  eventsChecked: number;
  sealsChecked: number;
  firstBreak?: ChainBreak;
}

export interface SealResult {
  seq: number;
  upToPosition: number;
  eventCount: number;
  hash: string;
  created: boolean;
}

export interface EventStore {
  appendToStream(streamId: string, events: NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  subscribeToAll(options: SubscribeOptions, handler: (batch: RecordedEvent[]) => Promise<void>): Subscription;
  /** The highest position a reader can see now (every event at or below it is visible). */
  headPosition(): Promise<number>;
  /** The stream's current revision (0 when it has no events). */
  streamRevision(streamId: string): Promise<number>;
  /** Any event at all, also one not yet visible to readers (readAll/headPosition may stop below it). */
  hasEvents(): Promise<boolean>;
  verifyStream(streamId: string): Promise<VerifyReport>;
  verifyAll(options?: { onProgress?: (eventsChecked: number, total: number) => void }): Promise<VerifyReport>;
  seal(): Promise<SealResult>;
  /** Stops every subscription and releases the connections. */
  close(): Promise<void>;
}

export class WrongExpectedRevisionError extends Error {
  readonly code = 'WRONG_EXPECTED_REVISION';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number,
  ) {
    super(`Stream ${streamId}: expected revision ${String(expected)}, actual ${actual}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

export class EventIdConflictError extends Error {
  readonly code = 'EVENT_ID_CONFLICT';
  constructor(readonly streamId: string) {
    super(`Stream ${streamId}: an event id was reused with different content`);
    this.name = 'EventIdConflictError';
  }
}

export class InvalidEventError extends Error {
  readonly code = 'INVALID_EVENT';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventError';
  }
}
