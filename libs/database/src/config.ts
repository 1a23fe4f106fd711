import path from 'node:path';

export const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface AppConfig {
  readonly port: number;
  readonly databaseUrl?: string;
  readonly dataDir: string;
  readonly logLevel: LogLevel;
  readonly jwtSecret?: string;
  readonly adminPassword?: string;
  readonly projections: boolean;
  readonly demo: boolean;
  readonly sealIntervalSeconds: number;
  /** Scheduled backups: written into this folder every backupIntervalHours, the newest backupKeep kept. */
  readonly backup?: { readonly dir: string; readonly intervalHours: number; readonly keep: number };
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

  let databaseUrl = read('DATABASE_URL');
  if (databaseUrl !== undefined) {
    let protocol: string | undefined;
    try {
      protocol = new URL(databaseUrl).protocol;
    } catch {
      protocol = undefined;
    }
    if (protocol === undefined) {
      // The value may hold a password, so it is not echoed.
      problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL, got a value that is not a URL');
      databaseUrl = undefined;
    } else if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
      problems.push(
        `DATABASE_URL must be a postgres:// or postgresql:// URL, got ${JSON.stringify(redactDatabaseUrl(databaseUrl))}`,
      );
      databaseUrl = undefined;
    }
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

  const backupDir = read('BACKUP_DIR');
  const backupIntervalHours = integer('BACKUP_INTERVAL_HOURS', 24, 1, Math.floor(MAX_TIMER_SECONDS / 3600));
  const backupKeep = integer('BACKUP_KEEP', 7, 1, 10_000);
  if (backupDir === undefined) {
    for (const name of ['BACKUP_INTERVAL_HOURS', 'BACKUP_KEEP']) {
      if (read(name) !== undefined) problems.push(`${name} needs BACKUP_DIR (the folder scheduled backups go to)`);
    }
  }

  if (problems.length > 0) throw new ConfigError(problems);

  const config: AppConfig = {
    port,
    dataDir,
    logLevel,
    projections,
    demo,
    sealIntervalSeconds,
    ...(databaseUrl !== undefined && { databaseUrl }),
    ...(jwtSecret !== undefined && { jwtSecret }),
    ...(adminPassword !== undefined && { adminPassword }),
    ...(backupDir !== undefined && {
      backup: Object.freeze({ dir: path.resolve(backupDir), intervalHours: backupIntervalHours, keep: backupKeep }),
    }),
  };
  return Object.freeze(config);
}
