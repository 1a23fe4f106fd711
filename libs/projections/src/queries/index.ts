export type * from './answers.js';
export * from './common.js';
export * from './dashboard.queries.js';
export * from './list.queries.js';
export * from './ledger.queries.js';
