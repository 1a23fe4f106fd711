import { createHash, randomUUID } from 'node:crypto';
import { InvalidEventError, type ExpectedRevision, type NewEvent } from './types.js';
import { canonicalJson } from './hashing.js';

/** An event checked and in its canonical form: what every adapter stores and hashes. */
export interface PreparedEvent {
  id: string;
  type: string;
  /** Canonical JSON of the data and of the metadata (correlation and causation ids filled in). */
  dataJson: string;
  metadataJson: string;
  /** ISO-8601 in UTC, or null. */
  occurredAt: string | null;
  /** SHA-256 of canonical {data, metadata, occurredAt} (see hashing.ts). */
  digest: Buffer;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_STREAM_ID = 200;

/** The validation every adapter applies before it writes anything (InvalidEventError otherwise). */
export function prepareEvents(streamId: string, events: NewEvent[], expected: ExpectedRevision): PreparedEvent[] {
  if (typeof streamId !== 'string' || streamId.length === 0 || streamId.length > MAX_STREAM_ID) {
    throw new InvalidEventError(`streamId must be a non-empty string of at most ${MAX_STREAM_ID} characters`);
  }
  if (!Array.isArray(events) || events.length === 0) throw new InvalidEventError('events must be a non-empty array');
  const validExpected =
    expected === 'any' ||
    expected === 'no_stream' ||
    expected === 'stream_exists' ||
    (Number.isSafeInteger(expected) && expected >= 0);
  if (!validExpected) {
    throw new InvalidEventError(
      `expectedRevision must be a revision number >= 0, 'no_stream', 'stream_exists' or 'any'`,
    );
  }
  const ids = new Set<string>();
  return events.map((event, i) => {
    const id = (event.id ?? randomUUID()).toLowerCase();
    if (!UUID.test(id)) throw new InvalidEventError(`events[${i}].id must be a uuid`);
    if (ids.has(id)) throw new InvalidEventError('event ids must be unique within one append');
    ids.add(id);
    if (typeof event.type !== 'string' || event.type.length === 0) {
      throw new InvalidEventError(`events[${i}].type must be a non-empty string`);
    }
    const actor = event.metadata?.actor;
    for (const key of ['id', 'username', 'role'] as const) {
      if (!actor || typeof actor[key] !== 'string' || actor[key].length === 0) {
        throw new InvalidEventError(
          `events[${i}].metadata.actor.${key} is required: every event records who caused it`,
        );
      }
    }
    let occurredAt: string | null = null;
    if (event.occurredAt != null) {
      const at = new Date(event.occurredAt);
      if (Number.isNaN(at.getTime())) throw new InvalidEventError(`events[${i}].occurredAt must be a valid date`);
      occurredAt = at.toISOString();
    }
    // The canonical text is both what is stored and what is hashed, so it is computed once;
    // the digest's input is canonicalJson({data, metadata, occurredAt}) assembled from the parts.
    const dataJson = canonicalJson(event.data ?? null);
    const metadataJson = canonicalJson({
      ...event.metadata,
      correlationId: event.metadata.correlationId ?? id,
      causationId: event.metadata.causationId ?? id,
    });
    const occurred = occurredAt === null ? 'null' : `"${occurredAt}"`;
    const digest = createHash('sha256')
      .update(`{"data":${dataJson},"metadata":${metadataJson},"occurredAt":${occurred}}`, 'utf8')
      .digest();
    return { id, type: event.type, dataJson, metadataJson, occurredAt, digest };
  });
}
