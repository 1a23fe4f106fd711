import type pg from 'pg';
import {
  daysBetween,
  FINDING_STATUSES,
  findingStatusAfter,
  isAssignedFindingStatus,
  isOpenFindingStatus,
  OPEN_FINDING_STATUSES,
  type FindingEvent,
  type FindingStatus,
} from '@app/domain';
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
 * 问题 (findings) for lists, and the counters the rectification dashboards add up.
 *
 * Counters that describe the *current* state (per department, per field, open rectifications per
 * due date) are kept as the sum of every finding's contribution: when a batch changes a finding,
 * its old contribution is taken away and its new one added. A status change therefore moves one
 * unit from the old state's counter to the new one, an assignment to another unit moves the
 * finding between departments, and a reopen takes a closure (and its days to close) back.
 * The weekly trend counts events instead (what happened that week stays in that week).
 *
 * Overdue and 红黄绿 warnings are never stored: they depend on today's date. What is stored is the
 * number of open rectifications per (round, department, due date); a query compares the due dates
 * with today and adds up a handful of rows.
 */

export interface FindingRow {
  [column: string]: unknown;
  id: string;
  round_id: string;
  field_id: string;
  point_id: string;
  /** The unit answerable for it: the rectification's lead unit once assigned, before that the unit it was found in. */
  department_id: string;
  recorded_department_id: string;
  /** The rectification's lead unit (牵头单位), null until assigned. */
  rect_department_id: string | null;
  co_department_ids: string[];
  title: string;
  description: string;
  category: string | null;
  status: FindingStatus;
  rect_type: string | null;
  due_on: string | null;
  recorded_at: string;
  assigned_at: string | null;
  acknowledged_at: string | null;
  closure_requested_at: string | null;
  closed_at: string | null;
  ongoing_since: string | null;
  dismissed_at: string | null;
  cycle: number;
  reopened_count: number;
  rejected_count: number;
  progress_percent: number;
  /** For the 整改台账: 责任人, 整改措施 and the latest progress note. */
  responsible_person: string | null;
  measures: string | null;
  progress_note: string | null;
  /** The first due date (before any extension or new deadline); `due_on` is the one in force. */
  original_due_on: string | null;
  /** 督办 issued (提醒函, 督办通知书, 约谈). */
  notices: number;
  /** The latest 申请延期: requested / granted / refused, and the date asked for. */
  extension_state: string | null;
  extension_due_on: string | null;
  /** 整改目标, 佐证材料 (names, files and paper alike, without repeats), 验收意见 (the latest rejection's reason). */
  target: string | null;
  evidence: string[];
  verification_opinion: string | null;
  first_position: number;
  last_position: number;
}

export const findingsTable: TableSpec = {
  name: TABLES.findings,
  key: ['id'],
  columns: [
    ['id', 'text'],
    ['round_id', 'text'],
    ['field_id', 'text'],
    ['point_id', 'text'],
    ['department_id', 'text'],
    ['recorded_department_id', 'text'],
    ['rect_department_id', 'text'],
    ['co_department_ids', 'jsonb'],
    ['title', 'text'],
    ['description', 'text'],
    ['category', 'text'],
    ['status', 'text'],
    ['rect_type', 'text'],
    ['due_on', 'date'],
    ['recorded_at', 'timestamptz'],
    ['assigned_at', 'timestamptz'],
    ['acknowledged_at', 'timestamptz'],
    ['closure_requested_at', 'timestamptz'],
    ['closed_at', 'timestamptz'],
    ['ongoing_since', 'timestamptz'],
    ['dismissed_at', 'timestamptz'],
    ['cycle', 'int'],
    ['reopened_count', 'int'],
    ['rejected_count', 'int'],
    ['progress_percent', 'int'],
    ['responsible_person', 'text'],
    ['measures', 'text'],
    ['progress_note', 'text'],
    ['original_due_on', 'date'],
    ['notices', 'int'],
    ['extension_state', 'text'],
    ['extension_due_on', 'date'],
    ['target', 'text'],
    ['evidence', 'jsonb'],
    ['verification_opinion', 'text'],
    ['first_position', 'bigint'],
    ['last_position', 'bigint'],
  ],
};

