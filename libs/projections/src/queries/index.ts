export * from './common.js';
export * from './dashboard.queries.js';
export * from './list.queries.js';
