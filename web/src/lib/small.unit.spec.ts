import { describe, expect, it } from 'vitest';
import { reconnectDelay } from './backoff.ts';
import { companyLine, displayName, initials } from './display.ts';
import { fieldErrorsFromIssues, fieldErrorsFromProblem } from './fieldErrors.ts';
import { randomId } from './ids.ts';
import { liveUrl } from './liveUrl.ts';
import { assignableOwners, canMoveCard, canWrite, ownerChoices } from './permissions.ts';

describe('reconnectDelay', () => {
  it('grows exponentially and stays within [ceiling/2, ceiling]', () => {
    expect(reconnectDelay(0, () => 0)).toBe(250);
    expect(reconnectDelay(0, () => 1)).toBe(500);
    expect(reconnectDelay(3, () => 1)).toBe(4000);
  });

  it('is capped', () => {
    expect(reconnectDelay(50, () => 1)).toBe(15_000);
    expect(reconnectDelay(50, () => 0)).toBe(7_500);
  });
});

describe('display', () => {
  it('uses the full name, else the company', () => {
    expect(displayName({ firstName: 'Ada', lastName: 'Lovelace', company: 'Analytical' })).toBe('Ada Lovelace');
    expect(displayName({ firstName: null, lastName: 'Lovelace', company: null })).toBe('Lovelace');
    expect(displayName({ firstName: null, lastName: ' ', company: 'Analytical' })).toBe('Analytical');
    expect(displayName({ firstName: null, lastName: null, company: null })).toBe('Unnamed lead');
  });

  it('shows the company line only under a person name', () => {
    expect(companyLine({ firstName: 'Ada', lastName: null, company: 'Analytical' })).toBe('Analytical');
    expect(companyLine({ firstName: null, lastName: null, company: 'Analytical' })).toBeNull();
  });

  it('makes initials', () => {
    expect(initials('Ada King Lovelace')).toBe('AL');
    expect(initials('madonna')).toBe('MA');
  });
});

describe('fieldErrors', () => {
  it('keeps the first message per field from zod issues', () => {
    expect(fieldErrorsFromIssues([{ path: ['email'], message: 'bad' }, { path: ['email'], message: 'worse' }, { path: [], message: 'form' }])).toEqual({ email: 'bad', _form: 'form' });
  });

  it('strips the body. prefix of problem+json fields', () => {
    expect(fieldErrorsFromProblem({ errors: [{ field: 'body.firstName', message: 'too long' }, { field: 'body', message: 'x' }] })).toEqual({ firstName: 'too long', _form: 'x' });
    expect(fieldErrorsFromProblem(null)).toEqual({});
  });
});

describe('liveUrl', () => {
  it('follows the page scheme and host', () => {
    expect(liveUrl({ protocol: 'https:', host: 'crm.example.com' }, null)).toBe('wss://crm.example.com/api/live');
    expect(liveUrl({ protocol: 'http:', host: 'localhost:3000' }, 'a.b+c')).toBe('ws://localhost:3000/api/live?token=a.b%2Bc');
  });
});

describe('permissions', () => {
  const user = (role: 'admin' | 'manager' | 'rep' | 'auditor' | 'analyst') => ({ id: 'me', email: 'me@x.io', name: 'Me', role });

  it('lets only admin, manager and rep write', () => {
    expect(['admin', 'manager', 'rep', 'auditor', 'analyst'].map((r) => canWrite(r as never))).toEqual([true, true, true, false, false]);
  });

  it('lets a rep move only own or unassigned leads', () => {
    expect(canMoveCard(user('rep'), { ownerId: 'me' })).toBe(true);
    expect(canMoveCard(user('rep'), { ownerId: null })).toBe(true);
    expect(canMoveCard(user('rep'), { ownerId: 'other' })).toBe(false);
    expect(canMoveCard(user('manager'), { ownerId: 'other' })).toBe(true);
    expect(canMoveCard(user('auditor'), { ownerId: null })).toBe(false);
  });

  it('offers as owners the roles that own leads, without disabled users', () => {
    const people = [
      { id: 'a', role: 'rep' as const, disabled: false },
      { id: 'b', role: 'rep' as const, disabled: true },
      { id: 'c', role: 'analyst' as const, disabled: false },
      { id: 'd', role: 'manager' as const },
    ];
    expect(assignableOwners(people).map((u) => u.id)).toEqual(['a', 'd']);
  });
});

describe('randomId', () => {
  it('makes v4 uuids', () => {
    expect(randomId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('ownerChoices mirrors the server', () => {
  const users = [
    { id: 'a', role: 'admin' as const },
    { id: 'r1', role: 'rep' as const },
    { id: 'r2', role: 'rep' as const },
    { id: 'x', role: 'analyst' as const },
    { id: 'd', role: 'rep' as const, disabled: true },
  ];
  const me = (id: string, role: 'admin' | 'manager' | 'rep' | 'analyst') => ({ id, email: '', name: '', role });
  it('a manager may give any lead to anyone who owns leads', () => {
    expect(ownerChoices(me('m', 'manager'), { ownerId: 'r2' }, users).map((u) => u.id)).toEqual(['a', 'r1', 'r2']);
  });
  it('a rep only to themselves, and only on a lead that is theirs or nobody’s', () => {
    expect(ownerChoices(me('r1', 'rep'), { ownerId: null }, users).map((u) => u.id)).toEqual(['r1']);
    expect(ownerChoices(me('r1', 'rep'), { ownerId: 'r2' }, users)).toEqual([]);
  });
  it('read-only roles get no picker', () => {
    expect(ownerChoices(me('x', 'analyst'), { ownerId: null }, users)).toEqual([]);
  });
});
