import {
  expectedFigures,
  materialize,
  Planner,
  planWorld,
  Rng,
  streamWorld,
  type Decided,
  type RoundInfo,
  type Step,
  type Stream,
} from '../bench/generate.js';

/**
 * The projections benchmark generates its log with the domain's own deciders, so a rule added to the domain can
 * make the generator's plan invalid — and nothing but a benchmark run would tell (one stopped that way at
 * "a lead reclassified as a finding names the finding it becomes"). This decides a small world in full.
 */
/** A small world: 6 departments, 12 rounds. */
const world = {
  seed: 20241128,
  departments: 6,
  roundsPerDepartment: 2,
  fieldsPerRound: 9,
  pointsPerRound: 43,
  start: '2024-01-08',
  asOf: '2026-11-20',
};

describe('the projections benchmark generator', () => {
  const options = { ...world, events: 40_000 };
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

describe('the streamed world (the benchmark plans round by round as it loads)', () => {
  const options = { ...world, events: 30_000 };
  const key = (s: Step) => `${s.t}/${s.seq}/${s.stream.id}/${s.actor.id}`;

  it('takes the same steps in the same order as the world planned in full, and decides the same events', () => {
    const full = planWorld(options);
    // Events per stream, in order (materialize groups a slice's events by stream).
    const perStream = (into: Map<string, string[]>, decided: Decided[]) => {
      for (const d of decided)
        into.set(d.stream.id, [
          ...(into.get(d.stream.id) ?? []),
          ...d.events.map((e) => `${e.type}:${e.id ?? '(no id)'}`),
        ]);
      return into;
    };
    const fullEvents = perStream(new Map(), materialize(full.steps, new Rng(7)));
    const figures = expectedFigures(full.streams);

    const streamed = streamWorld(options);
    expect(streamed.total).toBe(full.steps.length);
    expect(streamed.plannedUntilAsOf).toBe(full.plannedUntilAsOf);
    expect(streamed.findingsPerRound).toBe(full.findingsPerRound);
    const keys: string[] = [];
    const events = new Map<string, string[]>();
    const ids = new Rng(7);
    // Uneven slices, as the benchmark's windows are cut.
    for (let n = 1; ; n = (n * 7) % 997) {
      const steps = streamed.take(n);
      if (!steps.length) break;
      keys.push(...steps.map(key));
      perStream(events, streamed.materialize(steps, ids));
    }
    expect(keys).toEqual(full.steps.map(key));
    expect(events.size).toBe(fullEvents.size);
    expect([...events].sort()).toEqual([...fullEvents].sort());
    expect(streamed.taken).toBe(full.steps.length);
    expect(streamed.lastStepAt).toBe(full.lastStepAt);
    // The rounds with work in the cut (both planned the next one too).
    const begun = (rounds: RoundInfo[]) => rounds.filter((r) => r.stream.decided > 0).map((r) => r.roundId);
    expect(begun(streamed.rounds)).toEqual(begun(full.rounds));
    expect(begun(streamed.rounds).length).toBeGreaterThanOrEqual(3);
    // The statuses counted as streams were done (and their states let go) add up to those of the full world.
    expect(streamed.figures()).toEqual(figures);
    expect(Object.values(figures.findings).reduce((a, b) => a + b, 0)).toBeGreaterThan(1000);
    streamed.close();
    expect(streamed.take(10)).toEqual([]);
  });

  it('cut before the end of the plan: the findings still open are counted with their state then', () => {
    const small = { ...options, events: 5_000 };
    const full = planWorld(small);
    materialize(full.steps, new Rng(7));
    const streamed = streamWorld(small);
    for (let steps = streamed.take(600); steps.length; steps = streamed.take(600))
      streamed.materialize(steps, new Rng(7));
    expect(streamed.taken).toBe(5_000);
    expect(streamed.figures()).toEqual(expectedFigures(full.streams));
    expect(streamed.figures().findings.recorded ?? 0).toBeGreaterThan(0);
  });

  it('refuses a step planned before the steps already handed out (the order the stream relies on)', () => {
    const p = new Planner(Date.parse('2030-01-01T00:00:00Z'));
    const stream = { id: 'finding-1', category: 'finding', planned: 0, taken: 0 } as unknown as Stream;
    const actor = { id: 'a', username: 'a', role: 'inspector' as const };
    const cmd = () => ({}) as never;
    p.add(stream, 1_000, actor, cmd);
    p.add(stream, 5_000, actor, cmd);
    expect(p.drain(3_000).map((s) => s.t)).toEqual([1_000]);
    expect(() => p.add({ ...stream, id: 'finding-2' }, 2_000, actor, cmd)).toThrow(/planned after the steps up to/);
    expect(p.add({ ...stream, id: 'finding-3' }, 3_000, actor, cmd)).toBe(3_000);
    expect(p.drain(Number.POSITIVE_INFINITY).map((s) => s.t)).toEqual([3_000, 5_000]);
    expect(p.planned).toBe(3);
  });
});
