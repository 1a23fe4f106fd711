import { DomainError } from '../common/errors.js';
import type { InspectionRound, MonitoringPoint, RoundState, RoundStatus } from './round.types.js';

/*
 * Rules that span two streams. A finding or lead is decided on its own stream, but whether it may
 * be recorded depends on the round. The application handler loads the round, asks these, and only
 * then calls the finding/lead decider — so no refused command writes anything anywhere.
 */

const LEAD_RECORDING_STATUSES: readonly RoundStatus[] = ['stationed', 'reported', 'feedback_delivered'];

/** Findings are recorded while the team is stationed (进驻). */
export const canRecordFinding = (round: RoundState): boolean => round.status === 'stationed';

/** Leads are recorded from stationing up to and including feedback (反馈). */
export const canRecordLead = (round: RoundState): boolean =>
  round.status !== 'absent' && LEAD_RECORDING_STATUSES.includes(round.status);

export function findMonitoringPoint(round: RoundState, pointId: string): MonitoringPoint | undefined {
  return round.status === 'absent' ? undefined : round.monitoringPoints.find((point) => point.pointId === pointId);
}

function pointOf(round: InspectionRound, pointId: string): MonitoringPoint {
  const point = findMonitoringPoint(round, pointId);
  if (!point) {
    throw new DomainError(
      'MONITORING_POINT_NOT_FOUND',
      `monitoring point ${pointId} is not part of round ${round.roundId}`,
      'monitoringPointId',
    );
  }
  return point;
}

/**
 * Throws the DomainError the client should see, or answers the monitoring point
 * (whose `fieldId` goes into RecordFinding).
 */
export function ensureFindingMayBeRecorded(round: RoundState, monitoringPointId: string): MonitoringPoint {
  if (round.status === 'absent') throw new DomainError('ROUND_NOT_FOUND', 'round not found');
  if (!canRecordFinding(round)) {
    throw new DomainError(
      'ROUND_NOT_STATIONED',
      `findings are recorded while the round is stationed, it is ${round.status}`,
    );
  }
  return pointOf(round, monitoringPointId);
}

const RECLASSIFICATION_STATUSES: readonly RoundStatus[] = [...LEAD_RECORDING_STATUSES, 'rectifying'];

/**
 * A lead triaged as reclassify_as_finding records its finding while leads are still being triaged:
 * from stationing until the round's rectification ends (its findings are rectified with the rest).
 */
export function ensureLeadMayBecomeFinding(round: RoundState, monitoringPointId: string): MonitoringPoint {
  if (round.status === 'absent') throw new DomainError('ROUND_NOT_FOUND', 'round not found');
  if (!RECLASSIFICATION_STATUSES.includes(round.status)) {
    throw new DomainError(
      'ROUND_NOT_ACCEPTING_LEADS',
      `a lead becomes a finding from stationing until rectification, the round is ${round.status}`,
    );
  }
  return pointOf(round, monitoringPointId);
}

/** As for findings; the monitoring point of a lead is optional. */
export function ensureLeadMayBeRecorded(round: RoundState, monitoringPointId?: string): MonitoringPoint | undefined {
  if (round.status === 'absent') throw new DomainError('ROUND_NOT_FOUND', 'round not found');
  if (!canRecordLead(round)) {
    throw new DomainError(
      'ROUND_NOT_ACCEPTING_LEADS',
      `leads are recorded from stationing until feedback, the round is ${round.status}`,
    );
  }
  return monitoringPointId === undefined ? undefined : pointOf(round, monitoringPointId);
}
