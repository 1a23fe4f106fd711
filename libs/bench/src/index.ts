/** What the benchmarks share: settings, figures, CPU accounting, machine facts, load generation, run databases. */
export * from './util.js';
export * from './cpu.js';
export * from './machine.js';
export * from './results.js';
export * from './raw-events.js';
export * from './autocannon-phase.js';
export * from './load-generator-process.js';
export * from './run-database.js';
export * from './app-process.js';