/** Column per finding status in the department counters: `st_<status>`. */
export const statusColumn = (status: FindingStatus) => `st_${status}`;

const int = (name: string) => [name, 'int'] as const;

export const findingDepartmentFiguresTable: TableSpec = {
  name: TABLES.findingDepartmentFigures,
  key: ['round_id', 'department_id'],
  columns: [
    ['round_id', 'text'],
    ['department_id', 'text'],
    int('findings'),
    int('assigned'),
    ...FINDING_STATUSES.map((s) => int(statusColumn(s))),
    int('immediate_assigned'),
    int('immediate_closed'),
    int('days_to_close_sum'),
    int('days_to_close_count'),
    int('reopened'),
    int('rejected'),
  ],
};

export const findingOpenByDueTable: TableSpec = {
  name: TABLES.findingOpenByDue,
  key: ['round_id', 'department_id', 'due_on'],
  columns: [['round_id', 'text'], ['department_id', 'text'], ['due_on', 'date'], int('open')],
};

export const findingFieldFiguresTable: TableSpec = {
  name: TABLES.findingFieldFigures,
  key: ['round_id', 'field_id'],
  columns: [['round_id', 'text'], ['field_id', 'text'], int('findings'), int('assigned'), int('closed')],
};

export const findingWeekFiguresTable: TableSpec = {
  name: TABLES.findingWeekFigures,
  key: ['round_id', 'week_start'],
  columns: [['round_id', 'text'], ['week_start', 'date'], int('recorded'), int('closed')],
};

const TYPES = new Set<string>([
  'FindingRecorded',
  'RectificationAssigned',
  'RectificationAcknowledged',
  'RectificationPlanSubmitted',
  'ProgressReported',
  'ClosureRequested',
  'RectificationVerified',
  'RectificationRejected',
  'RectificationMarkedOngoing',
  'RectificationReopened',
  'RectificationSupervised',
  'ExtensionRequested',
  'ExtensionGranted',
  'ExtensionRefused',
  'FindingDismissed',
] satisfies FindingEvent['type'][]);

/** The names of the evidence an event adds, after those already listed, each once. */
const withEvidenceNames = (known: string[], added: readonly { name: string }[]) => [
  ...new Set([...known, ...added.map((item) => item.name)]),
];

type FindingRecordedEvent = RecordedEvent & FindingEvent;

/**
 * The row after one event. The status moves by the domain's `findingStatusAfter` (as `evolveFinding`
 * does), which also says when an event does not apply (a rectification event before assignment);
 * the rest copies the event's data into the columns kept here.
 */
