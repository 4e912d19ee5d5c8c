import type { EventStore } from '@leadline/eventstore';
import { loadAggregate, type CommandMetadata, type EventPayload } from '../events.ts';
import { appendDecided, withConflictRetry } from '../handler.ts';

/** Whose turn it is, per rule: `roundrobin-<ruleId>`, appended at its expected version. */
export const turnStream = (ruleId: string): string => `roundrobin-${ruleId}`;

export type TurnState = { lastUserId: string | null };
const evolveTurns = (state: TurnState, event: EventPayload): TurnState => (event.type === 'RoundRobinTurnTaken' ? { lastUserId: event.data.userId } : state);
export const turnAggregate = { initialState: { lastUserId: null } as TurnState, eventTypes: ['RoundRobinTurnTaken'] as const, evolve: evolveTurns };

/**
 * Takes a turn for a lead: reads the cursor, lets `pick` choose from it, appends the turn at the
 * version read. Two deciders racing (two replicas, or routing and auto-assign) serialise on that
 * version: the loser re-reads and picks again, so no member is skipped or chosen twice for one turn.
 * A turn already taken by this command (a replay) is answered from the stream.
 */
export async function takeTurn(
  store: EventStore,
  args: { ruleId: string; teamId: string; leadId: string; metadata: CommandMetadata },
  pick: (lastUserId: string | null) => string | null,
): Promise<string | null> {
  return withConflictRetry(false, async () => {
    const loaded = await loadAggregate(store, turnStream(args.ruleId), turnAggregate);
    const mine = loaded.events.find((e) => e.metadata.commandId === args.metadata.commandId);
    if (mine) return (mine.data as { userId: string }).userId;
    const userId = pick(loaded.state.lastUserId);
    if (userId === null) return null;
    await appendDecided(store, loaded, [{ type: 'RoundRobinTurnTaken', data: { ruleId: args.ruleId, teamId: args.teamId, leadId: args.leadId, userId } }], args.metadata);
    return userId;
  });
}
