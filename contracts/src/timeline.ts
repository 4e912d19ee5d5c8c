import { z } from 'zod';
import { activityTypes } from './activities.ts';
import { checkpoint, isoDateTime, queryMeta, uuid } from './common.ts';

/** What a timeline entry is about: an activity of a type, or a category of lead event. */
export const timelineKinds = [...activityTypes, 'created', 'updated', 'stage', 'assignment', 'other'] as const;
export const timelineKind = z.enum(timelineKinds);
export type TimelineKind = z.infer<typeof timelineKind>;

export const rawEvent = z.object({
  eventId: uuid,
  type: z.string(),
  streamId: z.string(),
  streamVersion: z.number().int(),
  checkpoint,
  data: z.unknown(),
  metadata: z.record(z.string(), z.unknown()),
});
export type RawEvent = z.infer<typeof rawEvent>;

/** `from` and `to` are absent when the field is hidden from the reader (the change is told, not its values). */
export const timelineChange = z.object({ field: z.string(), label: z.string(), from: z.string().nullable().optional(), to: z.string().nullable().optional() });

export const timelineActivity = z.object({
  id: uuid,
  type: z.enum(activityTypes),
  subject: z.string().nullable(),
  description: z.string().nullable(),
  scheduledAt: isoDateTime.nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
  userId: uuid,
  userName: z.string().nullable(),
  completedAt: isoDateTime.nullable(),
  outcome: z.string().nullable(),
  durationMinutes: z.number().int().nullable(),
  deletedAt: isoDateTime.nullable(),
  deletedBy: z.string().nullable(),
  deletedByName: z.string().nullable(),
  edited: z.boolean(),
  version: z.number().int(),
});

export const timelineEntry = z.object({
  /** The event id of a lead event; the activity id of an activity (one entry per activity). */
  id: z.string(),
  kind: timelineKind,
  /** The event type that made the entry (for an activity: ActivityLogged). */
  eventType: z.string(),
  at: isoDateTime,
  /** Log position of the entry's first event: the timeline's order (newest first). */
  position: checkpoint,
  actorId: z.string(),
  actorName: z.string().nullable(),
  /** One sentence a rep understands: "Moved from Qualified to Proposal". */
  summary: z.string(),
  changes: z.array(timelineChange),
  activity: timelineActivity.nullable(),
  /** The stored events behind the entry; only for admins, managers and auditors. */
  raw: z.array(rawEvent).nullable(),
});
export type TimelineEntry = z.infer<typeof timelineEntry>;

const kindsParam = z
  .string()
  .regex(/^[a-z_]+(,[a-z_]+)*$/, 'comma-separated kinds')
  .pipe(z.string().transform((s) => s.split(',')).pipe(z.array(timelineKind)));

export const timelineQuery = z.object({
  kinds: kindsParam.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(30),
  cursor: z.string().max(500).optional(),
  /** Entries created or changed after this checkpoint (live refresh), newest first; no paging. */
  changedSince: checkpoint.optional(),
  minCheckpoint: checkpoint.optional(),
});

export const timelinePage = queryMeta.extend({ leadId: uuid, items: z.array(timelineEntry), nextCursor: z.string().nullable() });
export type TimelinePage = z.infer<typeof timelinePage>;
