import type { Role } from './roles.js';

/** An event as the domain sees it: a past-tense `type` equal to its TypeScript name, and plain JSON data. */
export type Event<Type extends string = string, Data extends object = object> = Readonly<{
  type: Type;
  data: Readonly<Data>;
}>;

/**
 * What the application hands in with every command. The domain never reads a clock:
 * `now` is the server time the handler took, and becomes the events' `occurredAt`
 * unless the user said when it happened.
 */
export type CommandMetadata = Readonly<{
  now: Date | string;
  userId?: string;
  role?: Role;
}>;

export type Command<Type extends string = string, Data extends object = object> = Readonly<{
  type: Type;
  data: Readonly<Data>;
  metadata: CommandMetadata;
}>;

/** Emmett-style decider: everything an aggregate knows, as three pure functions. */
export type Decider<State, C extends Command, E extends Event> = {
  decide: (command: C, state: State) => E[];
  evolve: (state: State, event: E) => State;
  initialState: () => State;
};

export function foldEvents<State, C extends Command, E extends Event>(
  decider: Decider<State, C, E>,
  events: readonly E[],
): State {
  return events.reduce(decider.evolve, decider.initialState());
}
