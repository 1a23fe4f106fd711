export * from './round.types.js';
export * from './round.decider.js';
export * from './round.rules.js';
