import { describe, expect, it } from 'vitest';
import { describeProblem, fieldLabel, formErrors } from './fieldErrors.ts';

const problem = (errors: { field: string; message: string }[]) => ({ type: 'validation', title: 'Invalid request', status: 400, detail: errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors });

describe('failure messages', () => {
  it('names fields as a person reads them', () => {
    expect(fieldLabel('body.firstName')).toBe('First name');
    expect(fieldLabel('body.stageId')).toBe('Stage');
    expect(fieldLabel('body.conditions.all.0.value')).toBe('Conditions');
    expect(fieldLabel('')).toBe('');
    expect(fieldLabel('querystring.sort')).toBe('Sort');
    expect(fieldLabel('query.minValue')).toBe('Min value');
    expect(fieldLabel('body')).toBe('');
  });

  it('says a field message once: under its field, not again for the form', () => {
    const p = problem([{ field: 'body.name', message: 'Give it a name' }]);
    expect(formErrors(p, 'ignored', ['name'])).toEqual({ name: 'Give it a name' });
  });

  it('puts messages for fields the form does not show into one form sentence, without body. prefixes', () => {
    const p = problem([
      { field: 'body.name', message: 'Give it a name' },
      { field: 'body.teamId', message: 'Choose a team' },
    ]);
    expect(formErrors(p, 'ignored', ['name'])).toEqual({ name: 'Give it a name', _form: 'Team: Choose a team' });
    expect(describeProblem(400, p)).toBe('Name: Give it a name · Team: Choose a team');
  });

  it('falls back to the detail for a failure that names no field, and hides server faults', () => {
    expect(formErrors({ type: 'x', title: 'Conflict', status: 409, detail: 'Someone changed this lead' }, 'Someone changed this lead', ['name'])).toEqual({ _form: 'Someone changed this lead' });
    expect(describeProblem(500, { title: 'Internal Server Error', detail: 'TypeError: x is undefined at foo.js:1' })).toBe('Something went wrong on the server. Try again in a moment.');
  });
});