function evolve(row: FindingRow | undefined, event: FindingRecordedEvent): FindingRow | undefined {
  const at = eventInstant(event);
  const status = findingStatusAfter(row?.status ?? 'absent', row?.rect_type != null, event.type);
  if (status === undefined) return row;
  if (event.type === 'FindingRecorded') {
    const d = event.data;
    return {
      id: d.findingId,
      round_id: d.roundId,
      field_id: d.fieldId,
      point_id: d.monitoringPointId,
      department_id: d.departmentId,
      recorded_department_id: d.departmentId,
      rect_department_id: null,
      co_department_ids: [],
      title: d.title,
      description: d.description,
      category: d.category ?? null,
      status,
      rect_type: null,
      due_on: null,
      recorded_at: at,
      assigned_at: null,
      acknowledged_at: null,
      closure_requested_at: null,
      closed_at: null,
      ongoing_since: null,
      dismissed_at: null,
      cycle: 0,
      reopened_count: 0,
      rejected_count: 0,
      progress_percent: 0,
      responsible_person: null,
      measures: null,
      progress_note: null,
      original_due_on: null,
      notices: 0,
      extension_state: null,
      extension_due_on: null,
      target: null,
      evidence: [],
      verification_opinion: null,
      first_position: event.position,
      last_position: event.position,
    };
  }
  if (!row) return undefined;
  // One copy of the row per event (the changes are assigned to it), not two: a finding has 37 columns.
  const moved: FindingRow = { ...row, status, last_position: event.position };
  switch (event.type) {
    case 'RectificationAssigned': {
      const d = event.data;
      return Object.assign(moved, {
        department_id: d.departmentId,
        rect_department_id: d.departmentId,
        co_department_ids: [...d.coDepartmentIds],
        rect_type: d.type,
        due_on: d.dueOn,
        original_due_on: d.dueOn,
        assigned_at: at,
        cycle: 1,
        progress_percent: 0,
        responsible_person: d.responsiblePerson,
      });
    }
    case 'FindingDismissed':
      return Object.assign(moved, { dismissed_at: at });
    case 'RectificationAcknowledged':
      return Object.assign(moved, { acknowledged_at: at });
    case 'RectificationPlanSubmitted':
      return Object.assign(moved, { measures: event.data.measures, target: event.data.target });
    case 'ProgressReported':
      return Object.assign(moved, {
        progress_percent: event.data.percent,
        progress_note: event.data.note,
        evidence: withEvidenceNames(row.evidence, event.data.evidence),
      });
    case 'ClosureRequested':
      return Object.assign(moved, {
        closure_requested_at: at,
        evidence: withEvidenceNames(row.evidence, event.data.evidence),
      });
    case 'RectificationVerified':
      return Object.assign(moved, { closed_at: at, verification_opinion: '验收通过' });
    case 'RectificationRejected':
      return Object.assign(moved, {
        rejected_count: row.rejected_count + 1,
        verification_opinion: `验收未通过：${event.data.reason}`,
        due_on: event.data.dueOn ?? row.due_on,
      });
    case 'RectificationSupervised':
      return Object.assign(moved, { notices: row.notices + 1 });
    case 'ExtensionRequested':
      return Object.assign(moved, { extension_state: 'requested', extension_due_on: event.data.newDueOn });
    case 'ExtensionGranted':
      return Object.assign(moved, { extension_state: 'granted', due_on: event.data.dueOn });
    case 'ExtensionRefused':
      return Object.assign(moved, { extension_state: 'refused' });
    case 'RectificationMarkedOngoing':
      return Object.assign(moved, { ongoing_since: at });
    case 'RectificationReopened': {
      const reopened_count = row.reopened_count + 1;
      return Object.assign(moved, {
        cycle: event.data.cycle,
        reopened_count,
        due_on: event.data.dueOn ?? row.due_on,
        closed_at: null,
        ongoing_since: null,
      });
    }
  }
}

/** Days from assignment to 销号, counted in office calendar days. */
export function daysToClose(row: Pick<FindingRow, 'assigned_at' | 'closed_at'>): number | undefined {
  if (!row.assigned_at || !row.closed_at) return undefined;
  return daysBetween(officeDate(row.assigned_at), officeDate(row.closed_at));
}

interface Counters {
  departments: CounterDeltas;
  openByDue: CounterDeltas;
  fields: CounterDeltas;
  weeks: CounterDeltas;
}

/** Adds (sign 1) or removes (sign -1) what one finding in one state contributes to the counters. */
function contribute(counters: Counters, row: FindingRow | undefined, sign: 1 | -1): void {
  if (!row) return;
  const assigned = isAssignedFindingStatus(row.status) ? 1 : 0;
  const closed = row.status === 'closed' ? 1 : 0;
  const immediate = row.rect_type === 'immediate' ? 1 : 0;
  const days = closed ? daysToClose(row) : undefined;
  const perDepartment: Record<string, number> = {
    findings: 1,
    assigned,
    [statusColumn(row.status)]: 1,
    immediate_assigned: immediate,
    immediate_closed: immediate * closed,
    days_to_close_sum: days ?? 0,
    days_to_close_count: days === undefined ? 0 : 1,
    reopened: row.reopened_count,
    rejected: row.rejected_count,
  };
  counters.departments.add({ round_id: row.round_id, department_id: row.department_id }, perDepartment, sign);
  if (row.due_on && isOpenFindingStatus(row.status)) {
    counters.openByDue.add(
      {
        round_id: row.round_id,
        department_id: row.department_id,
        due_on: row.due_on,
      },
      { open: 1 },
      sign,
    );
  }
  counters.fields.add({ round_id: row.round_id, field_id: row.field_id }, { findings: 1, assigned, closed }, sign);
}

