import { Injectable } from '@nestjs/common';
import type { FollowUpVisit, InspectionRound, Lead, MonitoringPoint, MonitoringTarget } from '@app/domain';
import type { AuthUser } from '../../auth/auth-user.js';
import { ApplicationError } from '../../application/errors.js';
import {
  NAME_READERS,
  PersonalDataService,
  REDACTED,
  type RevealedValue,
} from '../../personal-data/personal-data.service.js';

/**
 * Who sees what of a case, in one place (every read route goes through it):
 * - names of people — lead subjects and their posts, informants, person targets of monitoring points, the
 *   identifying detail of a lead — are in the vault; officials and inspectors see them (every read logged),
 *   everyone else ［已隐去］;
 * - the same values written in clear before they were protected (the upcasters' `legacy…` fields) are shown
 *   and redacted exactly alike;
 * - a unit liaison sees only what concerns their unit: the monitoring points aimed at it, without person
 *   targets.
 */
@Injectable()
export class Visibility {
  constructor(private readonly personalData: PersonalDataService) {}

  mayReadNames(user: AuthUser): boolean {
    return NAME_READERS.has(user.role);
  }

  /** A round as `user` may see it. */
  async round<R extends InspectionRound>(round: R, user: AuthUser): Promise<R> {
    if (user.role === 'unit_liaison') {
      const own = liaisonUnit(user);
      const monitoringPoints = round.monitoringPoints
        .filter((point) => point.targets.some((t) => t.departmentId === own))
        .map((point) => ({ ...point, targets: point.targets.filter((t) => t.kind !== 'person') }));
      return { ...round, monitoringPoints };
    }
    const refs = round.monitoringPoints.flatMap((p) => p.targets.flatMap((t) => ('ref' in t ? [t.ref] : [])));
    const values = refs.length
      ? await this.personalData.reveal(refs, user, { purpose: 'view round' })
      : new Map<string, RevealedValue>();
    const names = this.mayReadNames(user);
    const point = (p: MonitoringPoint) => ({ ...p, targets: p.targets.map((t) => shownTarget(t, values, names)) });
    return { ...round, monitoringPoints: round.monitoringPoints.map(point) };
  }

  /** A case's 回访 with the person visited as `user` may see them (name and contact, or redacted). */
  async followUps<C extends { followUps?: FollowUpVisit[] }>(c: C, user: AuthUser, context: { leadId?: string }) {
    const visits = c.followUps ?? [];
    if (visits.length === 0) return { ...c, followUps: [] };
    const values = await this.personalData.reveal(
      visits.map((v) => v.visiteeRef),
      user,
      { ...context, purpose: 'view follow-up visits' },
    );
    return { ...c, followUps: visits.map((v) => ({ ...v, visitee: shown(values.get(v.visiteeRef)) })) };
  }

  /** A lead with its subjects, informant and identifying detail as `user` may see them. */
  async lead<L extends Lead>(lead: L, leadId: string, user: AuthUser) {
    const { summaryDetailRef, informantRef } = lead;
    const refs = [
      ...lead.subjects.map((s) => s.ref),
      ...(informantRef ? [informantRef] : []),
      ...(summaryDetailRef ? [summaryDetailRef] : []),
    ];
    const values = refs.length
      ? await this.personalData.reveal(refs, user, { leadId, purpose: 'view lead' })
      : new Map<string, RevealedValue>();
    const names = this.mayReadNames(user);
    const subjects = lead.subjects.map(({ legacyPost, ...s }) => {
      const value = values.get(s.ref);
      const legacy = legacyPost === undefined ? {} : { post: names ? legacyPost : REDACTED, legacyPost: true };
      return { ...s, ...legacy, ...shown(value) };
    });
    const detail = summaryDetailRef ? values.get(summaryDetailRef) : undefined;
    return {
      ...lead,
      subjects,
      ...(informantRef ? { informant: { ref: informantRef, ...shown(values.get(informantRef)) } } : {}),
      ...(summaryDetailRef ? { summaryDetail: detailShown(detail) } : {}),
    };
  }
}

/**
 * An event's data as `user` may see it in a history or the audit log: vault refs stay refs (they say
 * nothing), values written in clear before they were protected are redacted for whoever may not read names.
 */
export function visibleEventData(type: string, data: unknown, user: AuthUser): unknown {
  if (NAME_READERS.has(user.role)) return data;
  const d = data as Record<string, unknown>;
  if (type === 'MonitoringPointAdded' && Array.isArray(d.targets)) {
    const targets = (d.targets as MonitoringTarget[]).map((t) =>
      'legacyName' in t ? { ...t, legacyName: REDACTED, redacted: true } : t,
    );
    return { ...d, targets };
  }
  if (type === 'LeadRecorded' && Array.isArray(d.subjects)) {
    const subjects = (d.subjects as Lead['subjects']).map((s) =>
      s.legacyPost === undefined ? s : { ...s, legacyPost: REDACTED, redacted: true },
    );
    return { ...d, subjects };
  }
  return data;
}

export function liaisonUnit(user: AuthUser): string {
  if (!user.departmentId) throw new ApplicationError('NO_DEPARTMENT', 'This unit liaison account has no department');
  return user.departmentId;
}

/** A vault value as shown next to its ref: `name` (and `post`) in clear, redacted, or erased. */
function shown(value: RevealedValue | undefined): Record<string, unknown> {
  if (!value) return { missing: true };
  switch (value.status) {
    case 'revealed':
      return { ...value.value };
    case 'redacted':
      return value.kind === 'lead_subject'
        ? { name: REDACTED, post: REDACTED, redacted: true }
        : { name: REDACTED, redacted: true };
    case 'erased':
      return { erased: true, erasedAt: value.erasedAt };
    case 'missing':
      return { missing: true };
  }
}

function detailShown(value: RevealedValue | undefined): Record<string, unknown> {
  if (value?.status === 'revealed') return { text: value.value.text };
  if (value?.status === 'redacted') return { text: REDACTED, redacted: true };
  return shown(value);
}

type ShownTarget = MonitoringTarget | Record<string, unknown>;

function shownTarget(target: MonitoringTarget, values: Map<string, RevealedValue>, names: boolean): ShownTarget {
  if (target.kind !== 'person') return target;
  const department = target.departmentId ? { departmentId: target.departmentId } : {};
  if ('legacyName' in target) {
    // Written in clear before person targets were protected: shown like a vault value, not erasable.
    const name = names ? { name: target.legacyName } : { name: REDACTED, redacted: true };
    return { kind: 'person', ...department, legacy: true, ...name };
  }
  return { kind: 'person', ref: target.ref, ...department, ...shown(values.get(target.ref)) };
}
