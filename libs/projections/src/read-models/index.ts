import type { ReadModel } from '../read-model.js';
import { departmentsReadModel } from './departments.read-model.js';
import { findingsReadModel } from './findings.read-model.js';
import { followUpsReadModel } from './follow-ups.read-model.js';
import { leadsReadModel } from './leads.read-model.js';
import { roundsReadModel } from './rounds.read-model.js';

/**
 * The read models behind lists and dashboards. Each owns its tables and reads only the events, so
 * they may be applied in any order; this order is merely the one a reader expects.
 */
export const readModels: ReadModel[] = [
  departmentsReadModel,
  roundsReadModel,
  findingsReadModel,
  leadsReadModel,
  followUpsReadModel,
];

/** Bump when any DDL or fold changes: the stored rows are then stale and must be rebuilt from the log. */
export const READ_MODELS_VERSION = 8;

export { TABLES } from './tables.js';
export { departmentsReadModel, findingsReadModel, followUpsReadModel, leadsReadModel, roundsReadModel };
