import { DomainError } from '../common/errors.js';
import { daysBetween, requireDate, requireOneOf, requireText, toInstant } from '../common/values.js';

/**
 * 回访: after a rectification or a lead's disposition the team visits the people concerned. A visit
 * records the day, who was visited (a reference: the name and contact are in the vault), satisfaction
 * (满意 / 基本满意 / 不满意) and a note. Findings and leads record visits alike; this is their one rule.
 */
export const FOLLOW_UP_SATISFACTIONS = ['satisfied', 'basically_satisfied', 'dissatisfied'] as const;
export type FollowUpSatisfaction = (typeof FOLLOW_UP_SATISFACTIONS)[number];

/** What a follow-up command carries besides the case's id. */
export interface FollowUpInput {
  /** YYYY-MM-DD, not after the day the visit is recorded. */
  visitedOn: string;
  /** The vault reference of the person visited `{name, contact?}`. */
  visiteeRef: string;
  satisfaction: FollowUpSatisfaction;
  note: string;
}

/** A visit as the events and the case's state hold it. */
export interface FollowUpVisit extends FollowUpInput {
  at: string;
}

/**
 * The visit's data checked: a real date no later than the recording day (a day's grace for the
 * office's time zone ahead of UTC), a vault reference, a known satisfaction, a note.
 */
export function followUpVisit(input: FollowUpInput, now: string | Date): FollowUpInput & { occurredAt: string } {
  const occurredAt = toInstant(now);
  const visitedOn = requireDate(input.visitedOn, 'visitedOn');
  if (daysBetween(occurredAt.slice(0, 10), visitedOn) > 1) {
    throw new DomainError('FOLLOW_UP_IN_FUTURE', `visitedOn ${visitedOn} is after the day it is recorded`, 'visitedOn');
  }
  return {
    visitedOn,
    visiteeRef: requireText(input.visiteeRef, 'visiteeRef'),
    satisfaction: requireOneOf(input.satisfaction, FOLLOW_UP_SATISFACTIONS, 'satisfaction'),
    note: requireText(input.note, 'note'),
    occurredAt,
  };
}
