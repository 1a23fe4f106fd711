import os from 'node:os';
import path from 'node:path';
import { departmentStream, findingStream, type DomainCommand, type Role } from '@app/domain';
import { InMemoryEventStore } from '@app/event-store';
import { IdempotencyScope } from '../../idempotency/derived-id.js';
import { EvidenceStore } from '../../evidence/evidence-store.js';
import type { PersonalDataService } from '../../personal-data/personal-data.service.js';
import type { CommandContext } from './command-context.js';
import { PreCheckServices, SendCommand, SendCommandHandler } from './command-handlers.js';
import { CommandRunner } from './command-runner.js';
import { DepartmentDirectory } from './department-directory.js';

/** Handler specs on the in-memory store: given events, when a command, then events or an error code. */
function handlerSpec() {
  const store = new InMemoryEventStore();
  const runner = new CommandRunner(store);
  const protectedValues: unknown[] = [];
  const vault = {
    protect: async (values: unknown[]) => {
      protectedValues.push(...values);
      return values.map((_, i) => `ref-${i}`);
    },
    prepare: (values: unknown[]) => {
      protectedValues.push(...values);
      return { refs: values.map((_, i) => `ref-${i}`), statements: [] };
    },
  } as unknown as PersonalDataService;
  const evidence = new EvidenceStore(path.join(os.tmpdir(), 'xuncha-no-evidence'));
  const services = new PreCheckServices(runner, new DepartmentDirectory(store), vault, evidence);
  const handler = new SendCommandHandler(runner, services);
  const now = new Date('2024-09-02T08:00:00Z');
  const actor = (role: Role, departmentId?: string) => ({ id: `u-${role}`, username: role, role, departmentId });
  return {
    protectedValues,
    async given(streamId: string, ...events: Array<{ type: string; data: Record<string, unknown> }>) {
      const metadata = { actor: { id: 'u-setup', username: 'setup', role: 'admin' } };
      await store.appendToStream(
        streamId,
        events.map((e) => ({ ...e, metadata })),
      );
    },
    when(command: Omit<DomainCommand, 'metadata'>, role: Role, extra: Partial<CommandContext> = {}) {
      const ctx: CommandContext = { actor: actor(role, extra.actor?.departmentId), correlationId: 'c', now, ...extra };
      const metadata = { now: now.toISOString(), userId: ctx.actor.id, role };
      return handler.execute(new SendCommand({ ...command, metadata } as DomainCommand, ctx));
    },
    async events(streamId: string) {
      return (await store.readStream(streamId)).map((e) => ({ type: e.type, data: e.data }));
    },
  };
}

const at = '2024-09-01T08:00:00.000Z';
const registered = (id: string) => ({
  type: 'DepartmentRegistered',
  data: { departmentId: id, name: id, kind: 'bureau', occurredAt: at },
});
const recorded = {
  type: 'FindingRecorded',
  data: {
    findingId: 'f-1',
    roundId: 'r-1',
    fieldId: 'fl-1',
    monitoringPointId: 'p-1',
    departmentId: 'd-a',
    title: 't',
    description: 'd',
    occurredAt: at,
  },
};
const assign = (data: Record<string, unknown> = {}) =>
  ({
    type: 'AssignRectification',
    data: {
      findingId: 'f-1',
      type: 'deadline',
      departmentId: 'd-a',
      responsiblePerson: '王',
      dueOn: '2024-12-31',
      ...data,
    },
  }) as Omit<DomainCommand, 'metadata'>;

