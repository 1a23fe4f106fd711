import { startTestApp, type TestApp } from '../support/test-app.js';
import { login, type Actor } from '../support/actors.js';
import {
  DEMO_PASSWORD,
  DEMO_ROUND_ID,
  DEMO_USERS,
  DemoLoader,
  demoDepartmentId,
} from '../../apps/api/src/demo/index.js';
import { addSupervision, type SupervisionStep } from '../../apps/api/src/demo/scenario-supervision.js';

const PATHS: Record<SupervisionStep['command']['type'], string> = {
  SuperviseRectification: 'supervise',
  RequestExtension: 'request-extension',
  DecideExtension: 'decide-extension',
};

/**
 * The demo's 督办 and extensions (apps/api/src/demo/scenario-supervision.ts), applied here to the reference
 * tour's open rectifications through the API, as the loader applies them to the current round.
 */
describe('demo supervision: notices, a granted and a refused extension', () => {
  let t: TestApp;
  let official: Actor;
  let position = 0;
  const fresh = () => ({ 'x-min-position': String(position) });

  beforeAll(async () => {
    t = await startTestApp();
    position = (await DemoLoader.from(t.app).load({ passwordsAlreadyChanged: true })).lastPosition;
    official = await login(t, 'official', DEMO_PASSWORD);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('issues the notices and decides the extensions on the three most overdue rectifications', async () => {
    const list = await official.get(`/api/findings?roundId=${DEMO_ROUND_ID}&overdue=true&pageSize=200`, fresh());
    expect(list.status).toBe(200);
    type Item = { findingId: string; dueOn: string; departmentId: string };
    const open = (list.body.items as Item[]).sort((a, b) => a.dueOn.localeCompare(b.dueOn)).slice(0, 3);
    expect(open).toHaveLength(3);
    const liaisons = new Map<string, Actor>();
    const liaisonOf = async (departmentId: string) => {
      const user = DEMO_USERS.find(
        (u) => u.role === 'unit_liaison' && demoDepartmentId(u.department!) === departmentId,
      );
      if (!user) throw new Error(`no demo liaison for ${departmentId}`);
      if (!liaisons.has(user.username)) liaisons.set(user.username, await login(t, user.username, DEMO_PASSWORD));
      return liaisons.get(user.username)!;
    };
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const steps = await addSupervision(
      open.map((f) => ({ findingId: f.findingId, dueOn: f.dueOn })),
      today,
      async ({ as, command }) => {
        const department = open.find((f) => f.findingId === command.findingId)!.departmentId;
        const who = as === 'official' ? official : await liaisonOf(department);
        const res = await who.post(`/api/findings/${command.findingId}/${PATHS[command.type]}`, command.data);
        if (res.status !== 200) throw new Error(`${command.type}: ${res.status} ${JSON.stringify(res.body)}`);
        position = Math.max(position, Number(res.body.position));
      },
    );
    expect(steps.map((s) => s.command.type)).toEqual([
      'SuperviseRectification',
      'SuperviseRectification',
      'SuperviseRectification',
      'RequestExtension',
      'DecideExtension',
      'RequestExtension',
      'DecideExtension',
    ]);

    const [first, second, third] = await Promise.all(
      open.map(async (f) => (await official.get(`/api/findings/${f.findingId}`)).body.rectification),
    );
    expect(first.notices.map((n: { level: string }) => n.level)).toEqual(['reminder', 'notice']);
    expect(second).toMatchObject({ extension: { state: 'granted' }, originalDueOn: open[1].dueOn });
    expect(second.dueOn > today).toBe(true);
    expect(third).toMatchObject({ extension: { state: 'refused' }, dueOn: open[2].dueOn });

    const red = (await official.get(`/api/dashboard/red-list?roundId=${DEMO_ROUND_ID}`, fresh())).body;
    const byId = new Map(red.findings.map((f: { findingId: string }) => [f.findingId, f]));
    expect(byId.get(open[0].findingId)).toMatchObject({ notices: 2 });
    expect(byId.has(open[1].findingId)).toBe(false); // extended past today: no longer overdue
    expect(byId.get(open[2].findingId)).toMatchObject({ extension: { state: 'refused' } });
  });
});
