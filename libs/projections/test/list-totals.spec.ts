import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { deadlineStanding, DEFAULT_WARNING_THRESHOLDS, FINDING_STATUSES, type FindingStatus } from '@app/domain';
import { PgEventStore } from '@app/event-store';
import {
  countedFindingsTotal,
  keptFindingsTotal,
  listFindings,
  readModels,
  rebuildReadModels,
  type FindingListQuery,
} from '@app/projections';
import { materialize, planWorld, Rng } from '../bench/generate.js';

/*
 * A findings list's total is taken from the kept counters where its filters allow (keptFindingsTotal). Over a
 * generated world (the projections benchmark's, every step decided by the domain), each such total must be the
 * number of findings the list's filters select, counted here from the rows with the domain's own deadline rule.
 */

const url = process.env.SYSTEM_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** The history stops here, in the middle of its rounds: findings are in every status, many still open. */
const AS_OF = '2025-06-15';

interface FindingFacts {
  round_id: string;
  department_id: string;
  rect_department_id: string | null;
  field_id: string;
  status: FindingStatus;
  rect_type: string | null;
  due_on: string | null;
}

/** The findings a list's filters select, decided row by row (the oracle: no SQL, no counters). */
function selected(rows: FindingFacts[], q: FindingListQuery, today: string): number {
  const thresholds = q.thresholds ?? DEFAULT_WARNING_THRESHOLDS;
  return rows.filter((r) => {
    const standing = deadlineStanding(r.status, r.due_on, today, thresholds);
    return (
      (q.roundId === undefined || r.round_id === q.roundId) &&
      (q.departmentId === undefined || r.department_id === q.departmentId) &&
      (q.assignedDepartmentId === undefined || r.rect_department_id === q.assignedDepartmentId) &&
      (q.fieldId === undefined || r.field_id === q.fieldId) &&
      (q.status === undefined || r.status === q.status) &&
      (q.type === undefined || r.rect_type === q.type) &&
      (q.overdue === undefined || standing.overdue === q.overdue) &&
      (q.warning === undefined || standing.warning === q.warning)
    );
  }).length;
}

