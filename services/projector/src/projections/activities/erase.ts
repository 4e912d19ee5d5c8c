import { erasePersonalDetails, isFreeTextOutcome, personalActivityFields } from '@leadline/contracts';
import type { ActivityRow } from './fold.ts';

/** A forgotten lead's activity as its erased events would have made it: no free text, no contact details, fixed outcomes kept. */
export const eraseActivityRow = (row: ActivityRow): ActivityRow => ({
  ...row,
  subject: personalActivityFields.subject,
  description: personalActivityFields.description,
  details: erasePersonalDetails(row.details),
  outcome: isFreeTextOutcome(row.outcome) ? null : row.outcome,
  delete_reason: null,
});
