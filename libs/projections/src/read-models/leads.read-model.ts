import type pg from 'pg';
import type { LeadEvent, LeadStatus, MonitoringPointAdded } from '@app/domain';
import type { RecordedEvent } from '@app/event-store';
import type { ApplyContext, ReadModel } from '../read-model.js';
import {
  CounterDeltas,
  loadRows,
  qualified,
  statusInPredicate,
  touchedIds,
  upsertRows,
  type Row,
  type TableSpec,
} from './sql.js';
import { TABLES } from './tables.js';
import { eventInstant, isoWeekStart, officeDate } from './time.js';

/**
 * 问题线索 for lists and their counters. Only what a dashboard may show: no names — the events carry
 * references to encrypted identities, and this model keeps not even those (nor whether there is an
 * informant), only how many subjects a lead names.
 *
 * A lead names a monitoring point, not a field; the field is looked up when the lead is recorded,
 * from the points this model keeps for itself (`lead_points`), so it never depends on the order in
 * which the projector runs read models.
 */

export interface LeadRow {
  [column: string]: unknown;
  id: string;
  round_id: string;
  point_id: string | null;
  field_id: string | null;
  source: string;
  summary: string;
  status: LeadStatus;
  subject_count: number;
  triage_decision: string | null;
  receiver: string | null;
  receiver_department_id: string | null;
  disposition: string | null;
  disposition_changes: number;
  outcome: string | null;
  recorded_at: string;
  /** The user who recorded it (the team member): inspectors list the leads they recorded themselves. */
  recorded_by: string | null;
  triaged_at: string | null;
  transferred_at: string | null;
  received_at: string | null;
  disposed_at: string | null;
  concluded_at: string | null;
  closed_at: string | null;
  /** 反馈期限 of a transferred lead; 超期未反馈 once past without an outcome. */
  feedback_due_on: string | null;
  /** People sanctioned by kind, and 追回资金 in fen (whole numbers, so sums are exact). */
  sanctions_party: number;
  sanctions_government: number;
  sanctions_organizational: number;
  recovered_funds_fen: number;
  first_position: number;
  last_position: number;
}

export const leadsTable: TableSpec = {
  name: TABLES.leads,
  key: ['id'],
  columns: [
    ['id', 'text'],
    ['round_id', 'text'],
    ['point_id', 'text'],
    ['field_id', 'text'],
    ['source', 'text'],
    ['summary', 'text'],
    ['status', 'text'],
    ['subject_count', 'int'],
    ['triage_decision', 'text'],
    ['receiver', 'text'],
    ['receiver_department_id', 'text'],
    ['disposition', 'text'],
    ['disposition_changes', 'int'],
    ['outcome', 'text'],
    ['recorded_at', 'timestamptz'],
    ['recorded_by', 'text'],
    ['triaged_at', 'timestamptz'],
    ['transferred_at', 'timestamptz'],
    ['received_at', 'timestamptz'],
    ['disposed_at', 'timestamptz'],
    ['concluded_at', 'timestamptz'],
    ['closed_at', 'timestamptz'],
    ['feedback_due_on', 'date'],
    ['sanctions_party', 'int'],
    ['sanctions_government', 'int'],
    ['sanctions_organizational', 'int'],
    ['recovered_funds_fen', 'bigint'],
    ['first_position', 'bigint'],
    ['last_position', 'bigint'],
  ],
};

export const leadPointsTable: TableSpec = {
  name: TABLES.leadPoints,
  key: ['id'],
  columns: [
    ['id', 'text'],
    ['round_id', 'text'],
    ['field_id', 'text'],
  ],
};

/** `dimension` is status, source, disposition or outcome; `value` one of its values. */
export const leadCountsTable: TableSpec = {
  name: TABLES.leadCounts,
  key: ['round_id', 'dimension', 'value'],
  columns: [
    ['round_id', 'text'],
    ['dimension', 'text'],
    ['value', 'text'],
    ['n', 'int'],
  ],
};

