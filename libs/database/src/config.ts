import { isIP } from 'node:net';
import path from 'node:path';

export const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface AppConfig {
  readonly port: number;
  /** Address to listen on; unset: 127.0.0.1 when the demo tour is loaded, else every interface. */
  readonly host?: string;
  /** Sign-in attempts a minute allowed from one address, and for one username. */
  readonly loginAttemptsPerMinute: number;
  readonly databaseUrl?: string;
  /** With DATABASE_URL: the owner of the event store's schema, for its migrations (DATABASE_OWNER_URL). */
  readonly databaseOwnerUrl?: string;
  readonly dataDir: string;
  readonly logLevel: LogLevel;
  readonly jwtSecret?: string;
  readonly adminPassword?: string;
  readonly projections: boolean;
  readonly demo: boolean;
  readonly sealIntervalSeconds: number;
  /** Where events live: PostgreSQL (default) or EventStoreDB/KurrentDB; read models stay in PostgreSQL. */
  readonly eventStore: 'postgres' | 'esdb';
  readonly eventStoreConnectionString?: string;
  /** Prefix of every EventStoreDB stream the app writes (several apps, or test runs, on one server). */
  readonly eventStoreNamespace?: string;
  /** Scheduled backups: written into this folder every backupIntervalHours, the newest backupKeep kept. */
  readonly backup?: { readonly dir: string; readonly intervalHours: number; readonly keep: number };
  /** A bearer secret for Prometheus scrapes of /metrics (METRICS_TOKEN); unset: only admin/official tokens. */
  readonly metricsToken?: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

export function databaseMode(config: Pick<AppConfig, 'databaseUrl'>): 'embedded' | 'external' {
  return config.databaseUrl ? 'external' : 'embedded';
}

/** The URL without its password, safe to print. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    u.searchParams.delete('password');
    return u.toString();
  } catch {
    return '<unparseable URL>';
  }
}

// Node timers overflow above 2^31-1 ms and then fire immediately.
const MAX_TIMER_SECONDS = Math.floor(0x7fffffff / 1000);

/** Backups hold the log only when it is in PostgreSQL; EventStoreDB has backups of its own. */
export const BACKUP_NEEDS_POSTGRES_LOG =
  'BACKUP_DIR needs the log in PostgreSQL: with EVENT_STORE=esdb the events are in EventStoreDB, which is backed ' +
  "up with its own tools (KurrentDB's file-copy backup); the backup command would miss them";

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const problems: string[] = [];
  // An empty value (e.g. `PORT=` in a compose file) means "not set".
  const read = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };

  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max) {
      problems.push(`${name} must be an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    return n;
  };

  const onOff = (name: string, fallback: boolean): boolean => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const v = raw.toLowerCase();
    if (v !== 'on' && v !== 'off') {
      problems.push(`${name} must be "on" or "off", got ${JSON.stringify(raw)}`);
      return fallback;
    }
    return v === 'on';
  };

  // Secrets: report the length, never the value.
  const secret = (name: string, minLength: number): string | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    if (raw.length < minLength) {
      problems.push(`${name} must be at least ${minLength} characters long, got ${raw.length}`);
      return undefined;
    }
    return raw;
  };

  const port = integer('PORT', 3000, 1, 65535);
  const host = read('HOST');
  const HOSTNAME =
    /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
  if (host !== undefined && isIP(host) === 0 && !HOSTNAME.test(host)) {
    problems.push(`HOST must be an IP address (127.0.0.1, 0.0.0.0, ::) or a host name, got ${JSON.stringify(host)}`);
  }
  const loginAttemptsPerMinute = integer('LOGIN_ATTEMPTS_PER_MINUTE', 10, 1, 100_000);

  const postgresUrl = (name: string): string | undefined => {
    const url = read(name);
    if (url === undefined) return undefined;
    let protocol: string | undefined;
    try {
      protocol = new URL(url).protocol;
    } catch {
      protocol = undefined;
    }
    if (protocol === undefined) {
      // The value may hold a password, so it is not echoed.
      problems.push(`${name} must be a postgres:// or postgresql:// URL, got a value that is not a URL`);
      return undefined;
    }
    if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
      problems.push(
        `${name} must be a postgres:// or postgresql:// URL, got ${JSON.stringify(redactDatabaseUrl(url))}`,
      );
      return undefined;
    }
    return url;
  };
  const databaseUrl = postgresUrl('DATABASE_URL');
  const databaseOwnerUrl = postgresUrl('DATABASE_OWNER_URL');
  if (databaseOwnerUrl !== undefined && read('DATABASE_URL') === undefined) {
    problems.push('DATABASE_OWNER_URL needs DATABASE_URL (the embedded database has its own owner role)');
  }

  const dataDir = path.resolve(read('DATA_DIR') ?? './data');

  let logLevel: LogLevel = 'log';
  const rawLevel = read('LOG_LEVEL');
  if (rawLevel !== undefined) {
    const level = LOG_LEVELS.find((l) => l === rawLevel.toLowerCase());
    if (level === undefined) {
      problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join('|')}, got ${JSON.stringify(rawLevel)}`);
    } else {
      logLevel = level;
    }
  }

  // Read by the app's logger (JSON or readable lines); validated here with the rest.
  const rawFormat = read('LOG_FORMAT');
  if (rawFormat !== undefined && !['json', 'pretty'].includes(rawFormat.toLowerCase())) {
    problems.push(`LOG_FORMAT must be "json" or "pretty", got ${JSON.stringify(rawFormat)}`);
  }

  const jwtSecret = secret('JWT_SECRET', 32);
  const adminPassword = secret('ADMIN_PASSWORD', 8);
  const projections = onOff('PROJECTIONS', true);
  const demo = onOff('DEMO', true);
  const sealIntervalSeconds = integer('SEAL_INTERVAL_SECONDS', 10, 1, MAX_TIMER_SECONDS);
  const metricsToken = secret('METRICS_TOKEN', 32);
  if (metricsToken !== undefined && !/^[A-Za-z0-9._~+/=-]+$/.test(metricsToken)) {
    problems.push('METRICS_TOKEN may only hold A-Z, a-z, 0-9 and . _ ~ + / = - (it is sent as a bearer token)');
  }

  let eventStore: AppConfig['eventStore'] = 'postgres';
  const rawStore = read('EVENT_STORE');
  if (rawStore !== undefined) {
    if (rawStore === 'postgres' || rawStore === 'esdb') eventStore = rawStore;
    else problems.push(`EVENT_STORE must be "postgres" or "esdb", got ${JSON.stringify(rawStore)}`);
  }
  const eventStoreConnectionString = read('EVENTSTORE_CONNECTION_STRING');
  if (eventStore === 'esdb') {
    if (eventStoreConnectionString === undefined) {
      problems.push(
        'EVENTSTORE_CONNECTION_STRING is required with EVENT_STORE=esdb (e.g. esdb://127.0.0.1:2113?tls=false)',
      );
    } else if (!/^esdb(\+discover)?:\/\/[^\s]+$/.test(eventStoreConnectionString)) {
      // May hold credentials, so it is not echoed.
      problems.push('EVENTSTORE_CONNECTION_STRING must be an esdb:// or esdb+discover:// connection string');
    }
  }

  const eventStoreNamespace = read('EVENTSTORE_NAMESPACE');
  if (eventStoreNamespace !== undefined && !/^[a-z0-9_-]{1,40}$/.test(eventStoreNamespace)) {
    problems.push(
      `EVENTSTORE_NAMESPACE must be 1-40 characters of a-z, 0-9, _ and -, got ${JSON.stringify(eventStoreNamespace)}`,
    );
  }

  const backupDir = read('BACKUP_DIR');
  const backupIntervalHours = integer('BACKUP_INTERVAL_HOURS', 24, 1, Math.floor(MAX_TIMER_SECONDS / 3600));
  const backupKeep = integer('BACKUP_KEEP', 7, 1, 10_000);
  if (backupDir === undefined) {
    for (const name of ['BACKUP_INTERVAL_HOURS', 'BACKUP_KEEP']) {
      if (read(name) !== undefined) problems.push(`${name} needs BACKUP_DIR (the folder scheduled backups go to)`);
    }
  } else if (eventStore === 'esdb') {
    problems.push(BACKUP_NEEDS_POSTGRES_LOG);
  }

  if (problems.length > 0) throw new ConfigError(problems);

  const config: AppConfig = {
    port,
    loginAttemptsPerMinute,
    dataDir,
    logLevel,
    projections,
    demo,
    sealIntervalSeconds,
    ...(host !== undefined && { host }),
    eventStore,
    ...(eventStore === 'esdb' && { eventStoreConnectionString }),
    ...(eventStore === 'esdb' && eventStoreNamespace !== undefined && { eventStoreNamespace }),
    ...(databaseUrl !== undefined && { databaseUrl }),
    ...(databaseUrl !== undefined && databaseOwnerUrl !== undefined && { databaseOwnerUrl }),
    ...(jwtSecret !== undefined && { jwtSecret }),
    ...(adminPassword !== undefined && { adminPassword }),
    ...(backupDir !== undefined && {
      backup: Object.freeze({ dir: path.resolve(backupDir), intervalHours: backupIntervalHours, keep: backupKeep }),
    }),
    ...(metricsToken !== undefined && { metricsToken }),
  };
  return Object.freeze(config);
}
