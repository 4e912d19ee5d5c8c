import { z } from 'zod';
import { commandAccepted, uuid } from './common.ts';

/** `POST /api/leads/:id/forget` (admins): why. Write the grounds (a request's reference), not the person's details. */
export const forgetLeadBody = z.object({ reason: z.string().trim().min(1, 'Enter a reason').max(500) }).strict();
export type ForgetLeadBody = z.infer<typeof forgetLeadBody>;

export const forgetLeadAnswer = commandAccepted.extend({
  /** Events stored before encryption whose personal values were overwritten in place (the one sanctioned edit of the log). */
  rewrittenEvents: z.number().int().nonnegative(),
  /** Such events this event store cannot rewrite (EventStoreDB): their personal data stays readable there. */
  plaintextEventsLeft: z.number().int().nonnegative(),
});
export type ForgetLeadAnswer = z.infer<typeof forgetLeadAnswer>;

/** The lead's data key was destroyed: who (metadata.actorId) and when (metadata.occurredAt) are the event's own; no personal data. */
export const leadForgottenV1 = z.object({ leadId: uuid, reason: z.string() });
