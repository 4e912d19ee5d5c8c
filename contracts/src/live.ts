import { z } from 'zod';
import { checkpoint, uuid } from './common.ts';
import { leadCard } from './leads.ts';

export const channel = z.union([z.literal('board'), z.string().regex(/^lead:[0-9a-f-]{36}$/), z.literal('me')]);

export const clientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('subscribe'), channels: z.array(channel).min(1).max(50), lastCheckpoint: checkpoint.optional() }),
  z.object({ type: z.literal('unsubscribe'), channels: z.array(channel).min(1).max(50) }),
  z.object({ type: z.literal('ping') }),
]);
export type ClientMessage = z.infer<typeof clientMessage>;

/** Sums are absent when the reader may not see every value they add up (field permissions). */
export const columnTotals = z.object({ stageId: uuid, count: z.number().int(), totalValue: z.number().optional(), weightedValue: z.number().optional() });

export const serverMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), userId: uuid, checkpoint }),
  z.object({ type: z.literal('subscribed'), channels: z.array(z.string()), checkpoint }),
  z.object({
    type: z.literal('change'),
    channel: z.string(),
    checkpoint,
    /** Current state of every changed card the client may see. */
    cards: z.array(leadCard),
    /** Ids of changed cards the client may no longer see (reassigned away). */
    removed: z.array(uuid),
    totals: z.array(columnTotals),
  }),
  z.object({ type: z.literal('refetch'), channel: z.string(), checkpoint, reason: z.string() }),
  /** A lead's timeline changed (an activity or a lead event): fetch `?changedSince=` your last checkpoint. */
  z.object({ type: z.literal('timeline'), channel: z.string(), checkpoint }),
  z.object({ type: z.literal('heartbeat'), checkpoint, at: z.string() }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type ServerMessage = z.infer<typeof serverMessage>;

/** What the projector publishes with NOTIFY after each committed batch. */
export const changeNotice = z.object({
  projection: z.string(),
  checkpoint,
  /** Changed keys per view; absent when the batch was too large to list (listeners then refetch). */
  changes: z.array(z.object({ view: z.string(), key: z.string() })).optional(),
});
export type ChangeNotice = z.infer<typeof changeNotice>;
export const CHANGE_CHANNEL = 'leadline_changes';
