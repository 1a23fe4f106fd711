import { defaultFeedbackDueOn } from './lead/lead.decider.js';
import type { DomainEventType } from './types.js';

/**
 * The log is forever: an event keeps the shape it was written in. When a later version changes an
 * event's shape, it adds a step here that turns the older shape into the newer one on read, and it
 * raises the type's current version. Events are written with their type's current version in
 * `metadata.schemaVersion`; an event without one was written before versions existed (version 1).
 *
 * Steps are pure functions of the stored data, run in order from the stored version to the current
 * one, so every reader (the deciders' fold, the projector, history) sees one shape per type.
 */
export interface UpcastStep {
  type: DomainEventType;
  /** The version this step reads; it produces `from + 1`. */
  from: number;
  up(data: Record<string, unknown>): Record<string, unknown>;
}

type Stored = Record<string, unknown>;
const departmentOf = (item: Stored) =>
  typeof item.departmentId === 'string' ? { departmentId: item.departmentId } : {};

/**
 * v1 → v2 of MonitoringPointAdded: a person target's name was written in clear. It becomes
 * `{kind: 'person', legacyName, unprotected: 'legacy'}` (see `LegacyPersonTarget`), so that no reader
 * mistakes it for a name that may be shown, and every reader redacts it as it redacts a vault value.
 */
export const protectPersonTargets: UpcastStep = {
  type: 'MonitoringPointAdded',
  from: 1,
  up: (data) => ({
    ...data,
    targets: ((data.targets ?? []) as Stored[]).map((t) =>
      t.kind === 'person' && typeof t.name === 'string'
        ? { kind: 'person', legacyName: t.name, unprotected: 'legacy', ...departmentOf(t) }
        : t,
    ),
  }),
};

/** v1 → v2 of LeadRecorded: a subject's post was written in clear; it becomes `legacyPost` (see `LeadSubjectRef`). */
export const protectSubjectPosts: UpcastStep = {
  type: 'LeadRecorded',
  from: 1,
  up: (data) => ({
    ...data,
    subjects: ((data.subjects ?? []) as Stored[]).map(({ post, ...subject }) =>
      typeof post === 'string' ? { ...subject, legacyPost: post } : subject,
    ),
  }),
};

/**
 * v1 → v2 of ProgressReported and ClosureRequested: evidence was a list of typed strings. Each becomes a
 * paper reference `{kind: 'paper', name}`; only version 2 events cite files `{kind: 'file', sha256, …}`.
 */
const evidenceAsItems = (data: Stored): Stored => ({
  ...data,
  evidence: ((data.evidence ?? []) as unknown[]).map((item) =>
    typeof item === 'string' ? { kind: 'paper', name: item } : item,
  ),
});
export const paperEvidenceInProgress: UpcastStep = { type: 'ProgressReported', from: 1, up: evidenceAsItems };
export const paperEvidenceInClosure: UpcastStep = { type: 'ClosureRequested', from: 1, up: evidenceAsItems };

/** v1 → v2 of LeadTransferred: no feedback deadline was recorded; it is the default, three months after the transfer. */
export const defaultLeadFeedbackDeadline: UpcastStep = {
  type: 'LeadTransferred',
  from: 1,
  up: (data) =>
    typeof data.feedbackDueOn === 'string'
      ? data
      : { ...data, feedbackDueOn: defaultFeedbackDueOn(String(data.occurredAt)) },
};

/** Every step, in any order; `upcast` picks the ones it needs. */
export const UPCAST_STEPS: readonly UpcastStep[] = [
  protectPersonTargets,
  protectSubjectPosts,
  paperEvidenceInProgress,
  paperEvidenceInClosure,
  defaultLeadFeedbackDeadline,
];

/** The version an event of `type` is written in now. */
export function currentSchemaVersion(type: string, steps: readonly UpcastStep[] = UPCAST_STEPS): number {
  let version = 1;
  for (const step of steps) if (step.type === type && step.from + 1 > version) version = step.from + 1;
  return version;
}

/**
 * Brings stored data up to the current shape of its type. Data already current is returned as is (the
 * same object), so the common case costs one lookup.
 */
export function upcast(
  type: string,
  data: unknown,
  storedVersion: number | undefined,
  steps: readonly UpcastStep[] = UPCAST_STEPS,
): unknown {
  let version = storedVersion ?? 1;
  const target = currentSchemaVersion(type, steps);
  let value = data as Record<string, unknown>;
  while (version < target) {
    const step = steps.find((s) => s.type === type && s.from === version);
    if (!step) throw new Error(`No upcaster for ${type} from version ${version} to ${version + 1}`);
    value = step.up(value);
    version++;
  }
  return value;
}
