import type { DepartmentCommand, DepartmentEvent } from './department/department.types.js';
import type { FindingCommand, FindingEvent } from './finding/finding.types.js';
import type { LeadCommand, LeadEvent } from './lead/lead.types.js';
import type { RoundCommand, RoundEvent } from './round/round.types.js';

export type DomainEvent = RoundEvent | FindingEvent | LeadEvent | DepartmentEvent;
export type DomainEventType = DomainEvent['type'];
export type DomainCommand = RoundCommand | FindingCommand | LeadCommand | DepartmentCommand;
export type CommandType = DomainCommand['type'];

/** Stream categories: a stream id is `${category}-${aggregateId}`. */
export const STREAM_CATEGORIES = ['round', 'finding', 'lead', 'department'] as const;
export type StreamCategory = (typeof STREAM_CATEGORIES)[number];

export function parseStreamId(streamId: string): { category: StreamCategory; id: string } | undefined {
  const dash = streamId.indexOf('-');
  const category = streamId.slice(0, dash);
  const id = streamId.slice(dash + 1);
  if (dash < 0 || id === '' || !(STREAM_CATEGORIES as readonly string[]).includes(category)) return undefined;
  return { category: category as StreamCategory, id };
}
