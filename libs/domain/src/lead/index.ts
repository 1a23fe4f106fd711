export * from './lead.types.js';
export * from './lead.decider.js';
