import { foldEvents, type Command, type Decider, type Event } from '../common/decider.js';
import { DomainError, type DomainErrorCode, type DomainErrorKind } from '../common/errors.js';

/*
 * given events / when command / then events or error — Emmett's DeciderSpecification, small.
 * It throws plain Errors rather than calling jest's `expect`, so it compiles without test
 * typings and works under any runner.
 *
 *   const spec = DeciderSpecification.for(findingDecider);
 *   spec.given([recorded]).when(assign).then([assigned]);
 *   spec.given([]).when(assign).thenThrows('FINDING_NOT_FOUND', 'not_found');
 */

function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  // Like jest's toEqual: a key holding `undefined` counts as absent.
  const keys = (o: object) =>
    Object.keys(o)
      .filter((k) => (o as Record<string, unknown>)[k] !== undefined)
      .sort();
  const [ka, kb] = [keys(a), keys(b)];
  return (
    ka.length === kb.length &&
    ka.every((k, i) => k === kb[i] && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

const show = (value: unknown) => JSON.stringify(value, null, 2);

export type DeciderThen<State, E> = {
  /** Asserts the decided events; answers the state after them, for assertions on `evolve`. */
  then(expected: readonly E[]): State;
  /** Asserts the command is refused with a DomainError of this code (and kind, when given). */
  thenThrows(code: DomainErrorCode, kind?: DomainErrorKind): DomainError;
};

export const DeciderSpecification = {
  for<State, C extends Command, E extends Event>(decider: Decider<State, C, E>) {
    return {
      given(events: readonly E[]) {
        return {
          when(command: C): DeciderThen<State, E> {
            const decide = () => decider.decide(command, foldEvents(decider, events));
            return {
              then(expected) {
                const actual = decide();
                if (!sameValue(actual, expected)) {
                  throw new Error(`${command.type} decided\n${show(actual)}\nbut expected\n${show(expected)}`);
                }
                return foldEvents(decider, [...events, ...actual]);
              },
              thenThrows(code, kind) {
                let produced: E[];
                try {
                  produced = decide();
                } catch (error) {
                  if (!(error instanceof DomainError)) throw error;
                  if (error.code !== code || (kind !== undefined && error.kind !== kind)) {
                    throw new Error(
                      `${command.type} was refused with ${error.code} (${error.kind}): ${error.message}; expected ${code}${kind ? ` (${kind})` : ''}`,
                      { cause: error },
                    );
                  }
                  return error;
                }
                throw new Error(
                  `${command.type} was expected to be refused with ${code} but decided\n${show(produced)}`,
                );
              },
            };
          },
        };
      },
    };
  },
};
