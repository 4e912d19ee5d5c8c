import { expect } from 'vitest';

export type Decider<C, S, E> = { initialState: S; evolve: (state: S, event: E) => S; decide: (command: C, state: S) => E[] };

type ErrorClass = abstract new (...args: never[]) => Error;

/** given(events).when(command).then(events) / .thenThrows(ErrorClass, { rule }) for a pure decider. */
export function deciderSpec<C, S, E>(decider: Decider<C, S, E>) {
  return {
    given: (events: E[]) => ({
      when: (command: C) => {
        const run = () => decider.decide(command, events.reduce(decider.evolve, decider.initialState));
        return {
          then: (expected: E[]) => expect(run()).toEqual(expected),
          thenThrows: (errorClass: ErrorClass, match: Record<string, unknown> = {}) => {
            let thrown: unknown;
            try {
              run();
            } catch (err) {
              thrown = err;
            }
            expect(thrown, 'the command should have been refused').toBeInstanceOf(errorClass);
            expect(thrown).toMatchObject(match);
          },
        };
      },
    }),
  };
}
