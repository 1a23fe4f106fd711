export * from './finding.types.js';
export * from './finding.decider.js';
export * from './finding.rules.js';
