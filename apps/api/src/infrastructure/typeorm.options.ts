import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import type { MigrationInterface, MixedList } from 'typeorm';
import type { DatabaseHandle } from '@app/database';

/** An entity class TypeORM maps from its decorators (the app's lists never construct one themselves). */
export type EntityClass = new (...args: never[]) => object;

/** A migration class: TypeORM constructs it without arguments and runs its `up` (and `down` to revert). */
export type MigrationClass = new () => MigrationInterface;

/**
 * Read models, users, personal data and idempotency records live in PostgreSQL through TypeORM.
 * Schema changes are versioned migrations run at start (never `synchronize`), so an upgrade on a
 * team laptop full of data is a replayable, reviewable step.
 */
export function typeOrmOptions(
  database: DatabaseHandle,
  parts: { entities: MixedList<EntityClass>; migrations: MixedList<MigrationClass> },
): TypeOrmModuleOptions {
  return {
    type: 'postgres',
    url: database.url,
    entities: parts.entities,
    migrations: parts.migrations,
    migrationsRun: true,
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    // Off: failed SQL would be logged with its parameters, which can carry personal data.
    logging: false,
    // A connection that cannot be had within 5 s fails (503 DATABASE_UNAVAILABLE) instead of waiting for ever.
    extra: { max: 10, application_name: 'xuncha-api', connectionTimeoutMillis: 5000 },
  };
}
