import type { ProblemDto } from '@leadline/contracts';

/**
 * Where a failure's words go: each field's message under its field, and a sentence for the form (or
 * a toast) only when no field carries it, so nothing is said twice. The sentences themselves are
 * the contracts' (contracts/src/messages.ts), the same from the browser's check and the server's 400.
 */
export type FieldErrors = Record<string, string>;

type Issue = { path: readonly PropertyKey[]; message: string };

/** The form's field a path names: `body.firstName` and `firstName.0` → `firstName`; none → `_form`. */
const fieldOf = (path: string) => path.replace(/^(body|querystring|query|params|headers)(\.|$)/, '').split('.')[0] || '_form';

/** A field name as a person reads it: `firstName` → "First name", `stageId` → "Stage". */
export function fieldLabel(path: string): string {
  const field = fieldOf(path);
  if (field === '_form') return '';
  const words = field.replace(/Id$/, '').replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

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
    const field = fieldOf(e.field);
    if (!(field in out)) out[field] = e.message;
  }
  return out;
}

/**
 * A failed answer for a form that shows `fields` under its inputs: the messages of those fields,
 * plus `_form` for whatever they do not show (other fields, or a failure that names none).
 */
export function formErrors(problem: ProblemDto | null | undefined, message: string, fields: readonly string[]): FieldErrors {
  const all = fieldErrorsFromProblem(problem);
  const shown = Object.fromEntries(Object.entries(all).filter(([f]) => fields.includes(f)));
  const rest = (problem?.errors ?? []).filter((e) => !fields.includes(fieldOf(e.field)));
  if (rest.length) return { ...shown, _form: rest.map((e) => [fieldLabel(e.field), e.message].filter(Boolean).join(': ')).join(' · ') };
  return Object.keys(shown).length ? shown : { _form: message };
}

/** One sentence for a failed request, for a toast or a banner: never a stack, never `body.x:` prefixes. */
export function describeProblem(status: number, problem: Pick<ProblemDto, 'errors' | 'detail' | 'title'> | null): string {
  if (problem?.errors?.length) return problem.errors.map((e) => [fieldLabel(e.field), e.message].filter(Boolean).join(': ')).join(' · ');
  if (status === 500) return 'Something went wrong on the server. Try again in a moment.';
  if (status === 0) return problem?.detail || 'Cannot reach the server. Check the connection and try again.';
  return problem?.detail || problem?.title || `The request failed (${status})`;
}

/** The browser's own check, said as one sentence the same way describeProblem says the server's. */
export function describeIssues(issues: readonly Issue[], subject = ''): string {
  return issues.map((i) => [fieldLabel(i.path.map(String).join('.')) || subject, i.message].filter(Boolean).join(': ')).join(' · ');
}
