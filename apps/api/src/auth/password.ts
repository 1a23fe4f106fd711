import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { HashLimiter } from './hash-limiter.js';

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 200;

/**
 * Cost parameters for new hashes; stored with each hash so they can be raised later (a sign-in with
 * a hash of other parameters rehashes, see {@link needsRehash}). OWASP's Password Storage Cheat
 * Sheet lists N=2^17, r=8, p=1 and equally strong trade-offs of memory for CPU; N=2^15, r=8, p=3
 * is one of them: the same work as 2^17 within a few percent, but 32 MiB of memory per hash instead of
 * 128 MiB, so the few hashes the server computes at once (see HashLimiter) cannot exhaust its memory.
 */
export const PASSWORD_HASH_PARAMS = { N: 2 ** 15, r: 8, p: 3 } as const;
const DEFAULTS = PASSWORD_HASH_PARAMS;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Bounds on parameters read back from the database, so a tampered row cannot make a login hang. */
const MAX_N = 2 ** 20;
const MAX_RP = 16;

/**
 * Every hash of the process passes here: at most as many at once as there are cores (2 to 4), at
 * most 32 sign-ins waiting; a sign-in waits at most {@link SIGN_IN_HASH_WAIT_MS} for a slot.
 */
export const passwordHashing = new HashLimiter({
  concurrency: Math.min(4, Math.max(2, availableParallelism())),
  maxQueue: 32,
});
export const SIGN_IN_HASH_WAIT_MS = 5_000;

export interface HashOptions {
  /** Give up (HashingBusyError) when no hashing slot is free within this time; unset: wait. */
  maxWaitMs?: number;
}

function scrypt(
  password: string,
  salt: Buffer,
  keyLength: number,
  options: ScryptOptions,
  maxWaitMs?: number,
): Promise<Buffer> {
  return passwordHashing.run(
    () =>
      new Promise<Buffer>((resolve, reject) => {
        scryptCallback(password.normalize('NFC'), salt, keyLength, options, (error, key) =>
          error ? reject(error) : resolve(key),
        );
      }),
    maxWaitMs,
  );
}

const memoryFor = (N: number, r: number, p: number): number => 128 * N * r * p + 1024 * 1024 * 2;

export class PasswordPolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PasswordPolicyError';
  }
}

/** `scrypt$N$r$p$<salt base64>$<hash base64>`, with a fresh random salt per call. */
export async function hashPassword(password: string, options: HashOptions = {}): Promise<string> {
  if (typeof password !== 'string' || password.length < MIN_PASSWORD_LENGTH) {
    throw new PasswordPolicyError(`a password must be at least ${MIN_PASSWORD_LENGTH} characters long`);
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new PasswordPolicyError(`a password must be at most ${MAX_PASSWORD_LENGTH} characters long`);
  }
  const { N, r, p } = DEFAULTS;
  const salt = randomBytes(SALT_BYTES);
  const key = await scrypt(password, salt, KEY_BYTES, { N, r, p, maxmem: memoryFor(N, r, p) }, options.maxWaitMs);
  return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
}

interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

export function parsePasswordHash(stored: string): ParsedHash | undefined {
  const parts = typeof stored === 'string' ? stored.split('$') : [];
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map((v) => (/^\d{1,8}$/.test(v) ? Number(v) : NaN));
  if (!Number.isInteger(N) || N < 2 || N > MAX_N || (N & (N - 1)) !== 0) return undefined;
  if (!Number.isInteger(r) || r < 1 || r > MAX_RP || !Number.isInteger(p) || p < 1 || p > MAX_RP) return undefined;
  const salt = Buffer.from(parts[4], 'base64');
  const key = Buffer.from(parts[5], 'base64');
  if (salt.length < 8 || key.length < 16 || key.length > 128) return undefined;
  return { N, r, p, salt, key };
}

/** True when `password` matches `stored`; false for a wrong password or a malformed hash. Constant-time compare. */
export async function verifyPassword(password: string, stored: string, options: HashOptions = {}): Promise<boolean> {
  const parsed = parsePasswordHash(stored);
  if (!parsed || typeof password !== 'string' || password.length > MAX_PASSWORD_LENGTH) return false;
  const { N, r, p, salt, key } = parsed;
  const candidate = await scrypt(
    password,
    salt,
    key.length,
    { N, r, p, maxmem: memoryFor(N, r, p) },
    options.maxWaitMs,
  );
  return timingSafeEqual(candidate, key);
}

/** True when `stored` was made with other cost parameters than new hashes get (or is unreadable). */
export function needsRehash(stored: string): boolean {
  const parsed = parsePasswordHash(stored);
  if (!parsed) return true;
  return (
    parsed.N !== DEFAULTS.N || parsed.r !== DEFAULTS.r || parsed.p !== DEFAULTS.p || parsed.key.length !== KEY_BYTES
  );
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same work as checking a real password, for sign-ins with an unknown username, so the
 * answer time does not tell which usernames exist. Always false.
 */
export async function verifyAgainstDummy(password: string, options: HashOptions = {}): Promise<false> {
  dummyHash ??= hashPassword(randomBytes(24).toString('base64url'));
  await verifyPassword(typeof password === 'string' ? password : '', await dummyHash, options);
  return false;
}
