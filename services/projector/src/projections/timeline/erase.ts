import { erasePersonal, erasePersonalDetails, isFreeTextOutcome, personalActivityFields } from '@leadline/contracts';
import type { ActivitySnapshot, RawEvent } from './fold.ts';

/** A stored event as the timeline keeps it, with its personal values replaced by their placeholders. */
export const eraseRawEvent = (raw: RawEvent): RawEvent => ({ ...raw, data: erasePersonal(raw.type, raw.data) as RawEvent['data'] });

/** An activity's current state as its erased events would have left it. */
export const eraseSnapshot = (a: ActivitySnapshot): ActivitySnapshot => ({
  ...a,
  subject: personalActivityFields.subject,
  description: personalActivityFields.description,
  details: erasePersonalDetails(a.details) as Record<string, unknown>,
  outcome: isFreeTextOutcome(a.outcome) ? null : a.outcome,
  deleteReason: null,
});
