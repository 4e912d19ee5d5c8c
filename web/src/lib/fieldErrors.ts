import type { ProblemDto } from '@leadline/contracts';

export type FieldErrors = Record<string, string>;

type Issue = { path: readonly PropertyKey[]; message: string };

/** First message per top-level field, from zod issues (client-side validation). */
export function fieldErrorsFromIssues(issues: readonly Issue[]): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of issues) {
    const field = issue.path.length ? String(issue.path[0]) : '_form';
    if (!(field in out)) out[field] = issue.message;
  }
  return out;
}

/** Field messages from a problem+json answer; the server names fields like `body.firstName`. */
export function fieldErrorsFromProblem(problem: Pick<ProblemDto, 'errors'> | null | undefined): FieldErrors {
  const out: FieldErrors = {};
  for (const e of problem?.errors ?? []) {
    const field = e.field.replace(/^(body|query|params)\.?/, '').split('.')[0] || '_form';
    if (!(field in out)) out[field] = e.message;
  }
  return out;
}
