/**
 * Whether an error says the database cannot be reached right now (it is down, restarting, refusing
 * connections or out of them), as opposed to a query it refused. Those answer 503 DATABASE_UNAVAILABLE
 * with Retry-After, never 500: a retry with the same Idempotency-Key ends in the first answer or in
 * one fresh execution.
 */

/** How long a client should wait before retrying, in seconds. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

/** SQLSTATEs of an unreachable or restarting server (class 08 is matched as a whole). */
const SQLSTATES = new Set([
  '57P01', // admin_shutdown: terminating connection due to administrator command
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: the database system is starting up / shutting down
  '53300', // too_many_connections
  '58P01', // the server is restarting: could not access a file it needs
]);

/** Socket-level errors of node (and pg's connect timeout surfaces as one of the messages below). */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** What pg and its pool say when a connection drops or cannot be had (they carry no code). */
const MESSAGES = [
  /^Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error and is not queryable/i,
  /Client was closed and is not queryable/i,
  /Cannot use a pool after calling end on the pool/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /terminating connection due to administrator command/i,
];

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (error === null || typeof error !== 'object' || depth > 5) return false;
  const e = error as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown; errors?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  if (/^08[0-9A-Z]{3}$/.test(code) || SQLSTATES.has(code) || SOCKET_CODES.has(code)) return true;
  if (typeof e.message === 'string' && MESSAGES.some((m) => m.test(e.message as string))) return true;
  // TypeORM wraps the driver's error; node wraps the per-address errors of a refused connect in an AggregateError.
  if (isDatabaseUnavailable(e.driverError, depth + 1) || isDatabaseUnavailable(e.cause, depth + 1)) return true;
  return Array.isArray(e.errors) && e.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1));
}
