import type { DecideExtension, RequestExtension, SuperviseRectification } from '@app/domain';
import { addMonths } from '@app/domain';

/*
 * 督办 and 申请延期 in the demo (docs/domain.md "Supervision"): notices of two levels on the most overdue
 * rectification, a notice and a granted extension on the next, a refused extension on the third. Dates are
 * taken from `today` and each rectification's due date, so the same plan fits the reference tour (applied by
 * its tests) and a current round (applied by the loader to the round whose deadlines fall around today).
 */

/** An open rectification the plan acts on, with its current due date. */
export interface SupervisionTarget {
  findingId: string;
  dueOn: string;
}

type Data<C extends { data: unknown }> = Omit<C['data'], 'findingId'>;
export type SupervisionCommand =
  | { type: 'SuperviseRectification'; findingId: string; data: Data<SuperviseRectification> }
  | { type: 'RequestExtension'; findingId: string; data: Data<RequestExtension> }
  | { type: 'DecideExtension'; findingId: string; data: Data<DecideExtension> };

/** Who sends each step: the office (巡察办), or the liaison of the unit the rectification is assigned to. */
export interface SupervisionStep {
  as: 'official' | 'liaison';
  command: SupervisionCommand;
}

/** `YYYY-MM-DD` plus whole days. */
function plusDays(date: string, days: number): string {
  const t = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
  return new Date(t + days * 86_400_000).toISOString().slice(0, 10);
}

const later = (a: string, b: string) => (a > b ? a : b);

/**
 * The steps, in order, for up to three open rectifications (most overdue first); fewer targets give fewer
 * steps. `today` is the office date the steps are sent on.
 */
export function supervisionPlan(targets: readonly SupervisionTarget[], today: string): SupervisionStep[] {
  const [first, second, third] = targets;
  const steps: SupervisionStep[] = [];
  if (first) {
    const id = first.findingId;
    steps.push(
      {
        as: 'official',
        command: {
          type: 'SuperviseRectification',
          findingId: id,
          data: {
            level: 'reminder',
            text: '该问题整改已临近或超过整改时限，请你单位抓紧推进，按时报送整改进展及佐证材料。',
            respondBy: plusDays(today, 7),
          },
        },
      },
      {
        as: 'official',
        command: {
          type: 'SuperviseRectification',
          findingId: id,
          data: {
            level: 'notice',
            text: '经提醒后整改仍未到位。请你单位主要负责同志亲自研究，制定整改时间表，逐项销号。',
            respondBy: plusDays(today, 14),
          },
        },
      },
    );
  }
  if (second) {
    const id = second.findingId;
    const newDueOn = addMonths(later(second.dueOn, today), 1);
    steps.push(
      {
        as: 'official',
        command: {
          type: 'SuperviseRectification',
          findingId: id,
          data: {
            level: 'notice',
            text: '请你单位对照整改方案，说明未按期完成的原因，并提出下一步措施。',
            respondBy: plusDays(today, 10),
          },
        },
      },
      {
        as: 'liaison',
        command: {
          type: 'RequestExtension',
          findingId: id,
          data: { newDueOn, reason: '涉及资金拨付和设备采购，需履行政府采购程序，申请延期一个月完成。' },
        },
      },
      {
        as: 'official',
        command: {
          type: 'DecideExtension',
          findingId: id,
          data: { granted: true, reason: '理由充分，同意延期；到期未完成的，按规定启动约谈。' },
        },
      },
    );
  }
  if (third) {
    const id = third.findingId;
    steps.push(
      {
        as: 'liaison',
        command: {
          type: 'RequestExtension',
          findingId: id,
          data: { newDueOn: addMonths(later(third.dueOn, today), 2), reason: '工作量较大，人手不足，申请延期两个月。' },
        },
      },
      {
        as: 'official',
        command: {
          type: 'DecideExtension',
          findingId: id,
          data: { granted: false, reason: '人手不足不是延期理由，请按原定时限完成整改。' },
        },
      },
    );
  }
  return steps;
}

/** Sends the plan's steps in order through the demo's command sender. */
export async function addSupervision(
  targets: readonly SupervisionTarget[],
  today: string,
  send: (step: SupervisionStep) => Promise<unknown>,
): Promise<SupervisionStep[]> {
  const steps = supervisionPlan(targets, today);
  for (const step of steps) await send(step);
  return steps;
}
