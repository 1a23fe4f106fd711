import type pg from 'pg';
import type { FindingFollowUpRecorded, LeadFollowUpRecorded } from '@app/domain';
import type { RecordedEvent } from '@app/event-store';
import type { ApplyContext, ReadModel } from '../read-model.js';
import { CounterDeltas, qualified, type TableSpec } from './sql.js';
import { TABLES } from './tables.js';

/**
 * 回访 counted per round, case kind (finding / lead) and satisfaction, for the overview. Nobody's name:
 * the events carry a vault reference to the person visited, and this model keeps not even that.
 */
export const followUpCountsTable: TableSpec = {
  name: TABLES.followUpCounts,
  key: ['round_id', 'case_kind', 'satisfaction'],
  columns: [
    ['round_id', 'text'],
    ['case_kind', 'text'],
    ['satisfaction', 'text'],
    ['n', 'int'],
  ],
};

const TYPES = new Set<string>(['FindingFollowUpRecorded', 'LeadFollowUpRecorded']);

export const followUpsReadModel: ReadModel = {
  name: 'follow_ups',
  ddl: (schema) => `
    CREATE TABLE ${qualified(schema, TABLES.followUpCounts)} (
      round_id     text NOT NULL,
      case_kind    text NOT NULL,
      satisfaction text NOT NULL,
      n            int NOT NULL,
      PRIMARY KEY (round_id, case_kind, satisfaction)
    );`,

  async applyBatch(events: readonly RecordedEvent[], db: pg.ClientBase, schema: string, context?: ApplyContext) {
    const counts = new CounterDeltas(followUpCountsTable);
    for (const event of events) {
      if (!TYPES.has(event.type)) continue;
      const e = event as unknown as FindingFollowUpRecorded | LeadFollowUpRecorded;
      const kind = e.type === 'FindingFollowUpRecorded' ? 'finding' : 'lead';
      counts.add({ round_id: e.data.roundId, case_kind: kind, satisfaction: e.data.satisfaction }, { n: 1 });
    }
    await counts.write(db, schema, context);
  },
};
