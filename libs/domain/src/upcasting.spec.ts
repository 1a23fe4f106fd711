import { currentSchemaVersion, upcast, UPCAST_STEPS, type UpcastStep } from './upcasting.js';

describe('upcasting: old event shapes are read as the current shape', () => {
  // A made-up history of one type: v1 had evidence as strings, v2 as {name}, v3 adds a kind.
  const steps: UpcastStep[] = [
    {
      type: 'ProgressReported',
      from: 2,
      up: (d) => ({ ...d, evidence: (d.evidence as { name: string }[]).map((e) => ({ kind: 'paper', ...e })) }),
    },
    {
      type: 'ProgressReported',
      from: 1,
      up: (d) => ({ ...d, evidence: (d.evidence as string[]).map((name) => ({ name })) }),
    },
  ];

  it('knows the current version of a type from its steps, and 1 for a type without any', () => {
    expect(currentSchemaVersion('ProgressReported', steps)).toBe(3);
    expect(currentSchemaVersion('FindingRecorded', steps)).toBe(1);
  });

  it('runs every step from the stored version up, in order, for an event written before versions existed', () => {
    expect(upcast('ProgressReported', { note: 'x', evidence: ['台账'] }, undefined, steps)).toEqual({
      note: 'x',
      evidence: [{ kind: 'paper', name: '台账' }],
    });
  });

  it('runs only the steps after the stored version', () => {
    expect(upcast('ProgressReported', { evidence: [{ name: 'a' }] }, 2, steps)).toEqual({
      evidence: [{ kind: 'paper', name: 'a' }],
    });
  });

  it('returns current data untouched (the same object)', () => {
    const data = { evidence: [] };
    expect(upcast('ProgressReported', data, 3, steps)).toBe(data);
    expect(upcast('FindingRecorded', data, undefined, steps)).toBe(data);
  });

  it('refuses a gap in the chain of steps rather than guessing a shape', () => {
    const gap: UpcastStep[] = [{ type: 'ProgressReported', from: 2, up: (d) => d }];
    expect(() => upcast('ProgressReported', {}, 1, gap)).toThrow(/No upcaster for ProgressReported from version 1/);
  });
});

describe("the domain's upcasters: values written in clear before they were protected", () => {
  it('writes MonitoringPointAdded and LeadRecorded in version 2', () => {
    expect(currentSchemaVersion('MonitoringPointAdded', UPCAST_STEPS)).toBe(2);
    expect(currentSchemaVersion('LeadRecorded', UPCAST_STEPS)).toBe(2);
  });

  it('turns a v1 person target into a legacy, unprotected one and leaves other targets as they were', () => {
    const v1 = {
      pointId: 'p1',
      targets: [
        { kind: 'person', name: '幸福里社区党组织书记（刘某）', departmentId: 'd1' },
        { kind: 'post', name: '社会救助科科长' },
      ],
    };
    expect(upcast('MonitoringPointAdded', v1, undefined)).toEqual({
      pointId: 'p1',
      targets: [
        { kind: 'person', legacyName: '幸福里社区党组织书记（刘某）', unprotected: 'legacy', departmentId: 'd1' },
        { kind: 'post', name: '社会救助科科长' },
      ],
    });
  });

  it('turns a v1 subject post into legacyPost, and leaves v2 data alone', () => {
    const v1 = { summary: 's', subjects: [{ ref: 'r1', post: '执法队长', departmentId: 'd1' }, { ref: 'r2' }] };
    expect(upcast('LeadRecorded', v1, 1)).toEqual({
      summary: 's',
      subjects: [{ ref: 'r1', legacyPost: '执法队长', departmentId: 'd1' }, { ref: 'r2' }],
    });
    const v2 = { subjects: [{ ref: 'r1' }] };
    expect(upcast('LeadRecorded', v2, 2)).toBe(v2);
  });
});
