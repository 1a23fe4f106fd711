import path from 'node:path';
import { ConfigError, databaseMode, loadConfig, redactDatabaseUrl } from './config.js';

function errorOf(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`expected loadConfig to refuse ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('applies defaults', () => {
    const config = loadConfig({});
    expect(config).toEqual({
      port: 3000,
      loginAttemptsPerMinute: 10,
      dataDir: path.resolve('./data'),
      logLevel: 'log',
      projections: true,
      demo: true,
      sealIntervalSeconds: 10,
      eventStore: 'postgres',
    });
    expect(databaseMode(config)).toBe('embedded');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgresql://app:pw@db.example:5433/xuncha',
      DATABASE_OWNER_URL: 'postgresql://owner:pw@db.example:5433/xuncha',
      DATA_DIR: 'var/state',
      LOG_LEVEL: 'debug',
      JWT_SECRET: 'x'.repeat(32),
      ADMIN_PASSWORD: 'correct horse',
      PROJECTIONS: 'off',
      DEMO: 'OFF',
      SEAL_INTERVAL_SECONDS: '1',
      HOST: '10.0.0.5',
      LOGIN_ATTEMPTS_PER_MINUTE: '30',
      EVENT_STORE: 'esdb',
      EVENTSTORE_CONNECTION_STRING: 'esdb://a:2113,b:2113,c:2113?tls=true',
      EVENTSTORE_NAMESPACE: 'xuncha-',
    });
    expect(config).toEqual({
      port: 8080,
      host: '10.0.0.5',
      loginAttemptsPerMinute: 30,
      databaseUrl: 'postgresql://app:pw@db.example:5433/xuncha',
      databaseOwnerUrl: 'postgresql://owner:pw@db.example:5433/xuncha',
      dataDir: path.resolve('var/state'),
      logLevel: 'debug',
      jwtSecret: 'x'.repeat(32),
      adminPassword: 'correct horse',
      projections: false,
      demo: false,
      sealIntervalSeconds: 1,
      eventStore: 'esdb',
      eventStoreConnectionString: 'esdb://a:2113,b:2113,c:2113?tls=true',
      eventStoreNamespace: 'xuncha-',
    });
    expect(path.isAbsolute(config.dataDir)).toBe(true);
    expect(databaseMode(config)).toBe('external');
  });

  it('takes HOST as an IP address or a host name, and refuses anything else', () => {
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '::' }).host).toBe('::');
    expect(loadConfig({ HOST: 'localhost' }).host).toBe('localhost');
    expect(loadConfig({ HOST: 'api.example.org' }).host).toBe('api.example.org');
    expect(loadConfig({}).host).toBeUndefined();
    for (const bad of ['http://localhost', '127.0.0.1:3000', 'a b', '-bad.example', '*']) {
      expect(() => loadConfig({ HOST: bad })).toThrow(/HOST must be an IP address/);
    }
    expect(() => loadConfig({ LOGIN_ATTEMPTS_PER_MINUTE: '0' })).toThrow(
      /LOGIN_ATTEMPTS_PER_MINUTE must be an integer/,
    );
  });

  it('takes METRICS_TOKEN as a bearer secret of at least 32 token characters', () => {
    const token = 'scrape-0123456789-0123456789-abcdef';
    expect(loadConfig({ METRICS_TOKEN: token }).metricsToken).toBe(token);
    expect(loadConfig({}).metricsToken).toBeUndefined();
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN must be at least 32 characters/);
    expect(() => loadConfig({ METRICS_TOKEN: `${token} with spaces` })).toThrow(/METRICS_TOKEN may only hold/);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: ' ', JWT_SECRET: '', DEMO: '' })).toEqual(loadConfig({}));
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT must be an integer between 1 and 65535, got "abc"'],
    [{ PORT: '0' }, 'PORT must be an integer between 1 and 65535, got "0"'],
    [{ PORT: '65536' }, 'PORT must be an integer between 1 and 65535'],
    [{ PORT: '80.5' }, 'PORT must be an integer'],
    [
      { DATABASE_URL: 'mysql://u@h/db' },
      'DATABASE_URL must be a postgres:// or postgresql:// URL, got "mysql://u@h/db"',
    ],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL must be a postgres:// or postgresql:// URL'],
    [
      { DATABASE_URL: 'postgres://a@h/db', DATABASE_OWNER_URL: 'http://o@h/db' },
      'DATABASE_OWNER_URL must be a postgres:// or postgresql:// URL, got "http://o@h/db"',
    ],
    [{ DATABASE_OWNER_URL: 'postgres://o@h/db' }, 'DATABASE_OWNER_URL needs DATABASE_URL'],
    [{ LOG_LEVEL: 'trace' }, 'LOG_LEVEL must be one of error|warn|log|debug|verbose, got "trace"'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET must be at least 32 characters long, got 5'],
    [{ ADMIN_PASSWORD: '1234567' }, 'ADMIN_PASSWORD must be at least 8 characters long, got 7'],
    [{ PROJECTIONS: 'yes' }, 'PROJECTIONS must be "on" or "off", got "yes"'],
    [{ EVENT_STORE: 'mongo' }, 'EVENT_STORE must be "postgres" or "esdb", got "mongo"'],
    [{ EVENT_STORE: 'esdb' }, 'EVENTSTORE_CONNECTION_STRING is required with EVENT_STORE=esdb'],
    [
      { EVENT_STORE: 'esdb', EVENTSTORE_CONNECTION_STRING: 'http://x:2113' },
      'EVENTSTORE_CONNECTION_STRING must be an esdb://',
    ],
    [{ EVENTSTORE_NAMESPACE: 'Bad Name' }, 'EVENTSTORE_NAMESPACE must be 1-40 characters'],
    [{ DEMO: 'true' }, 'DEMO must be "on" or "off", got "true"'],
    [{ SEAL_INTERVAL_SECONDS: '0' }, 'SEAL_INTERVAL_SECONDS must be an integer between 1 and'],
    [{ SEAL_INTERVAL_SECONDS: '-5' }, 'SEAL_INTERVAL_SECONDS must be an integer'],
    [{ SEAL_INTERVAL_SECONDS: '99999999999' }, 'SEAL_INTERVAL_SECONDS must be an integer'],
    [{ BACKUP_DIR: '/b', BACKUP_INTERVAL_HOURS: '0' }, 'BACKUP_INTERVAL_HOURS must be an integer between 1 and 596'],
    [{ BACKUP_DIR: '/b', BACKUP_KEEP: 'all' }, 'BACKUP_KEEP must be an integer between 1 and 10000'],
    [{ BACKUP_INTERVAL_HOURS: '6' }, 'BACKUP_INTERVAL_HOURS needs BACKUP_DIR'],
    [{ BACKUP_KEEP: '3' }, 'BACKUP_KEEP needs BACKUP_DIR'],
    [
      { BACKUP_DIR: '/b', EVENT_STORE: 'esdb', EVENTSTORE_CONNECTION_STRING: 'esdb://127.0.0.1:2113?tls=false' },
      'BACKUP_DIR needs the log in PostgreSQL',
    ],
    [{ LOG_FORMAT: 'xml' }, 'LOG_FORMAT must be "json" or "pretty", got "xml"'],
  ])('refuses %j', (env, message) => {
    const err = errorOf(env);
    expect(err.message).toContain(message);
    expect(err.problems).toHaveLength(1);
  });

  it('never echoes secrets in errors', () => {
    const err = errorOf({
      DATABASE_URL: 'mysql://user:hunter2hunter2@h/db',
      JWT_SECRET: 'sekrit-value',
      ADMIN_PASSWORD: 'pw',
    });
    expect(err.message).not.toMatch(/hunter2|sekrit-value|"pw"/);
    expect(errorOf({ DATABASE_URL: 'hunter2 is my password' }).message).not.toContain('hunter2');
  });

  it('schedules backups only with BACKUP_DIR: every 24 hours, keeping 7, unless told otherwise', () => {
    expect(loadConfig({}).backup).toBeUndefined();
    expect(loadConfig({ BACKUP_DIR: '/srv/backups' }).backup).toEqual({
      dir: '/srv/backups',
      intervalHours: 24,
      keep: 7,
    });
    expect(loadConfig({ BACKUP_DIR: '/b', BACKUP_INTERVAL_HOURS: '6', BACKUP_KEEP: '30' }).backup).toEqual({
      dir: '/b',
      intervalHours: 6,
      keep: 30,
    });
  });

  it('reports every problem at once', () => {
    const err = errorOf({ PORT: 'x', DEMO: 'maybe' });
    expect(err.problems).toEqual([
      'PORT must be an integer between 1 and 65535, got "x"',
      'DEMO must be "on" or "off", got "maybe"',
    ]);
    expect(err.name).toBe('ConfigError');
  });
});

describe('redactDatabaseUrl', () => {
  it('drops the password', () => {
    expect(redactDatabaseUrl('postgres://app:s3cret@db:5432/xuncha?password=s3cret&sslmode=require')).toBe(
      'postgres://app@db:5432/xuncha?sslmode=require',
    );
  });
});