describe('SendCommandHandler', () => {
  it("AddMonitoringPoint: a person target's name goes to the vault, the event keeps only its ref", async () => {
    const spec = handlerSpec();
    await spec.given(departmentStream('d-a'), registered('d-a'));
    const planned = {
      roundId: 'r-1',
      kind: 'special',
      title: 't',
      scope: 's',
      startsOn: '2024-09-01',
      endsOn: '2024-09-30',
      occurredAt: at,
    };
    await spec.given(
      'round-r-1',
      { type: 'RoundPlanned', data: planned },
      { type: 'FocusFieldAdded', data: { roundId: 'r-1', fieldId: 'fl-1', name: 'f', occurredAt: at } },
    );
    const targets = [
      { kind: 'department', name: '区民政局', departmentId: 'd-a' },
      { kind: 'person', name: '幸福里社区党组织书记（刘某）', departmentId: 'd-a' },
    ];
    const command = {
      type: 'AddMonitoringPoint',
      data: { roundId: 'r-1', pointId: 'p-1', fieldId: 'fl-1', title: 'p', targets },
    } as const;
    await spec.when(command, 'inspector');
    expect(spec.protectedValues).toEqual([
      { kind: 'monitoring_target', value: { name: '幸福里社区党组织书记（刘某）' } },
    ]);
    const [, , added] = await spec.events('round-r-1');
    expect((added.data as { targets: unknown[] }).targets).toEqual([
      targets[0],
      { kind: 'person', ref: 'ref-0', departmentId: 'd-a' },
    ]);
    expect(JSON.stringify(added)).not.toContain('刘某');
  });

  it('RegisterDepartment: given nothing, then DepartmentRegistered', async () => {
    const spec = handlerSpec();
    const result = await spec.when(
      { type: 'RegisterDepartment', data: { departmentId: 'd-a', name: '区民政局', kind: 'bureau' } },
      'admin',
    );
    expect(result).toMatchObject({ id: 'd-a', revision: 1 });
    expect(await spec.events(departmentStream('d-a'))).toEqual([
      { type: 'DepartmentRegistered', data: expect.objectContaining({ departmentId: 'd-a', name: '区民政局' }) },
    ]);
  });

  it('RegisterDepartment under an unknown parent: DEPARTMENT_NOT_FOUND naming parentId, nothing written', async () => {
    const spec = handlerSpec();
    const command = {
      type: 'RegisterDepartment',
      data: { departmentId: 'd-a', name: 'x', kind: 'bureau', parentId: 'd-x' },
    } as const;
    await expect(spec.when(command, 'official')).rejects.toMatchObject({
      code: 'DEPARTMENT_NOT_FOUND',
      errors: [{ field: 'parentId', rule: 'exists' }],
    });
    expect(await spec.events(departmentStream('d-a'))).toEqual([]);
  });

  it('RenameDepartment of an unregistered department: DEPARTMENT_NOT_REGISTERED', async () => {
    await expect(
      handlerSpec().when({ type: 'RenameDepartment', data: { departmentId: 'd-x', name: 'y' } }, 'admin'),
    ).rejects.toMatchObject({
      code: 'DEPARTMENT_NOT_REGISTERED',
    });
  });

  it('refuses a role the domain table does not allow: FORBIDDEN_ROLE, nothing written', async () => {
    const spec = handlerSpec();
    await spec.given(findingStream('f-1'), recorded);
    await spec.given(departmentStream('d-a'), registered('d-a'));
    await expect(spec.when(assign(), 'inspector')).rejects.toMatchObject({ code: 'FORBIDDEN_ROLE' });
    expect(await spec.events(findingStream('f-1'))).toHaveLength(1);
  });

  it('AssignRectification: given a recorded finding and its department, then RectificationAssigned', async () => {
    const spec = handlerSpec();
    await spec.given(findingStream('f-1'), recorded);
    await spec.given(departmentStream('d-a'), registered('d-a'));
    expect(await spec.when(assign(), 'official')).toMatchObject({ id: 'f-1', revision: 2 });
    expect((await spec.events(findingStream('f-1')))[1]).toEqual({
      type: 'RectificationAssigned',
      data: expect.objectContaining({ departmentId: 'd-a', coDepartmentIds: [], dueOn: '2024-12-31' }),
    });
  });

  it('AssignRectification with an unknown co-department: DEPARTMENT_NOT_FOUND naming coDepartmentIds[0]', async () => {
    const spec = handlerSpec();
    await spec.given(findingStream('f-1'), recorded);
    await spec.given(departmentStream('d-a'), registered('d-a'));
    await expect(spec.when(assign({ coDepartmentIds: ['d-x'] }), 'official')).rejects.toMatchObject({
      code: 'DEPARTMENT_NOT_FOUND',
      errors: [{ field: 'coDepartmentIds[0]' }],
    });
  });

  it('a liaison of another department: NOT_YOUR_DEPARTMENT; of the assigned one: RectificationAcknowledged', async () => {
    const spec = handlerSpec();
    await spec.given(departmentStream('d-a'), registered('d-a'));
    await spec.given(findingStream('f-1'), recorded);
    await spec.when(assign(), 'official');
    const acknowledge = { type: 'AcknowledgeRectification', data: { findingId: 'f-1' } } as const;
    const liaison = (departmentId: string) => ({
      actor: { id: 'u-l', username: 'l', role: 'unit_liaison' as const, departmentId },
    });
    await expect(spec.when(acknowledge, 'unit_liaison', liaison('d-b'))).rejects.toMatchObject({
      code: 'NOT_YOUR_DEPARTMENT',
    });
    await spec.when(acknowledge, 'unit_liaison', liaison('d-a'));
    expect((await spec.events(findingStream('f-1'))).map((e) => e.type)).toEqual([
      'FindingRecorded',
      'RectificationAssigned',
      'RectificationAcknowledged',
    ]);
  });

  it('If-Match naming another revision: REVISION_MISMATCH with both revisions, nothing written', async () => {
    const spec = handlerSpec();
    await spec.given(findingStream('f-1'), recorded);
    await spec.given(departmentStream('d-a'), registered('d-a'));
    await expect(spec.when(assign(), 'official', { expectedRevision: 3 })).rejects.toMatchObject({
      code: 'REVISION_MISMATCH',
      extra: { expectedRevision: 3, actualRevision: 1 },
    });
    expect(await spec.events(findingStream('f-1'))).toHaveLength(1);
  });

  describe('with an Idempotency-Key (a retry after a crash or a lost answer)', () => {
    const keyed = (key: string): Partial<CommandContext> => ({ idempotency: new IdempotencyScope('u-official', key) });

    it('answers what the first attempt wrote, even after the case moved on, and writes nothing more', async () => {
      const spec = handlerSpec();
      await spec.given(departmentStream('d-a'), registered('d-a'));
      await spec.given(findingStream('f-1'), recorded);
      const first = await spec.when(assign(), 'official', keyed('k-1'));
      const liaison = { actor: { id: 'u-l', username: 'l', role: 'unit_liaison' as const, departmentId: 'd-a' } };
      await spec.when({ type: 'AcknowledgeRectification', data: { findingId: 'f-1' } }, 'unit_liaison', liaison);
      const retried = await spec.when(assign(), 'official', keyed('k-1'));
      expect(retried).toEqual(first);
      expect((await spec.events(findingStream('f-1'))).map((e) => e.type)).toEqual([
        'FindingRecorded',
        'RectificationAssigned',
        'RectificationAcknowledged',
      ]);
      // Another key is another command: decided afresh (and refused, the finding being assigned).
      await expect(spec.when(assign(), 'official', keyed('k-2'))).rejects.toMatchObject({
        code: 'FINDING_ALREADY_ASSIGNED',
      });
    });

    it('two attempts with one key racing: one event, both answer it', async () => {
      const spec = handlerSpec();
      const command = {
        type: 'RegisterDepartment',
        data: { departmentId: 'd-r', name: '区财政局', kind: 'bureau' },
      } as const;
      const [a, b] = await Promise.all([
        spec.when(command, 'admin', keyed('k-race')),
        spec.when(command, 'admin', keyed('k-race')),
      ]);
      expect(a).toEqual(b);
      expect(await spec.events(departmentStream('d-r'))).toHaveLength(1);
    });
  });
});
