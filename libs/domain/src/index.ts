/**
 * @app/domain — pure deciders for 机动式巡察: events, commands, rules and labels.
 * No framework, no database, no clock: time and ids arrive with each command.
 */
export { assertNever } from './common/assert-never.js';
export * from './common/decider.js';
export * from './common/errors.js';
export * from './common/roles.js';
export { addMonths, daysBetween, isIsoDate, isIsoInstant, officeDateOf } from './common/values.js';

export * from './round/index.js';
export * from './finding/index.js';
export * from './lead/index.js';
export * from './department/index.js';
export * from './follow-up/follow-up.js';

export * from './types.js';
export * from './permissions.js';
export * from './labels.js';
export * from './upcasting.js';
