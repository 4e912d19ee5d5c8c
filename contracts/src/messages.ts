import { z } from 'zod';

/**
 * Validation messages written for a person, the one place that turns a contract's complaint into
 * words. Installed as zod's error map when the contracts load, so the same sentence reaches a user
 * from the web app's own check and from the server's 400 answer (`errors[].message`), and an API
 * client reads it too. A schema that names its own message keeps it.
 */
type Issue = {
  code: string;
  input?: unknown;
  path?: readonly PropertyKey[];
  origin?: string;
  minimum?: number | bigint | Date;
  maximum?: number | bigint | Date;
  inclusive?: boolean;
  exact?: boolean;
  expected?: string;
  format?: string;
  values?: readonly unknown[];
  divisor?: number;
  keys?: readonly string[];
};

/** What a missing value is called, by the field's last path segment: "Enter a first name". */
const FIELD_NOUNS: Record<string, string> = {
  name: 'a name',
  firstName: 'a first name',
  lastName: 'a last name',
  company: 'a company',
  email: 'an email address',
  password: 'a password',
  currentPassword: 'your current password',
  newPassword: 'a new password',
  subject: 'a subject',
  reason: 'a reason',
  lostReason: 'a reason',
  title: 'a title',
  phone: 'a phone number',
  stageId: 'a stage',
  userId: 'a user',
  teamId: 'a team',
  ownerId: 'an owner',
};

const FORMAT_WORDS: Record<string, string> = {
  email: 'Enter an email address such as name@example.com',
  url: 'Enter a web address such as https://example.com',
  uuid: 'This is not a valid id',
  guid: 'This is not a valid id',
  datetime: 'Enter a date and time',
  date: 'Enter a date',
  time: 'Enter a time',
  e164: 'Enter a phone number in international form, such as +44 20 7946 0958',
};

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

function noun(path: readonly PropertyKey[] | undefined): string {
  const last = [...(path ?? [])].reverse().find((p) => typeof p === 'string');
  return (typeof last === 'string' && FIELD_NOUNS[last]) || 'a value';
}

const required = (iss: Issue) => (iss.path?.at(-1) === 'name' ? 'Give it a name' : `Enter ${noun(iss.path)}`);

function bound(value: Issue['minimum']): number {
  return value instanceof Date ? value.getTime() : Number(value);
}

function tooSmall(iss: Issue): string {
  const min = bound(iss.minimum);
  switch (iss.origin) {
    case 'string':
      if (min <= 1) return required(iss);
      return iss.exact ? `Enter exactly ${plural(min, 'character')}` : `Enter at least ${plural(min, 'character')}`;
    case 'array':
    case 'set':
      return min <= 1 ? 'Choose at least one' : `Choose at least ${min.toLocaleString('en')}`;
    case 'date':
      return `Choose a date on or after ${new Date(min).toISOString().slice(0, 10)}`;
    default:
      return iss.inclusive === false ? `Enter a number above ${min.toLocaleString('en')}` : `Enter ${min.toLocaleString('en')} or more`;
  }
}

function tooBig(iss: Issue): string {
  const max = bound(iss.maximum);
  switch (iss.origin) {
    case 'string':
      return iss.exact ? `Enter exactly ${plural(max, 'character')}` : `Use at most ${plural(max, 'character')}`;
    case 'array':
    case 'set':
      return `Choose at most ${max.toLocaleString('en')}`;
    case 'date':
      return `Choose a date on or before ${new Date(max).toISOString().slice(0, 10)}`;
    default:
      return iss.inclusive === false ? `Enter a number below ${max.toLocaleString('en')}` : `Enter ${max.toLocaleString('en')} or less`;
  }
}

function wrongType(iss: Issue): string {
  if (iss.input === undefined || iss.input === null || iss.input === '') return required(iss);
  switch (iss.expected) {
    case 'number':
    case 'int':
      return iss.expected === 'int' ? 'Enter a whole number' : 'Enter a number';
    case 'string':
      return 'Enter text';
    case 'boolean':
      return 'Choose yes or no';
    case 'date':
      return 'Enter a date';
    case 'array':
      return 'Choose from the list';
    default:
      return 'This value is not accepted here';
  }
}

/** The sentence for one zod issue. */
export function humanMessage(iss: Issue): string {
  switch (iss.code) {
    case 'too_small':
      return tooSmall(iss);
    case 'too_big':
      return tooBig(iss);
    case 'invalid_type':
      return wrongType(iss);
    case 'invalid_format':
      return FORMAT_WORDS[iss.format ?? ''] ?? 'This is not in the expected form';
    case 'invalid_value':
      return iss.values && iss.values.length <= 8 ? `Choose one of: ${iss.values.map(String).join(', ')}` : 'Choose one of the offered values';
    case 'not_multiple_of':
      return iss.divisor === 1 ? 'Enter a whole number' : `Enter a multiple of ${iss.divisor}`;
    case 'unrecognized_keys':
      return `Not a field here: ${(iss.keys ?? []).join(', ')}`;
    case 'invalid_union':
      return 'This value is not accepted here';
    default:
      return 'This value is not accepted here';
  }
}

z.config({ customError: (iss) => humanMessage(iss as unknown as Issue) });
