import type { ChainBreak, RecordedEvent, VerifyReport } from './types.js';
import { GENESIS_HASH, eventHash, sealHash } from './hashing.js';

/** Every stream's [revision, hash] head that changed since the seal before. */
export type SealHeads = Record<string, [number, string]>;

export interface SealRecord {
  seq: number;
  sealedAt: Date;
  upToPosition: number;
  eventCount: number;
  heads: SealHeads;
  prevHash: string;
  hash: string;
}

/** The seal that follows `prev`, covering the log up to `upToPosition` (`newEvents` of them since `prev`). */
export function nextSeal(
  prev: SealRecord | undefined,
  upToPosition: number,
  heads: SealHeads,
  newEvents: number,
  sealedAt: Date,
): SealRecord {
  const seq = prev ? prev.seq + 1 : 1;
  const eventCount = (prev?.eventCount ?? 0) + newEvents;
  const prevHash = prev?.hash ?? GENESIS_HASH;
  const hash = sealHash(prevHash, { seq, sealedAt, upToPosition, eventCount, heads });
  return { seq, sealedAt, upToPosition, eventCount, heads, prevHash, hash };
}

interface SealState {
  sealsChecked: number;
  heads: Map<string, [number, string]>;
  upToPosition: number;
  eventCount: number;
  brk?: ChainBreak;
}

function verifySeals(seals: SealRecord[]): SealState {
  const state: SealState = { sealsChecked: 0, heads: new Map(), upToPosition: 0, eventCount: 0 };
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  for (const seal of seals) {
    const recomputed = sealHash(prevHash, seal);
    if (seal.seq !== expectedSeq || seal.prevHash !== prevHash || recomputed !== seal.hash) {
      state.brk ??= {
        streamId: '$seals',
        revision: expectedSeq,
        expectedHash: recomputed,
        actualHash: seal.hash,
        reason: 'the chain of seals is broken',
      };
    }
    for (const [id, head] of Object.entries(seal.heads)) state.heads.set(id, head);
    state.upToPosition = seal.upToPosition;
    state.eventCount = seal.eventCount;
    prevHash = seal.hash;
    expectedSeq = seal.seq + 1;
    state.sealsChecked++;
  }
  return state;
}

/**
 * Hash-chain and seal verification over any adapter's log: `pages` yields the events ordered by
 * (stream, revision) — of one stream when `streamId` is given. The same checks as on PostgreSQL.
 */
export async function verifyLog(input: {
  seals: SealRecord[];
  total: number;
  pages: AsyncIterable<RecordedEvent[]>;
  streamId?: string;
  onProgress?: (done: number, total: number) => void;
}): Promise<VerifyReport> {
  const seals = verifySeals(input.seals);
  const { streamId, total } = input;
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
  for await (const page of input.pages) {
    for (const e of page) {
      if (e.streamId !== stream) {
        if (stream !== null) endStream(stream, expectedRevision - 1);
        stream = e.streamId;
        seen.add(stream);
        streamsChecked++;
        expectedRevision = 1;
        prevHash = GENESIS_HASH;
      }
      const at = { streamId: e.streamId, position: e.position };
      if (e.revision !== expectedRevision) {
        note({
          ...at,
          revision: expectedRevision,
          reason: `revision ${expectedRevision} is missing (found ${e.revision} next)`,
        });
      } else if (e.prevHash !== prevHash) {
        note({
          ...at,
          revision: e.revision,
          expectedHash: prevHash,
          actualHash: e.prevHash,
          reason: 'prevHash does not match the previous event',
        });
      } else {
        const recomputed = eventHash(e);
        if (recomputed !== e.hash) {
          note({
            ...at,
            revision: e.revision,
            expectedHash: recomputed,
            actualHash: e.hash,
            reason: 'event content does not match its hash',
          });
        }
      }
      const sealed = seals.heads.get(e.streamId);
      if (sealed && e.revision === sealed[0] && e.hash !== sealed[1]) {
        note({
          ...at,
          revision: e.revision,
          expectedHash: sealed[1],
          actualHash: e.hash,
          reason: 'hash differs from the sealed head',
        });
      }
      if (e.position <= seals.upToPosition) {
        countedBelowSeal++;
        if (!sealed || e.revision > sealed[0]) {
          note({
            ...at,
            revision: e.revision,
            actualHash: e.hash,
            reason: 'event was not part of the log when it was sealed',
          });
        }
      }
      expectedRevision = e.revision + 1;
      prevHash = e.hash;
      eventsChecked++;
    }
    input.onProgress?.(eventsChecked, total);
  }
  if (stream !== null) endStream(stream, expectedRevision - 1);
  for (const [id, [revision, hash]] of seals.heads) {
    if ((!streamId || id === streamId) && !seen.has(id)) {
      note({ streamId: id, revision, expectedHash: hash, reason: 'the whole stream is missing though it was sealed' });
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
