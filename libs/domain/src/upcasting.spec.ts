import { currentSchemaVersion, upcast, type UpcastStep } from './upcasting.js';

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
