import type { CurrentScenario, CurrentStep } from './scenario-current.js';
import { supervisionPlan, type SupervisionTarget } from './scenario-supervision.js';

/*
 * The current round's 督办 and 申请延期 (docs/domain.md "The demo needs a present"): the supervision plan of
 * scenario-supervision.ts applied to three of the round's open rectifications — a reminder and a notice on the
 * overdue one, a notice and a granted extension on the next, a refused extension on the third.
 * Sent on the day before the load day, after everything the round's own steps did, by the office and by the
 * liaison of the unit each rectification is assigned to.
 */
export function currentRoundSupervision(scenario: CurrentScenario): CurrentStep[] {
  const dueOn = new Map<string, string>();
  const liaisonOf = new Map<string, string>();
  for (const step of scenario.steps) {
    const c = step.command;
    if (c.type === 'AssignRectification') dueOn.set(c.data.findingId, c.data.dueOn);
    if (c.type === 'AcknowledgeRectification') liaisonOf.set(c.data.findingId, step.by);
  }
  // Notices on the overdue one (红); a granted extension on the one due in six weeks, so every warning colour
  // stays on the dashboard; a refused one on the 黄 one, which stays due in six days.
  const targets: SupervisionTarget[] = ['overdue', 'later', 'yellow'].map((key) => {
    const findingId = scenario.id('finding', key);
    return { findingId, dueOn: dueOn.get(findingId)! };
  });
  return supervisionPlan(targets, scenario.day(-1)).map((step, i) => ({
    at: new Date(scenario.at(-1, '15:00').getTime() + i * 10 * 60_000),
    by: step.as === 'official' ? 'official' : liaisonOf.get(step.command.findingId)!,
    what: `督办 ${step.command.type} ${step.command.findingId}`,
    command: { type: step.command.type, data: { findingId: step.command.findingId, ...step.command.data } },
  })) as CurrentStep[];
}
