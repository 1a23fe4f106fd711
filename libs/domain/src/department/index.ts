export * from './department.types.js';
export * from './department.decider.js';
