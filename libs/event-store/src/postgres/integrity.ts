import type pg from 'pg';
import type { RecordedEvent, SealResult, VerifyReport } from '../types.js';
import { nextSeal, verifyLog, type SealHeads, type SealRecord } from '../integrity.js';
import { EVENT_COLUMNS, toRecorded, type EventRow } from './rows.js';
import { eventRowTypes } from './timestamps.js';

interface SealRow {
  seq: string;
  sealed_at: Date;
  up_to_position: string;
  event_count: string;
  heads: SealHeads;
  prev_hash: Buffer;
  hash: Buffer;
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
      const heads: SealHeads = {};
      for (const r of changed) heads[r.stream_id] = [Number(r.revision), r.hash.toString('hex')];
      const { rows: now } = await client.query<{ now: Date }>(
        `SELECT date_trunc('milliseconds', clock_timestamp()) AS now`,
      );
      const seal = nextSeal(prev && toSealRecord(prev), upTo, heads, Number(counted[0].n), now[0].now);
      await client.query(
        `INSERT INTO ${this.schema}.es_seals (seq, sealed_at, up_to_position, event_count, heads, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          seal.seq,
          seal.sealedAt,
          upTo,
          seal.eventCount,
          JSON.stringify(heads),
          Buffer.from(seal.prevHash, 'hex'),
          Buffer.from(seal.hash, 'hex'),
        ],
      );
      await client.query('COMMIT');
      return { seq: seal.seq, upToPosition: upTo, eventCount: seal.eventCount, hash: seal.hash, created: true };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.off('error', ignore);
      client.release();
    }
  }

  /** The same checks as every adapter's (verifyLog), over the rows read page by page in (stream, revision) order. */
  async verify(options: {
    streamId?: string;
    onProgress?: (done: number, total: number) => void;
  }): Promise<VerifyReport> {
    const { streamId } = options;
    const { rows: sealRows } = await this.pool.query<SealRow>(`SELECT * FROM ${this.schema}.es_seals ORDER BY seq`);
    const { rows: totals } = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${this.schema}.es_events ${streamId ? 'WHERE stream_id = $1' : ''}`,
      streamId ? [streamId] : [],
    );
    return verifyLog({
      seals: sealRows.map(toSealRecord),
      total: Number(totals[0].n),
      pages: this.pages(streamId),
      streamId,
      onProgress: options.onProgress,
    });
  }

  private async *pages(streamId: string | undefined): AsyncGenerator<RecordedEvent[]> {
    let after: [string, number] = ['', 0];
    for (;;) {
      const { rows } = await this.pool.query<EventRow>({
        text: streamId
          ? `SELECT ${EVENT_COLUMNS} FROM ${this.schema}.es_events
              WHERE stream_id = $1 AND revision > $2 ORDER BY revision LIMIT ${PAGE}`
          : `SELECT ${EVENT_COLUMNS} FROM ${this.schema}.es_events
              WHERE (stream_id, revision) > ($1, $2) ORDER BY stream_id, revision LIMIT ${PAGE}`,
        values: streamId ? [streamId, after[1]] : after,
        types: eventRowTypes,
      });
      yield rows.map(toRecorded);
      if (rows.length < PAGE) return;
      const last = rows[rows.length - 1];
      after = [last.stream_id, Number(last.revision)];
    }
  }
}

function toSealRecord(row: SealRow): SealRecord {
  return {
    seq: Number(row.seq),
    sealedAt: row.sealed_at,
    upToPosition: Number(row.up_to_position),
    eventCount: Number(row.event_count),
    heads: row.heads,
    prevHash: row.prev_hash.toString('hex'),
    hash: row.hash.toString('hex'),
  };
}