/** Per round, the sums of the leads' results (处分 by kind, funds recovered in fen): what the overview reports. */
export const leadResultFiguresTable: TableSpec = {
  name: TABLES.leadResultFigures,
  key: ['round_id'],
  columns: [
    ['round_id', 'text'],
    ['sanctions_party', 'int'],
    ['sanctions_government', 'int'],
    ['sanctions_organizational', 'int'],
    ['recovered_funds_fen', 'bigint'],
  ],
};

/** A transferred lead waits for the receiver's feedback until an outcome is recorded (or it is 予以了结 / closed). */
export const AWAITING_FEEDBACK = ['transferred', 'received', 'disposing'] as const;

/** The partial index's predicate over AWAITING_FEEDBACK (the queries bind the same list). */
const awaitingPredicate = statusInPredicate(AWAITING_FEEDBACK);

export const leadFieldFiguresTable: TableSpec = {
  name: TABLES.leadFieldFigures,
  key: ['round_id', 'field_id'],
  columns: [
    ['round_id', 'text'],
    ['field_id', 'text'],
    ['leads', 'int'],
  ],
};

export const leadWeekFiguresTable: TableSpec = {
  name: TABLES.leadWeekFigures,
  key: ['round_id', 'week_start'],
  columns: [
    ['round_id', 'text'],
    ['week_start', 'date'],
    ['recorded', 'int'],
  ],
};

const LEAD_TYPES = new Set<string>([
  'LeadRecorded',
  'LeadTriaged',
  'LeadTransferred',
  'LeadReceived',
  'LeadDispositionRecorded',
  'LeadOutcomeRecorded',
  'LeadClosed',
] satisfies LeadEvent['type'][]);

type LeadRecordedEvent = RecordedEvent & LeadEvent;
type PointEvent = RecordedEvent & MonitoringPointAdded;

/** The row after one event; mirrors the domain's `evolveLead` for the columns kept here. */
function evolve(
  row: LeadRow | undefined,
  event: LeadRecordedEvent,
  fieldOf: (pointId: string) => string | null,
): LeadRow | undefined {
  const at = eventInstant(event);
  if (event.type === 'LeadRecorded') {
    const d = event.data;
    return {
      id: d.leadId,
      round_id: d.roundId,
      point_id: d.monitoringPointId ?? null,
      field_id: d.monitoringPointId ? fieldOf(d.monitoringPointId) : null,
      source: d.source,
      summary: d.summary,
      status: 'recorded',
      subject_count: d.subjects.length,
      triage_decision: null,
      receiver: null,
      receiver_department_id: null,
      disposition: null,
      disposition_changes: 0,
      outcome: null,
      recorded_at: at,
      recorded_by: typeof event.metadata.actor?.id === 'string' ? event.metadata.actor.id : null,
      triaged_at: null,
      transferred_at: null,
      received_at: null,
      disposed_at: null,
      concluded_at: null,
      closed_at: null,
      feedback_due_on: null,
      sanctions_party: 0,
      sanctions_government: 0,
      sanctions_organizational: 0,
      recovered_funds_fen: 0,
      first_position: event.position,
      last_position: event.position,
    };
  }
  if (!row) return undefined;
  const moved = { ...row, last_position: event.position };
  switch (event.type) {
    case 'LeadTriaged':
      return { ...moved, status: 'triaged', triage_decision: event.data.decision, triaged_at: at };
    case 'LeadTransferred':
      return {
        ...moved,
        status: 'transferred',
        receiver: event.data.receiver,
        receiver_department_id: event.data.receiverDepartmentId ?? null,
        transferred_at: at,
        feedback_due_on: event.data.feedbackDueOn,
      };
    case 'LeadReceived':
      return { ...moved, status: 'received', received_at: at };
    case 'LeadDispositionRecorded': {
      // 予以了结 concludes the lead there and then; every other method leaves it being disposed of.
      const concluded = event.data.method === 'concluded';
      return {
        ...moved,
        status: concluded ? 'concluded' : 'disposing',
        disposition: event.data.method,
        disposition_changes: row.disposition === null ? row.disposition_changes : row.disposition_changes + 1,
        disposed_at: row.disposed_at ?? at,
        concluded_at: concluded ? at : row.concluded_at,
      };
    }
    case 'LeadOutcomeRecorded': {
      const count = (kind: string) => event.data.sanctions?.find((s) => s.kind === kind)?.count ?? 0;
      return {
        ...moved,
        status: 'concluded',
        outcome: event.data.outcome,
        concluded_at: at,
        sanctions_party: count('party'),
        sanctions_government: count('government'),
        sanctions_organizational: count('organizational'),
        recovered_funds_fen: Math.round((event.data.recoveredFunds ?? 0) * 100),
      };
    }
    case 'LeadClosed':
      return { ...moved, status: 'closed', closed_at: at };
  }
  return row;
}

