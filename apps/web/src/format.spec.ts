import { fromLocalInput, toLocalInput } from './format.js';

describe('the as-of picker’s value in Beijing time', () => {
  it('shows an instant to the second and reads it back as the end of that second', () => {
    expect(toLocalInput('2026-12-04T20:12:07.123Z')).toBe('2026-12-05T04:12:07');
    expect(fromLocalInput('2026-12-05T04:12:07')).toBe('2026-12-04T20:12:07.999Z');
  });

  it('reads a value without seconds (what the input gives when they are 00) as second 00, not the whole minute', () => {
    expect(toLocalInput('2026-12-04T20:12:00.456Z')).toBe('2026-12-05T04:12:00');
    expect(fromLocalInput('2026-12-05T04:12')).toBe('2026-12-04T20:12:00.999Z');
  });

  it('answers nothing for a value that is not a date and time', () => {
    expect(fromLocalInput('')).toBeUndefined();
    expect(fromLocalInput('2026-12-05')).toBeUndefined();
  });
});
