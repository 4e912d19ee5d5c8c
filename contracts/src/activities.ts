import { z } from 'zod';
import { checkpoint, isoDateTime, queryMeta, uuid } from './common.ts';

export const activityTypes = ['call', 'email', 'meeting', 'note', 'task', 'sms'] as const;
export const activityType = z.enum(activityTypes);
export type ActivityType = z.infer<typeof activityType>;

export const callOutcomes = ['successful', 'no_answer', 'busy', 'left_voicemail', 'wrong_number', 'follow_up_required'] as const;
export const callOutcome = z.enum(callOutcomes);
export const meetingOutcomes = ['held', 'no_show', 'rescheduled', 'cancelled'] as const;
export const emailOutcomes = ['sent', 'received', 'replied', 'bounced'] as const;
export const smsOutcomes = ['sent', 'delivered', 'failed', 'received'] as const;
export const taskOutcomes = ['done', 'cancelled'] as const;

const direction = z.enum(['inbound', 'outbound']);
const phone = z.string().trim().max(40).regex(/^[0-9+()\-.\s]*$/, 'Use digits, spaces and + ( ) - . only');
const address = z.string().trim().toLowerCase().max(254).pipe(z.email());
const shortText = (max: number) => z.string().trim().max(max);

/**
 * Type-specific details. The outcome of a call (or meeting, email...) is not a detail: it is
 * what happened, recorded by completion (`completionOutcome` lists each type's values).
 */
export const activityDetailsByType = {
  call: z.object({ direction: direction.default('outbound'), phoneNumber: phone.nullable().default(null) }).strict(),
  email: z
    .object({
      direction: direction.default('outbound'),
      from: address.nullable().default(null),
      to: z.array(address).max(50).default([]),
      cc: z.array(address).max(50).default([]),
    })
    .strict(),
  meeting: z
    .object({
      attendees: z.array(shortText(200).min(1)).max(100).default([]),
      location: shortText(300).nullable().default(null),
      meetingUrl: z.url().max(2000).nullable().default(null),
    })
    .strict(),
  note: z.object({ pinned: z.boolean().default(false) }).strict(),
  task: z.object({ priority: z.enum(['low', 'normal', 'high']).default('normal') }).strict(),
  sms: z.object({ direction: direction.default('outbound'), phoneNumber: phone.nullable().default(null) }).strict(),
} as const;
export type ActivityDetails<T extends ActivityType = ActivityType> = z.infer<(typeof activityDetailsByType)[T]>;

/** The outcome completion records, per type: calls, meetings, emails, SMS and tasks have fixed values; a note's is free text. */
export const completionOutcome = {
  call: callOutcome,
  email: z.enum(emailOutcomes),
  meeting: z.enum(meetingOutcomes),
  note: shortText(200).min(1),
  task: z.enum(taskOutcomes),
  sms: z.enum(smsOutcomes),
} as const;

export const durationMinutes = z.number().int().min(0).max(24 * 60);

const completionOf = <O extends z.ZodType>(outcome: O) =>
  z
    .object({
      completedAt: isoDateTime.optional(),
      outcome: outcome.nullable().default(null),
      durationMinutes: durationMinutes.nullable().default(null),
    })
    .strict();

export const activityCommon = {
  leadId: uuid,
  subject: shortText(200).min(1, 'Enter a subject'),
  description: shortText(10_000).nullable().default(null),
  scheduledAt: isoDateTime.nullable().default(null),
  /** Who does it; default the caller. */
  userId: uuid.optional(),
};

const variant = <T extends ActivityType, D extends z.ZodObject, O extends z.ZodType>(type: T, details: D, outcome: O) =>
  z
    .object({
      type: z.literal(type),
      ...activityCommon,
      details: details.prefault({} as z.input<D>),
      /** Present when logging something already done (a call just made). */
      completion: completionOf(outcome).nullable().default(null),
      id: uuid.optional(),
      /** The template that prefilled the form, kept for reporting. */
      templateId: uuid.nullable().optional(),
    })
    .strict();

const d = activityDetailsByType;
const o = completionOutcome;

/** `POST /api/activities`: a discriminated union on `type`, each with its own details and outcomes. */
export const createActivityBody = z.discriminatedUnion('type', [
  variant('call', d.call, o.call),
  variant('email', d.email, o.email),
  variant('meeting', d.meeting, o.meeting),
  variant('note', d.note, o.note),
  variant('task', d.task, o.task),
  variant('sms', d.sms, o.sms),
]);
export type CreateActivityBody = z.infer<typeof createActivityBody>;

