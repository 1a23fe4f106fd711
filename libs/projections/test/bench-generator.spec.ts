import { materialize, planWorld, Rng } from '../bench/generate.js';

/**
 * The projections benchmark generates its log with the domain's own deciders, so a rule added to the domain can
 * make the generator's plan invalid — and nothing but a benchmark run would tell (one stopped that way at
 * "a lead reclassified as a finding names the finding it becomes"). This decides a small world in full.
 */
describe('the projections benchmark generator', () => {
  const options = {
    seed: 20241128,
    events: 40_000,
    departments: 6,
    roundsPerDepartment: 2,
    fieldsPerRound: 9,
    pointsPerRound: 43,
    start: '2024-01-08',
    asOf: '2026-11-20',
  };
  it('plans a world whose every command the deciders accept, with every lead triage decision taken', () => {
    const world = planWorld(options);
    expect(world.steps).toHaveLength(40_000);
    const decided = materialize(world.steps, new Rng(7));
    const events = decided.flatMap((d) => d.events);
    expect(events.length).toBeGreaterThanOrEqual(40_000);
    const triaged = events.filter((e) => e.type === 'LeadTriaged').map((e) => e.data as Record<string, unknown>);
    const decisions = new Set(triaged.map((d) => d.decision));
    expect([...decisions].sort()).toEqual(['reclassify_as_finding', 'refer_elsewhere', 'transfer']);
    for (const d of triaged.filter((t) => t.decision === 'reclassify_as_finding'))
      expect(d.findingId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // The same seed gives the same world, event ids included.
    const small = () =>
      materialize(planWorld({ ...options, events: 2_000 }).steps, new Rng(7)).flatMap((d) =>
        d.events.map((e) => `${d.stream.id}:${e.type}:${e.id}`),
      );
    expect(small()).toEqual(small());
  });
});
