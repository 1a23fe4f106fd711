import type pg from 'pg';
import type { RoundEvent, RoundStatus } from '@app/domain';
import type { RecordedEvent } from '@app/event-store';
import type { ApplyContext, ReadModel } from '../read-model.js';
import { loadRows, qualified, touchedIds, upsertRows, type TableSpec } from './sql.js';
import { TABLES } from './tables.js';
import { eventInstant } from './time.js';

/** 巡察轮次 with its counts of focus fields and monitoring points kept up to date. */
export interface RoundRow {
  [column: string]: unknown;
  id: string;
  title: string;
  kind: string;
  status: string;
  scope: string;
  team: string | null;
  starts_on: string;
  ends_on: string;
  /** `{planned: instant, stationed: instant, …}`: when each lifecycle step happened. */
  milestones: Record<string, string>;
  field_count: number;
  point_count: number;
  first_position: number;
  last_position: number;
}

export interface FocusFieldRow {
  [column: string]: unknown;
  id: string;
  round_id: string;
  name: string;
  monitoring_points: number;
  added_at: string;
  position: number;
}

export interface MonitoringPointRow {
  [column: string]: unknown;
  id: string;
  round_id: string;
  field_id: string;
  title: string;
  targets: unknown[];
  added_at: string;
  position: number;
}

export const roundsTable: TableSpec = {
  name: TABLES.rounds,
  key: ['id'],
  round: 'id',
  columns: [
    ['id', 'text'],
    ['title', 'text'],
    ['kind', 'text'],
    ['status', 'text'],
    ['scope', 'text'],
    ['team', 'text'],
    ['starts_on', 'date'],
    ['ends_on', 'date'],
    ['milestones', 'jsonb'],
    ['field_count', 'int'],
    ['point_count', 'int'],
    ['first_position', 'bigint'],
    ['last_position', 'bigint'],
  ],
};

export const focusFieldsTable: TableSpec = {
  name: TABLES.focusFields,
  key: ['id'],
  columns: [
    ['id', 'text'],
    ['round_id', 'text'],
    ['name', 'text'],
    ['monitoring_points', 'int'],
    ['added_at', 'timestamptz'],
    ['position', 'bigint'],
  ],
};

export const monitoringPointsTable: TableSpec = {
  name: TABLES.monitoringPoints,
  key: ['id'],
  columns: [
    ['id', 'text'],
    ['round_id', 'text'],
    ['field_id', 'text'],
    ['title', 'text'],
    ['targets', 'jsonb'],
    ['added_at', 'timestamptz'],
    ['position', 'bigint'],
  ],
};

const MILESTONES: Partial<Record<RoundEvent['type'], RoundStatus>> = {
  RoundStationed: 'stationed',
  RoundReported: 'reported',
  RoundFeedbackDelivered: 'feedback_delivered',
  RoundRectificationStarted: 'rectifying',
  RoundEvaluated: 'evaluated',
  RoundArchived: 'archived',
};

const TYPES = new Set<string>([
  'RoundPlanned',
  'FocusFieldAdded',
  'MonitoringPointAdded',
  ...Object.keys(MILESTONES),
] satisfies string[]);

