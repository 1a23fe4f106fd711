import { JsonAnswer } from './json-answer.js';

describe('JsonAnswer', () => {
  it('keeps the text JSON.stringify gives the value, and gives the value back through toJSON', () => {
    const value = {
      round: '平城区',
      figures: [1, 2.5, null],
      nested: { quote: '"\\\n', emoji: '🚩' },
      none: undefined,
    };
    const answer = new JsonAnswer(value);
    expect(answer.text).toBe(JSON.stringify(value));
    // Serialised again (a serialiser that meets one), it is the same text, not the wrapper.
    expect(JSON.stringify(answer)).toBe(answer.text);
    expect(answer.toJSON()).toEqual({ round: '平城区', figures: [1, 2.5, null], nested: value.nested });
  });

  it('refuses a value that has no JSON text', () => {
    expect(() => new JsonAnswer(undefined)).toThrow('A read-model answer must be a JSON value');
    expect(() => new JsonAnswer(() => 1)).toThrow(TypeError);
  });
});
