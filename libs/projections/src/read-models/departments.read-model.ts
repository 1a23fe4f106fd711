import type pg from 'pg';
import type { DepartmentEvent } from '@app/domain';
import type { RecordedEvent } from '@app/event-store';
import type { ApplyContext, ReadModel } from '../read-model.js';
import { loadRows, qualified, touchedIds, upsertRows, type TableSpec } from './sql.js';
import { TABLES } from './tables.js';
import { eventInstant } from './time.js';

/** 责任单位 reference data: one row per department, renamed in place. */
export interface DepartmentRow {
  [column: string]: unknown;
  id: string;
  name: string;
  kind: string;
  parent_id: string | null;
  registered_at: string;
  last_position: number;
}

export const departmentsTable: TableSpec = {
  name: TABLES.departments,
  key: ['id'],
  columns: [
    ['id', 'text'],
    ['name', 'text'],
    ['kind', 'text'],
    ['parent_id', 'text'],
    ['registered_at', 'timestamptz'],
    ['last_position', 'bigint'],
  ],
};

const TYPES = new Set<string>(['DepartmentRegistered', 'DepartmentRenamed'] satisfies DepartmentEvent['type'][]);

function evolve(row: DepartmentRow | undefined, event: RecordedEvent): DepartmentRow | undefined {
  const e = event as unknown as DepartmentEvent;
  switch (e.type) {
    case 'DepartmentRegistered':
      return {
        id: e.data.departmentId,
        name: e.data.name,
        kind: e.data.kind,
        parent_id: e.data.parentId ?? null,
        registered_at: eventInstant(event),
        last_position: event.position,
      };
    case 'DepartmentRenamed':
      return row && { ...row, name: e.data.name, last_position: event.position };
  }
}

export const departmentsReadModel: ReadModel = {
  name: 'departments',
  ddl: (schema) => `
    CREATE TABLE ${qualified(schema, TABLES.departments)} (
      id            text PRIMARY KEY,
      name          text NOT NULL,
      kind          text NOT NULL,
      parent_id     text,
      registered_at timestamptz NOT NULL,
      last_position bigint NOT NULL
    );`,

  async applyBatch(events: readonly RecordedEvent[], db: pg.ClientBase, schema: string, context?: ApplyContext) {
    const mine = events.filter((e) => TYPES.has(e.type));
    if (mine.length === 0) return;
    const idOf = (e: RecordedEvent) => (e.data as { departmentId: string }).departmentId;
    const rows = await loadRows<DepartmentRow>(db, schema, departmentsTable, touchedIds(mine, idOf), context?.cache);
    const changed = new Set<string>();
    for (const event of mine) {
      const next = evolve(rows.get(idOf(event)), event);
      if (!next) continue;
      rows.set(next.id, next);
      changed.add(next.id);
    }
    await upsertRows(
      db,
      schema,
      departmentsTable,
      [...changed].map((id) => rows.get(id)!),
      'replace',
      context,
    );
  },
};