/** The open findings' partial indexes' predicate (openStatusCondition binds the same list). */
const openPredicate = statusInPredicate(OPEN_FINDING_STATUSES);

/** The function that takes a search text's bigrams (see the DDL), in a read-model schema. */
export const SEARCH_BIGRAMS = 'search_bigrams';

/** `search_bigrams(expression)` in `schema`: the findings' bigram index is on this of \`search\`. */
export const searchBigrams = (schema: string, expression: string) =>
  `${qualified(schema, SEARCH_BIGRAMS)}(${expression})`;

export const findingsReadModel: ReadModel = {
  name: 'findings',
  ddl: (schema) => {
    const t = (name: string) => qualified(schema, name);
    const counters = (spec: TableSpec) =>
      spec.columns
        .filter(([name]) => !spec.key.includes(name))
        .map(([name]) => `${name} int NOT NULL DEFAULT 0`)
        .join(',\n      ');
    return `
    -- The search text's pairs of adjacent characters, each as one number: the first character's code point times
    -- 2^21 (above any code point) plus the second's. Numbers, not strings: over 103,680 findings a GIN index of their
    -- characters and pairs built in 4.3 s as bigint keys, 6.8 s as text keys under the C.UTF-8 collation. Index and
    -- query both call this function, so they agree in any database encoding. ~6 µs a finding.
    CREATE FUNCTION ${t(SEARCH_BIGRAMS)}(t text) RETURNS bigint[] LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $bigrams$
    DECLARE
      c text[] := string_to_array(t, NULL);
      grams bigint[] := '{}';
    BEGIN
      FOR i IN 1 .. coalesce(array_length(c, 1), 0) - 1 LOOP
        grams := grams || (ascii(c[i])::bigint * 2097152 + ascii(c[i + 1]));
      END LOOP;
      RETURN grams;
    END $bigrams$;
    CREATE TABLE ${t(TABLES.findings)} (
      id                     text PRIMARY KEY,
      round_id               text NOT NULL,
      field_id               text NOT NULL,
      point_id               text NOT NULL,
      department_id          text NOT NULL,
      recorded_department_id text NOT NULL,
      rect_department_id     text,
      co_department_ids      jsonb NOT NULL,
      title                  text NOT NULL,
      description            text NOT NULL,
      category               text,
      status                 text NOT NULL,
      rect_type              text,
      due_on                 date,
      recorded_at            timestamptz NOT NULL,
      assigned_at            timestamptz,
      acknowledged_at        timestamptz,
      closure_requested_at   timestamptz,
      closed_at              timestamptz,
      ongoing_since          timestamptz,
      dismissed_at           timestamptz,
      cycle                  int NOT NULL,
      reopened_count         int NOT NULL,
      rejected_count         int NOT NULL,
      progress_percent       int NOT NULL,
      responsible_person     text,
      measures               text,
      progress_note          text,
      original_due_on        date,
      notices                int NOT NULL,
      extension_state        text,
      extension_due_on       date,
      target                 text,
      evidence               jsonb NOT NULL,
      verification_opinion   text,
      first_position         bigint NOT NULL,
      last_position          bigint NOT NULL,
      -- Free-text search is a substring match (LIKE '%…%'): Chinese has no spaces for a tsvector to
      -- split on. Lowercased once here, not on every query; a bigram index below.
      search                 text GENERATED ALWAYS AS (lower(title || ' ' || description || ' ' || coalesce(category, ''))) STORED
    ) WITH (fillfactor = 80);
    -- A finding is rewritten at every step of its rectification. Free room in each page (fillfactor)
    -- and no index on the columns that change at most steps (progress, notes, counts) let those
    -- rewrites be HOT updates, so the table and its indexes do not bloat with dead versions.
    -- department_id and rect_department_id change once, when the rectification is assigned; status and
    -- due_on a few times in a finding's life (the open findings' indexes below name them).
    CREATE INDEX ON ${t(TABLES.findings)} (round_id, first_position DESC);
    CREATE INDEX ON ${t(TABLES.findings)} (department_id, first_position DESC);
    CREATE INDEX ON ${t(TABLES.findings)} (rect_department_id, first_position DESC);
    CREATE INDEX ON ${t(TABLES.findings)} (round_id, field_id);
    CREATE INDEX ON ${t(TABLES.findings)} (first_position DESC);
    -- The open findings by due date, of a unit and of a round: the overdue and 红黄绿 lists read the few open
    -- rows in the date range instead of walking every finding of the unit or round. The predicate is the one
    -- openStatusCondition writes (the same list, in the same order), so the planner can use the index.
    CREATE INDEX ON ${t(TABLES.findings)} (rect_department_id, due_on) WHERE ${openPredicate};
    CREATE INDEX ON ${t(TABLES.findings)} (round_id, due_on) WHERE ${openPredicate};
    -- Substring search on a bigram index: ${SEARCH_BIGRAMS}(search) is every pair of adjacent characters, so a Chinese
    -- word of two characters (most are) is one key to look up, with no tokenizer and no extension (pg_trgm has no
    -- trigram for such a word). A longer search looks up all its pairs; LIKE checks the rows found. A search within
    -- one round, or of a single character, filters the rows with LIKE instead (listFindings). \`search\` changes only
    -- with the text.
    CREATE INDEX ON ${t(TABLES.findings)} USING gin (${searchBigrams(schema, 'search')});
    CREATE TABLE ${t(TABLES.findingDepartmentFigures)} (
      round_id      text NOT NULL,
      department_id text NOT NULL,
      ${counters(findingDepartmentFiguresTable)},
      PRIMARY KEY (round_id, department_id)
    );
    CREATE INDEX ON ${t(TABLES.findingDepartmentFigures)} (department_id);
    CREATE TABLE ${t(TABLES.findingOpenByDue)} (
      round_id      text NOT NULL,
      department_id text NOT NULL,
      due_on        date NOT NULL,
      open          int NOT NULL DEFAULT 0,
      PRIMARY KEY (round_id, department_id, due_on)
    );
    CREATE INDEX ON ${t(TABLES.findingOpenByDue)} (department_id, due_on);
    CREATE TABLE ${t(TABLES.findingFieldFigures)} (
      round_id text NOT NULL,
      field_id text NOT NULL,
      ${counters(findingFieldFiguresTable)},
      PRIMARY KEY (round_id, field_id)
    );
    CREATE TABLE ${t(TABLES.findingWeekFigures)} (
      round_id   text NOT NULL,
      week_start date NOT NULL,
      ${counters(findingWeekFiguresTable)},
      PRIMARY KEY (round_id, week_start)
    );`;
  },

  async applyBatch(events: readonly RecordedEvent[], db: pg.ClientBase, schema: string, context?: ApplyContext) {
    const mine = events.filter((e) => TYPES.has(e.type)) as unknown as FindingRecordedEvent[];
    if (mine.length === 0) return;
    const rows = await loadRows<FindingRow>(
      db,
      schema,
      findingsTable,
      touchedIds(mine, (e) => e.data.findingId),
      context?.cache,
    );
    const before = new Map(rows);
    const counters: Counters = {
      departments: new CounterDeltas(findingDepartmentFiguresTable),
      openByDue: new CounterDeltas(findingOpenByDueTable),
      fields: new CounterDeltas(findingFieldFiguresTable),
      weeks: new CounterDeltas(findingWeekFiguresTable),
    };
    const changed = new Set<string>();

    for (const event of mine) {
      const id = event.data.findingId;
      const previous = rows.get(id);
      const next = evolve(previous, event);
      if (!next || next === previous) continue;
      rows.set(id, next);
      changed.add(id);
      if (event.type === 'FindingRecorded') {
        counters.weeks.add(
          {
            round_id: next.round_id,
            week_start: isoWeekStart(officeDate(next.recorded_at)),
          },
          { recorded: 1 },
        );
      } else if (event.type === 'RectificationVerified') {
        counters.weeks.add(
          {
            round_id: next.round_id,
            week_start: isoWeekStart(officeDate(next.closed_at!)),
          },
          { closed: 1 },
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
      findingsTable,
      [...changed].map((id) => rows.get(id)! as Row),
      'replace',
      context,
    );
    await counters.departments.write(db, schema, context);
    await counters.openByDue.write(db, schema, context);
    await counters.fields.write(db, schema, context);
    await counters.weeks.write(db, schema, context);
  },
};
