import { officeToday } from './read-model-db.js';

describe('officeToday', () => {
  const format = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' });

  it('turns at midnight in Beijing (16:00 UTC), whatever day was asked before', () => {
    expect(officeToday(new Date('2026-12-02T15:59:59.999Z'))).toBe('2026-12-02');
    expect(officeToday(new Date('2026-12-02T16:00:00.000Z'))).toBe('2026-12-03');
    expect(officeToday(new Date('2026-12-02T15:59:59.999Z'))).toBe('2026-12-02');
    expect(officeToday(new Date('2026-12-03T15:59:59.999Z'))).toBe('2026-12-03');
    expect(officeToday(new Date('2026-12-01T16:00:00.000Z'))).toBe('2026-12-02');
    expect(officeToday(new Date('2027-01-01T00:00:00.000Z'))).toBe('2027-01-01');
    expect(officeToday(new Date('2026-12-31T16:00:00.000Z'))).toBe('2027-01-01');
  });

  it('answers what Intl answers for every hour of a year and for the summer times of 1986–1991', () => {
    const hour = 3_600_000;
    const checks: [number, string, string][] = [];
    const around = (fromIso: string, hours: number, step = hour) => {
      const start = Date.parse(fromIso);
      for (let t = start; t < start + hours * hour; t += step) {
        // Asked in order and out of it: a kept day must never answer for an instant outside it.
        for (const at of [t, t - 1, t + 1, start + ((t * 7919) % (hours * hour))]) {
          checks.push([at, officeToday(new Date(at)), format.format(at)]);
        }
      }
    };
    around('2026-01-01T00:00:00Z', 366 * 24);
    around('1988-04-01T00:00:00Z', 24 * 200, 30 * 60_000); // summer time: 1988-04-10 to 1988-09-11
    const wrong = checks.filter(([, ours, intl]) => ours !== intl);
    expect(wrong).toEqual([]);
    expect(checks.length).toBeGreaterThan(50_000);
  });

  it('still refuses an instant that is not one', () => {
    expect(() => officeToday(new Date(Number.NaN))).toThrow(RangeError);
  });
});
