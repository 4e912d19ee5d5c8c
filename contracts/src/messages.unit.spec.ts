import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLeadBody, loginBody, activityTemplateBody } from './index.ts';

const messages = (schema: z.ZodType, input: unknown) => {
  const r = schema.safeParse(input);
  return r.success ? {} : Object.fromEntries(r.error.issues.map((i) => [i.path.join('.') || '_', i.message]));
};

describe('validation messages are written for a person', () => {
  it('sign-in: a short email and a missing password', () => {
    expect(messages(loginBody, { email: 'ab', password: '' })).toEqual({ email: 'Enter at least 3 characters', password: 'Enter a password' });
    expect(messages(loginBody, {})).toEqual({ email: 'Enter an email address', password: 'Enter a password' });
  });

  it('a lead: wrong types, too long, a bad email, an unknown field, a negative value, too many decimals', () => {
    const m = messages(createLeadBody, { firstName: 'x'.repeat(300), email: 'not-an-email', dealValue: -5, extra: 1 });
    expect(m.firstName).toMatch(/^Use at most [\d,]+ characters$/);
    expect(m.email).toBe('Enter an email address such as name@example.com');
    expect(m.dealValue).toBe('Enter 0 or more');
    expect(m._).toBe('Not a field here: extra');
    expect(messages(createLeadBody, { company: 'A', dealValue: 'abc' }).dealValue).toBe('Enter a number');
    expect(messages(createLeadBody, { company: 'A', dealValue: 1.005 }).dealValue).toBe('Use at most 2 decimals');
    expect(messages(createLeadBody, {}).lastName).toBe('Enter a first name, a last name or a company');
  });

  it('no message shows zod internals: expected, >=, received, Invalid input', () => {
    const all = [
      ...Object.values(messages(loginBody, { email: 5, password: null })),
      ...Object.values(messages(createLeadBody, { firstName: 5, dealValue: '1', stageId: 'nope', ownerId: 7 })),
      ...Object.values(messages(activityTemplateBody, { name: '', type: 'fax' })),
    ];
    expect(all.length).toBeGreaterThan(5);
    for (const m of all) {
      expect(m).not.toMatch(/expected|>=|<=|received|Invalid input|Too (small|big)/i);
      expect(m[0]).toBe(m[0].toUpperCase());
    }
  });

  it('a missing name is asked for by name, a choice lists the choices', () => {
    const m = messages(activityTemplateBody, { name: '', type: 'fax' });
    expect(m.name).toBe('Give it a name');
    expect(m.type).toMatch(/^Choose one of: call, /);
  });
});
