import type { Decider } from '../common/decider.js';
import { DomainError } from '../common/errors.js';
import { DeciderSpecification } from './decider-spec.js';

type E = { type: 'Counted'; data: { by: number } };
type C = { type: 'Count'; data: { by: number }; metadata: { now: string } };
const counter: Decider<number, C, E> = {
  initialState: () => 0,
  evolve: (state, event) => state + event.data.by,
  decide: (command, state) => {
    if (state + command.data.by > 3) throw new DomainError('VALUE_REQUIRED', 'too many');
    if (command.data.by === 0) throw new Error('boom');
    return [{ type: 'Counted', data: { by: command.data.by } }];
  },
};
const spec = DeciderSpecification.for(counter);
const count = (by: number): C => ({ type: 'Count', data: { by }, metadata: { now: '2024-01-01T00:00:00Z' } });
const counted = (by: number): E => ({ type: 'Counted', data: { by } });

describe('DeciderSpecification', () => {
  it('answers the state after the given and the decided events', () => {
    expect(
      spec
        .given([counted(1)])
        .when(count(2))
        .then([counted(2)]),
    ).toBe(3);
  });

  it('fails when the decided events differ', () => {
    expect(() =>
      spec
        .given([])
        .when(count(1))
        .then([counted(2)]),
    ).toThrow(/Count decided/);
  });

  it('fails when an error was expected but events were decided', () => {
    expect(() => spec.given([]).when(count(1)).thenThrows('VALUE_REQUIRED')).toThrow(/expected to be refused/);
  });

  it('fails when the refusal has another code or kind', () => {
    expect(() =>
      spec
        .given([counted(3)])
        .when(count(1))
        .thenThrows('REASON_REQUIRED'),
    ).toThrow(/expected REASON_REQUIRED/);
    expect(() =>
      spec
        .given([counted(3)])
        .when(count(1))
        .thenThrows('VALUE_REQUIRED', 'conflict'),
    ).toThrow(/expected/);
  });

  it('lets errors that are not domain errors through', () => {
    expect(() => spec.given([]).when(count(0)).thenThrows('VALUE_REQUIRED')).toThrow('boom');
  });

  it('answers the refusal for further assertions', () => {
    expect(
      spec
        .given([counted(3)])
        .when(count(1))
        .thenThrows('VALUE_REQUIRED', 'invalid').message,
    ).toBe('too many');
  });
});
