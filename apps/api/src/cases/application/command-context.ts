import type { AuthUser } from '../../auth/auth-user.js';
import type { IdempotencyScope } from '../../idempotency/derived-id.js';

/** Who asks, under which request, and against which revision: what every command carries besides its data. */
export interface CommandContext {
  actor: AuthUser;
  correlationId: string;
  /** From If-Match: the revision the caller saw. A mismatch answers 412 and writes nothing. */
  expectedRevision?: number;
  /** The server clock, read once per request at the edge (the domain never reads a clock). */
  now: Date;
  /**
   * From Idempotency-Key: the event ids (and vault refs) of this command derive from it, so a retry
   * after a crash finds what the first attempt committed and answers it instead of writing again.
   */
  idempotency?: IdempotencyScope;
  /**
   * The command the user sent, when it writes a second stream with another decider's command
   * (TriageLead as reclassify_as_finding records a finding): the events name what was sent.
   */
  sentAs?: string;
}

export interface CommandResult {
  id: string;
  revision: number;
  position: number;
}
