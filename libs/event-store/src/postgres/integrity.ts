import type pg from 'pg';
import type { ChainBreak, SealResult, VerifyReport } from '../types.js';
import { GENESIS_HASH, eventHash, sealHash } from '../hashing.js';
import { EVENT_COLUMNS, toRecorded, type EventRow } from './rows.js';

type Heads = Record<string, [number, string]>;

interface SealRow {
  seq: string;
  sealed_at: Date;
  up_to_position: string;
  event_count: string;
  heads: Heads;
  prev_hash: Buffer;
  hash: Buffer;
}

interface SealState {
  sealsChecked: number;
  /** Every stream's head as of the latest seal. */
  heads: Map<string, [number, string]>;
  upToPosition: number;
  eventCount: number;
  brk?: ChainBreak;
}

const PAGE = 5000;

/** Hash-chain verification and seals: reads as plain SQL, recomputes every hash in Node. */
export class Integrity {
  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
  ) {}

  async seal(headPosition: () => Promise<number>): Promise<SealResult> {
    const client = await this.pool.connect();
    const ignore = () => undefined; // a dropped connection fails the query in flight, which is reported
    client.on('error', ignore);
    try {
      await client.query('BEGIN');
      // One sealer at a time across processes; a second one simply finds the work done.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${this.schema}.seal`]);
      const { rows: last } = await client.query<SealRow>(
        `SELECT * FROM ${this.schema}.es_seals ORDER BY seq DESC LIMIT 1`,
      );
      const prev = last[0];
      const prevUpTo = prev ? Number(prev.up_to_position) : 0;
      const upTo = await headPosition();
      if (prev && upTo <= prevUpTo) {
        await client.query('COMMIT');
        return {
          seq: Number(prev.seq),
          upToPosition: prevUpTo,
          eventCount: Number(prev.event_count),
          hash: prev.hash.toString('hex'),
          created: false,
        };
      }
      const { rows: changed } = await client.query<{ stream_id: string; revision: string; hash: Buffer }>(
        `SELECT DISTINCT ON (stream_id) stream_id, revision, hash FROM ${this.schema}.es_events
          WHERE position > $1 AND position <= $2 ORDER BY stream_id, revision DESC`,
        [prevUpTo, upTo],
      );
      const { rows: counted } = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${this.schema}.es_events WHERE position > $1 AND position <= $2`,
        [prevUpTo, upTo],
      );
      const heads: Heads = {};
      for (const r of changed) heads[r.stream_id] = [Number(r.revision), r.hash.toString('hex')];
      const seq = prev ? Number(prev.seq) + 1 : 1;
      const { rows: now } = await client.query<{ now: Date }>(
        `SELECT date_trunc('milliseconds', clock_timestamp()) AS now`,
      );
      const eventCount = (prev ? Number(prev.event_count) : 0) + Number(counted[0].n);
      const prevHash = prev ? prev.hash.toString('hex') : GENESIS_HASH;
      const hash = sealHash(prevHash, { seq, sealedAt: now[0].now, upToPosition: upTo, eventCount, heads });
      await client.query(
        `INSERT INTO ${this.schema}.es_seals (seq, sealed_at, up_to_position, event_count, heads, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          seq,
          now[0].now,
          upTo,
          eventCount,
          JSON.stringify(heads),
          Buffer.from(prevHash, 'hex'),
          Buffer.from(hash, 'hex'),
        ],
      );
      await client.query('COMMIT');
      return { seq, upToPosition: upTo, eventCount, hash, created: true };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.off('error', ignore);
      client.release();
    }
  }

  async verify(options: {
    streamId?: string;
    onProgress?: (done: number, total: number) => void;
  }): Promise<VerifyReport> {
    const seals = await this.verifySeals();
    const { streamId } = options;
    const { rows: totals } = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${this.schema}.es_events ${streamId ? 'WHERE stream_id = $1' : ''}`,
      streamId ? [streamId] : [],
    );
    const total = Number(totals[0].n);
    let firstBreak: ChainBreak | undefined = seals.brk;
    let eventsChecked = 0;
    let streamsChecked = 0;
    let countedBelowSeal = 0;
    let stream: string | null = null;
    let expectedRevision = 1;
    let prevHash = GENESIS_HASH;
    const note = (brk: ChainBreak) => {
      firstBreak ??= brk;
    };
    const endStream = (id: string, lastRevision: number) => {
      const sealed = seals.heads.get(id);
      if (sealed && lastRevision < sealed[0]) {
        note({
          streamId: id,
          revision: sealed[0],
          expectedHash: sealed[1],
          reason: `events after revision ${lastRevision} are missing: the seal recorded revision ${sealed[0]}`,
        });
      }
    };
    const seen = new Set<string>();
    let after: [string, number] = ['', 0];
    for (;;) {
      const { rows } = await this.pool.query<EventRow>(
        streamId
          ? `SELECT ${EVENT_COLUMNS} FROM ${this.schema}.es_events WHERE stream_id = $1 AND revision > $2 ORDER BY revision LIMIT ${PAGE}`
          : `SELECT ${EVENT_COLUMNS} FROM ${this.schema}.es_events WHERE (stream_id, revision) > ($1, $2) ORDER BY stream_id, revision LIMIT ${PAGE}`,
        streamId ? [streamId, after[1]] : after,
      );
      for (const row of rows) {
        const e = toRecorded(row);
        if (e.streamId !== stream) {
          if (stream !== null) endStream(stream, expectedRevision - 1);
          stream = e.streamId;
          seen.add(stream);
          streamsChecked++;
          expectedRevision = 1;
          prevHash = GENESIS_HASH;
        }
        if (e.revision !== expectedRevision) {
          note({
            streamId: e.streamId,
            revision: expectedRevision,
            position: e.position,
            reason: `revision ${expectedRevision} is missing (found ${e.revision} next)`,
          });
        } else if (e.prevHash !== prevHash) {
          note({
            streamId: e.streamId,
            revision: e.revision,
            position: e.position,
            expectedHash: prevHash,
            actualHash: e.prevHash,
            reason: 'prevHash does not match the previous event',
          });
        } else {
          const recomputed = eventHash(e);
          if (recomputed !== e.hash) {
            note({
              streamId: e.streamId,
              revision: e.revision,
              position: e.position,
              expectedHash: recomputed,
              actualHash: e.hash,
              reason: 'event content does not match its hash',
            });
          }
        }
        const sealed = seals.heads.get(e.streamId);
        if (sealed && e.revision === sealed[0] && e.hash !== sealed[1]) {
          note({
            streamId: e.streamId,
            revision: e.revision,
            position: e.position,
            expectedHash: sealed[1],
            actualHash: e.hash,
            reason: 'hash differs from the sealed head',
          });
        }
        if (e.position <= seals.upToPosition) {
          countedBelowSeal++;
          if (!sealed || e.revision > sealed[0]) {
            note({
              streamId: e.streamId,
              revision: e.revision,
              position: e.position,
              actualHash: e.hash,
              reason: 'event was not part of the log when it was sealed',
            });
          }
        }
        expectedRevision = e.revision + 1;
        prevHash = e.hash;
        eventsChecked++;
      }
      options.onProgress?.(eventsChecked, total);
      if (rows.length < PAGE) break;
      const lastRow = rows[rows.length - 1];
      after = [lastRow.stream_id, Number(lastRow.revision)];
    }
    if (stream !== null) endStream(stream, expectedRevision - 1);
    for (const [id, [revision, hash]] of seals.heads) {
      if ((!streamId || id === streamId) && !seen.has(id)) {
        note({
          streamId: id,
          revision,
          expectedHash: hash,
          reason: 'the whole stream is missing though it was sealed',
        });
      }
    }
    if (!streamId && countedBelowSeal !== seals.eventCount) {
      note({
        streamId: '*',
        revision: 0,
        reason: `the latest seal counted ${seals.eventCount} events up to position ${seals.upToPosition}, the log has ${countedBelowSeal}`,
      });
    }
    return {
      ok: firstBreak === undefined,
      streamsChecked,
      eventsChecked,
      sealsChecked: seals.sealsChecked,
      ...(firstBreak ? { firstBreak } : {}),
    };
  }

  private async verifySeals(): Promise<SealState> {
    const { rows } = await this.pool.query<SealRow>(`SELECT * FROM ${this.schema}.es_seals ORDER BY seq`);
    const state: SealState = { sealsChecked: 0, heads: new Map(), upToPosition: 0, eventCount: 0 };
    let prevHash = GENESIS_HASH;
    let expectedSeq = 1;
    for (const row of rows) {
      const seq = Number(row.seq);
      const seal = {
        seq,
        sealedAt: row.sealed_at,
        upToPosition: Number(row.up_to_position),
        eventCount: Number(row.event_count),
        heads: row.heads,
      };
      const recomputed = sealHash(prevHash, seal);
      if (
        seq !== expectedSeq ||
        row.prev_hash.toString('hex') !== prevHash ||
        recomputed !== row.hash.toString('hex')
      ) {
        state.brk ??= {
          streamId: '$seals',
          revision: expectedSeq,
          expectedHash: recomputed,
          actualHash: row.hash.toString('hex'),
          reason: 'the chain of seals is broken',
        };
      }
      for (const [id, head] of Object.entries(row.heads)) state.heads.set(id, head);
      state.upToPosition = seal.upToPosition;
      state.eventCount = seal.eventCount;
      prevHash = row.hash.toString('hex');
      expectedSeq = seq + 1;
      state.sealsChecked++;
    }
    return state;
  }
}