describe('findings list totals from the kept counters', () => {
  let admin: pg.Client;
  let store: PgEventStore;
  let schema: string;
  let rows: FindingFacts[];

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
    store = await PgEventStore.open({
      connectionString: url,
      schema: `es_lt_${randomUUID().replaceAll('-', '').slice(0, 10)}`,
    });
    const world = planWorld({
      seed: 5,
      events: 4_000,
      scale: 0.03,
      departments: 3,
      roundsPerDepartment: 2,
      fieldsPerRound: 9,
      pointsPerRound: 43,
      start: '2024-01-08',
      asOf: AS_OF,
    });
    const ids = new Rng(3);
    for (let i = 0; i < world.steps.length; i += 50)
      for (const { stream, events } of materialize(world.steps.slice(i, i + 50), ids))
        await store.appendToStream(stream.id, events);
    schema = `rm_lt_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
    await rebuildReadModels({ store, connectionString: url, readModels, version: 1, schema, batchSize: 500 });
    rows = (
      await admin.query<FindingFacts>(
        `SELECT round_id, department_id, rect_department_id, field_id, status, rect_type, due_on::text AS due_on
           FROM ${schema}.findings`,
      )
    ).rows;
  }, 120000);

  afterAll(async () => {
    await store?.close();
    for (const s of [schema, `${schema}_next`, `${schema}_old`, store?.schema])
      if (s) await admin.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    await admin.end();
  });

  it('gives every list the number of findings its filters select, from the counters wherever they are kept', async () => {
    const rounds = [...new Set(rows.map((r) => r.round_id))].sort();
    const departments = [...new Set(rows.map((r) => r.department_id))].sort();
    const fields = [...new Set(rows.map((r) => r.field_id))].sort().slice(0, 3);
    expect(rounds.length).toBeGreaterThanOrEqual(4);
    expect(departments.length).toBeGreaterThanOrEqual(3);

    const units: FindingListQuery[] = [
      {},
      ...departments.map((d) => ({ departmentId: d })),
      ...departments.map((d) => ({ assignedDepartmentId: d })),
      { departmentId: departments[0], assignedDepartmentId: departments[0] },
      { departmentId: departments[0], assignedDepartmentId: departments[1] },
    ];
    const dues: FindingListQuery[] = [
      {},
      { overdue: true },
      { warning: 'red' },
      { warning: 'yellow' },
      { warning: 'green' },
      { warning: 'yellow', thresholds: { yellowDays: 30, greenDays: 90 } },
      { overdue: true, warning: 'yellow' },
    ];
    const queries: FindingListQuery[] = [];
    for (const roundId of [undefined, ...rounds.slice(0, 2)])
      for (const unit of units)
        for (const status of [undefined, ...FINDING_STATUSES])
          for (const due of dues) queries.push({ roundId, ...unit, status, ...due });
    for (const roundId of [undefined, rounds[0]])
      for (const fieldId of fields) {
        queries.push({ roundId, fieldId }, { roundId, fieldId, status: 'closed' }, { roundId, fieldId, overdue: true });
        queries.push({ roundId, fieldId, departmentId: departments[0] });
      }
    // Filters no counter is kept by: the rows are counted.
    for (const roundId of [undefined, rounds[0]])
      queries.push(
        { roundId, type: 'immediate' },
        { roundId, overdue: false },
        { roundId, q: '台账' },
        { roundId, assignedDepartmentId: departments[0], overdue: false },
      );

    let kept = 0;
    const mismatches: unknown[] = [];
    const seen = { total: 0, overdue: 0, yellow: 0, green: 0, statuses: new Set<string>() };
    for (const today of [AS_OF, '2025-03-01']) {
      for (const query of queries) {
        const statement = keptFindingsTotal(schema, query);
        if (statement) kept++;
        const page = await listFindings(admin, schema, { ...query, pageSize: 1 }, today);
        // Text search is checked against the rows' own count: the oracle above has no substring rule.
        const want =
          query.q === undefined
            ? selected(rows, query, today)
            : (await listFindings(admin, schema, { ...query, pageSize: 200 }, today)).items.length;
        // What the list counts from its rows where no counter serves: the same number.
        const rowsCounted = countedFindingsTotal(schema, query, today, query.thresholds ?? DEFAULT_WARNING_THRESHOLDS);
        const counted = (await admin.query<{ total: number }>(rowsCounted.sql, rowsCounted.values)).rows[0].total;
        if (page.total !== want || counted !== want)
          mismatches.push({ today, query, total: page.total, counted, want, kept: !!statement });
        seen.total += want;
        if (query.overdue && !query.warning) seen.overdue += want;
        if (query.warning === 'yellow') seen.yellow += want;
        if (query.warning === 'green') seen.green += want;
        if (query.status && want > 0) seen.statuses.add(query.status);
      }
    }
    expect(mismatches).toEqual([]);
    // The world has findings in every status but `assigned` (its units acknowledge within the day), overdue and
    // warned about in both colours; the lists without a due-date filter, type or text (and no field beside a unit or
    // status) were answered from the counters, the rest counted their rows.
    expect(seen.statuses).toEqual(new Set(FINDING_STATUSES.filter((s) => s !== 'assigned')));
    expect(seen.overdue).toBeGreaterThan(0);
    expect(seen.yellow).toBeGreaterThan(0);
    expect(seen.green).toBeGreaterThan(0);
    const keepable = queries.filter(
      (q) =>
        q.q === undefined &&
        q.type === undefined &&
        q.overdue === undefined &&
        q.warning === undefined &&
        !(q.fieldId && (q.departmentId || q.assignedDepartmentId || q.status)),
    );
    expect(keepable.length).toBeGreaterThan(200);
    expect(kept).toBe(2 * keepable.length);
  }, 120000);

  it('counts the rows where no counter is kept: text search, type, due-date filters, a field beside a unit or status', () => {
    for (const q of [
      { q: '台账' },
      { type: 'immediate' as const },
      { overdue: false },
      { overdue: true },
      { assignedDepartmentId: 'd', overdue: true },
      { roundId: 'r', warning: 'yellow' as const },
      { fieldId: 'f', departmentId: 'd' },
      { fieldId: 'f', status: 'closed' as const },
      { status: 'bogus' as FindingStatus },
    ])
      expect(keptFindingsTotal('rm', q)).toBeUndefined();
    expect(keptFindingsTotal('rm', { q: '  ' })?.sql).toMatch(/sum\(findings\)/);
    expect(keptFindingsTotal('rm', { roundId: 'r', assignedDepartmentId: 'd', status: 'closed' })).toEqual({
      sql: 'SELECT coalesce(sum(st_closed), 0)::int AS total FROM rm.finding_department_figures WHERE round_id = $1 AND department_id = $2',
      values: ['r', 'd'],
    });
    // Rectifications assigned to a unit are never recorded or dismissed.
    expect(keptFindingsTotal('rm', { assignedDepartmentId: 'd', status: 'dismissed' })).toEqual({
      sql: 'SELECT 0 AS total',
      values: [],
    });
  });
});
