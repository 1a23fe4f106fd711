/**
 * The e2e suite runs on the PostgreSQL log (npm test) and once more with EVENT_STORE=esdb (npm run test:e2e:esdb).
 * Suites about PostgreSQL's own log (its tables, its server stopped under load, pg_dump backups, a PostgreSQL
 * upgrade fixture, the hand-over, which carries that log's chains) run on the first only; the rest runs on both.
 */
export const onEsdb = process.env.EVENT_STORE === 'esdb';
export const describeOnPostgresLog: jest.Describe = onEsdb ? describe.skip : describe;