/** `PUT /api/activities/:id`: any common field; `details` is checked against the activity's own type. */
export const updateActivityBody = z
  .object({
    subject: activityCommon.subject.optional(),
    description: shortText(10_000).nullable().optional(),
    scheduledAt: isoDateTime.nullable().optional(),
    userId: uuid.optional(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'nothing to update', path: [] });
export type UpdateActivityBody = z.infer<typeof updateActivityBody>;

/** `PUT /api/activities/:id/complete`: the outcome is checked against the activity's type. */
export const completeActivityBody = z
  .object({
    outcome: z.string().trim().min(1).max(200).nullable().default(null),
    durationMinutes: durationMinutes.nullable().default(null),
    completedAt: isoDateTime.optional(),
  })
  .strict();

export const deleteActivityBody = z.object({ reason: shortText(500).nullable().default(null) }).strict();

export const bulkActivitiesBody = z.object({ activities: z.array(createActivityBody).min(1).max(200) }).strict();

export const bulkActivitiesResponse = z.object({
  results: z.array(z.object({ id: uuid, version: z.number().int(), checkpoint })),
  checkpoint,
});

export const activityIdParams = z.object({ id: uuid });

export const completion = z.object({ completedAt: isoDateTime, outcome: z.string().nullable(), durationMinutes: z.number().int().nullable() });
export type Completion = z.infer<typeof completion>;

export const activityLoggedV1 = z.object({
  activityId: uuid,
  leadId: uuid,
  type: activityType,
  userId: uuid,
  subject: z.string(),
  description: z.string().nullable(),
  scheduledAt: isoDateTime.nullable(),
  details: z.record(z.string(), z.unknown()),
  completion: completion.nullable(),
  templateId: uuid.nullable(),
});

export const activityUpdatedV1 = z.object({
  activityId: uuid,
  leadId: uuid,
  changes: z.record(z.string(), z.object({ from: z.unknown(), to: z.unknown() })),
});

export const activityCompletedV1 = z.object({ activityId: uuid, leadId: uuid, completedAt: isoDateTime, outcome: z.string().nullable(), durationMinutes: z.number().int().nullable() });

export const activityDeletedV1 = z.object({ activityId: uuid, leadId: uuid, reason: z.string().nullable() });

export const activityDto = z.object({
  id: uuid,
  leadId: uuid,
  leadName: z.string().nullable(),
  type: activityType,
  userId: uuid,
  userName: z.string().nullable(),
  createdBy: z.string(),
  subject: z.string(),
  description: z.string().nullable(),
  scheduledAt: isoDateTime.nullable(),
  details: z.record(z.string(), z.unknown()),
  completedAt: isoDateTime.nullable(),
  outcome: z.string().nullable(),
  durationMinutes: z.number().int().nullable(),
  deletedAt: isoDateTime.nullable(),
  deletedBy: z.string().nullable(),
  version: z.number().int(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type ActivityDto = z.infer<typeof activityDto>;

const boolParam = z.enum(['true', 'false']).transform((v) => v === 'true');

export const activityListQuery = z.object({
  leadId: uuid.optional(),
  userId: uuid.optional(),
  type: z
    .string()
    .regex(/^[a-z]+(,[a-z]+)*$/)
    .pipe(z.string().transform((s) => s.split(',')).pipe(z.array(activityType)))
    .optional(),
  from: isoDateTime.optional(),
  to: isoDateTime.optional(),
  completed: boolParam.optional(),
  /** Auditors, admins and managers may ask for deleted activities too. */
  includeDeleted: boolParam.optional(),
  /** `scheduled` orders by scheduled time (soonest first, the upcoming view); default newest first. */
  order: z.enum(['recent', 'scheduled']).default('recent'),
  q: z.string().trim().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
  minCheckpoint: checkpoint.optional(),
});
export type ActivityListQuery = z.infer<typeof activityListQuery>;

export const activityPage = queryMeta.extend({ items: z.array(activityDto), nextCursor: z.string().nullable() });

export const activityTemplateBody = z
  .object({
    name: shortText(100).min(1),
    type: activityType,
    subject: shortText(200).min(1),
    description: shortText(10_000).nullable().default(null),
    durationMinutes: durationMinutes.nullable().default(null),
    details: z.record(z.string(), z.unknown()).default({}),
  })
  .strict()
  .superRefine((t, ctx) => {
    const parsed = activityDetailsByType[t.type].safeParse(t.details);
    if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: ['details', ...issue.path.map(String)] });
  });
export type ActivityTemplateBody = z.infer<typeof activityTemplateBody>;

export const activityTemplateSavedV1 = z.object({
  templateId: uuid,
  name: z.string(),
  type: activityType,
  subject: z.string(),
  description: z.string().nullable(),
  durationMinutes: z.number().int().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export const activityTemplateDeletedV1 = z.object({ templateId: uuid });

export const activityTemplateDto = activityTemplateSavedV1.omit({ templateId: true }).extend({ id: uuid, updatedAt: isoDateTime });
export type ActivityTemplateDto = z.infer<typeof activityTemplateDto>;