export const roundsReadModel: ReadModel = {
  name: 'rounds',
  ddl: (schema) => `
    CREATE TABLE ${qualified(schema, TABLES.rounds)} (
      id             text PRIMARY KEY,
      title          text NOT NULL,
      kind           text NOT NULL,
      status         text NOT NULL,
      scope          text NOT NULL,
      team           text,
      starts_on      date NOT NULL,
      ends_on        date NOT NULL,
      milestones     jsonb NOT NULL,
      field_count    int NOT NULL,
      point_count    int NOT NULL,
      first_position bigint NOT NULL,
      last_position  bigint NOT NULL
    );
    CREATE INDEX ON ${qualified(schema, TABLES.rounds)} (starts_on DESC, first_position DESC);
    CREATE TABLE ${qualified(schema, TABLES.focusFields)} (
      id                text PRIMARY KEY,
      round_id          text NOT NULL,
      name              text NOT NULL,
      monitoring_points int NOT NULL,
      added_at          timestamptz NOT NULL,
      position          bigint NOT NULL
    );
    CREATE INDEX ON ${qualified(schema, TABLES.focusFields)} (round_id, position);
    CREATE TABLE ${qualified(schema, TABLES.monitoringPoints)} (
      id        text PRIMARY KEY,
      round_id  text NOT NULL,
      field_id  text NOT NULL,
      title     text NOT NULL,
      targets   jsonb NOT NULL,
      added_at  timestamptz NOT NULL,
      position  bigint NOT NULL
    );
    CREATE INDEX ON ${qualified(schema, TABLES.monitoringPoints)} (round_id, field_id, position);`,

  async applyBatch(events: readonly RecordedEvent[], db: pg.ClientBase, schema: string, context?: ApplyContext) {
    const mine = events.filter((e) => TYPES.has(e.type)) as unknown as (RecordedEvent & RoundEvent)[];
    if (mine.length === 0) return;
    const rounds = await loadRows<RoundRow>(
      db,
      schema,
      roundsTable,
      touchedIds(mine, (e) => e.data.roundId),
      context?.cache,
    );
    const fieldIds = touchedIds(mine, (e) => (e.type === 'MonitoringPointAdded' ? e.data.fieldId : undefined));
    const fields = await loadRows<FocusFieldRow>(db, schema, focusFieldsTable, fieldIds, context?.cache);
    const points = new Map<string, MonitoringPointRow>();
    const changedRounds = new Set<string>();
    const changedFields = new Set<string>();

    for (const event of mine) {
      const at = eventInstant(event);
      const round = rounds.get(event.data.roundId);
      if (event.type === 'RoundPlanned') {
        const d = event.data;
        rounds.set(d.roundId, {
          id: d.roundId,
          title: d.title,
          kind: d.kind,
          status: 'planned',
          scope: d.scope,
          team: d.team ?? null,
          starts_on: d.startsOn,
          ends_on: d.endsOn,
          milestones: { planned: at },
          field_count: 0,
          point_count: 0,
          first_position: event.position,
          last_position: event.position,
        });
        changedRounds.add(d.roundId);
        continue;
      }
      // The domain refuses anything on a round that was never planned; a stray event changes nothing.
      if (!round) continue;
      if (event.type === 'FocusFieldAdded') {
        fields.set(event.data.fieldId, {
          id: event.data.fieldId,
          round_id: round.id,
          name: event.data.name,
          monitoring_points: 0,
          added_at: at,
          position: event.position,
        });
        changedFields.add(event.data.fieldId);
        rounds.set(round.id, { ...round, field_count: round.field_count + 1, last_position: event.position });
      } else if (event.type === 'MonitoringPointAdded') {
        const d = event.data;
        points.set(d.pointId, {
          id: d.pointId,
          round_id: round.id,
          field_id: d.fieldId,
          title: d.title,
          targets: d.targets,
          added_at: at,
          position: event.position,
        });
        const field = fields.get(d.fieldId);
        if (field) {
          fields.set(field.id, { ...field, monitoring_points: field.monitoring_points + 1 });
          changedFields.add(field.id);
        }
        rounds.set(round.id, { ...round, point_count: round.point_count + 1, last_position: event.position });
      } else {
        const status = MILESTONES[event.type]!;
        rounds.set(round.id, {
          ...round,
          status,
          milestones: { ...round.milestones, [status]: at },
          last_position: event.position,
        });
      }
      changedRounds.add(round.id);
    }

    await upsertRows(
      db,
      schema,
      roundsTable,
      [...changedRounds].map((id) => rounds.get(id)!),
      'replace',
      context,
    );
    await upsertRows(
      db,
      schema,
      focusFieldsTable,
      [...changedFields].map((id) => fields.get(id)!),
      'replace',
      context,
    );
    await upsertRows(db, schema, monitoringPointsTable, [...points.values()], 'replace', context);
  },
};