interface Counters {
  counts: CounterDeltas;
  results: CounterDeltas;
  fields: CounterDeltas;
  weeks: CounterDeltas;
}

function contribute(counters: Counters, row: LeadRow | undefined, sign: 1 | -1): void {
  if (!row) return;
  const count = (dimension: string, value: string | null) => {
    if (value !== null) counters.counts.add({ round_id: row.round_id, dimension, value }, { n: 1 }, sign);
  };
  count('status', row.status);
  count('source', row.source);
  count('disposition', row.disposition);
  count('outcome', row.outcome);
  counters.results.add(
    { round_id: row.round_id },
    {
      sanctions_party: row.sanctions_party,
      sanctions_government: row.sanctions_government,
      sanctions_organizational: row.sanctions_organizational,
      recovered_funds_fen: row.recovered_funds_fen,
    },
    sign,
  );
  if (row.field_id !== null)
    counters.fields.add({ round_id: row.round_id, field_id: row.field_id }, { leads: 1 }, sign);
}

export const leadsReadModel: ReadModel = {
  name: 'leads',
  ddl: (schema) => {
    const t = (name: string) => qualified(schema, name);
    return `
    CREATE TABLE ${t(TABLES.leads)} (
      id                     text PRIMARY KEY,
      round_id               text NOT NULL,
      point_id               text,
      field_id               text,
      source                 text NOT NULL,
      summary                text NOT NULL,
      status                 text NOT NULL,
      subject_count          int NOT NULL,
      triage_decision        text,
      receiver               text,
      receiver_department_id text,
      disposition            text,
      disposition_changes    int NOT NULL,
      outcome                text,
      recorded_at            timestamptz NOT NULL,
      recorded_by            text,
      triaged_at             timestamptz,
      transferred_at         timestamptz,
      received_at            timestamptz,
      disposed_at            timestamptz,
      concluded_at           timestamptz,
      closed_at              timestamptz,
      feedback_due_on        date,
      sanctions_party        int NOT NULL,
      sanctions_government   int NOT NULL,
      sanctions_organizational int NOT NULL,
      recovered_funds_fen    bigint NOT NULL,
      first_position         bigint NOT NULL,
      last_position          bigint NOT NULL
    ) WITH (fillfactor = 80); -- room for HOT updates, as for findings
    CREATE INDEX ON ${t(TABLES.leads)} (round_id, first_position DESC);
    CREATE INDEX ON ${t(TABLES.leads)} (first_position DESC);
    CREATE INDEX ON ${t(TABLES.leads)} (recorded_by, first_position DESC);
    -- The leads still awaiting the receiver's feedback, by round and deadline: the overview counts the overdue ones
    -- and the red list reads them without walking the round's leads. The predicate is the one the queries bind.
    CREATE INDEX ON ${t(TABLES.leads)} (round_id, feedback_due_on) WHERE ${awaitingPredicate};
    CREATE TABLE ${t(TABLES.leadPoints)} (
      id       text PRIMARY KEY,
      round_id text NOT NULL,
      field_id text NOT NULL
    );
    CREATE TABLE ${t(TABLES.leadCounts)} (
      round_id  text NOT NULL,
      dimension text NOT NULL,
      value     text NOT NULL,
      n         int NOT NULL DEFAULT 0,
      PRIMARY KEY (round_id, dimension, value)
    );
    CREATE TABLE ${t(TABLES.leadResultFigures)} (
      round_id                 text PRIMARY KEY,
      sanctions_party          int NOT NULL DEFAULT 0,
      sanctions_government     int NOT NULL DEFAULT 0,
      sanctions_organizational int NOT NULL DEFAULT 0,
      recovered_funds_fen      bigint NOT NULL DEFAULT 0
    );
    CREATE TABLE ${t(TABLES.leadFieldFigures)} (
      round_id text NOT NULL,
      field_id text NOT NULL,
      leads    int NOT NULL DEFAULT 0,
      PRIMARY KEY (round_id, field_id)
    );
    CREATE TABLE ${t(TABLES.leadWeekFigures)} (
      round_id   text NOT NULL,
      week_start date NOT NULL,
      recorded   int NOT NULL DEFAULT 0,
      PRIMARY KEY (round_id, week_start)
    );`;
  },

  async applyBatch(events: readonly RecordedEvent[], db: pg.ClientBase, schema: string, context?: ApplyContext) {
    const points = events.filter((e) => e.type === 'MonitoringPointAdded') as unknown as PointEvent[];
    const mine = events.filter((e) => LEAD_TYPES.has(e.type)) as unknown as LeadRecordedEvent[];
    if (points.length === 0 && mine.length === 0) return;

    // Points added in this batch, then the stored ones for leads naming an older point.
    const fields = new Map<string, string>(points.map((e) => [e.data.pointId, e.data.fieldId]));
    const wanted = touchedIds(mine, (e) =>
      e.type === 'LeadRecorded' && e.data.monitoringPointId && !fields.has(e.data.monitoringPointId)
        ? e.data.monitoringPointId
        : undefined,
    );
    for (const [id, point] of await loadRows<Row>(db, schema, leadPointsTable, wanted, context?.cache))
      fields.set(id, String(point.field_id));
    await upsertRows(
      db,
      schema,
      leadPointsTable,
      points.map((e) => ({ id: e.data.pointId, round_id: e.data.roundId, field_id: e.data.fieldId })),
      'replace',
      context,
    );
    if (mine.length === 0) return;

    const rows = await loadRows<LeadRow>(
      db,
      schema,
      leadsTable,
      touchedIds(mine, (e) => e.data.leadId),
      context?.cache,
    );
    const before = new Map(rows);
    const counters: Counters = {
      counts: new CounterDeltas(leadCountsTable),
      results: new CounterDeltas(leadResultFiguresTable),
      fields: new CounterDeltas(leadFieldFiguresTable),
      weeks: new CounterDeltas(leadWeekFiguresTable),
    };
    const changed = new Set<string>();
    const fieldOf = (pointId: string) => fields.get(pointId) ?? null;

    for (const event of mine) {
      const id = event.data.leadId;
      const previous = rows.get(id);
      const next = evolve(previous, event, fieldOf);
      if (!next || next === previous) continue;
      rows.set(id, next);
      changed.add(id);
      // 移交 counted when it happened (cumulative), whatever became of the lead since.
      if (event.type === 'LeadTransferred') {
        counters.counts.add({ round_id: next.round_id, dimension: 'cumulative', value: 'transferred' }, { n: 1 });
      }
      if (event.type === 'LeadRecorded') {
        counters.weeks.add(
          { round_id: next.round_id, week_start: isoWeekStart(officeDate(next.recorded_at)) },
          { recorded: 1 },
        );
      }
    }
    for (const id of changed) {
      contribute(counters, before.get(id), -1);
      contribute(counters, rows.get(id), 1);
    }

    await upsertRows(
      db,
      schema,
      leadsTable,
      [...changed].map((id) => rows.get(id)! as Row),
      'replace',
      context,
    );
    await counters.counts.write(db, schema, context);
    await counters.results.write(db, schema, context);
    await counters.fields.write(db, schema, context);
    await counters.weeks.write(db, schema, context);
  },
};
