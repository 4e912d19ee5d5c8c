import { buildFieldView, fieldAccessOf, type FieldPolicy, type FieldRule, type PolicyField, type Role } from '@leadline/contracts';
import { createTestDatabase, type TestDatabase } from '@leadline/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldVisibleSql, leadSearchSql } from './search.ts';

const ME = '00000000-0000-4000-8000-000000000001';
const MATE = '00000000-0000-4000-8000-000000000002';
const STRANGER = '00000000-0000-4000-8000-000000000003';
const LONER = '00000000-0000-4000-8000-000000000004';
const BOTH = '00000000-0000-4000-8000-000000000005';
const A = '00000000-0000-4000-8000-0000000000aa';
const B = '00000000-0000-4000-8000-0000000000bb';
const members: Record<string, string[]> = { [A]: [ME, MATE, BOTH], [B]: [STRANGER, BOTH] };
const teamsOf = (id: string) => Object.entries(members).filter(([, m]) => m.includes(id)).map(([t]) => t);
const OWNERS = [ME, MATE, STRANGER, LONER, BOTH, null];
const rule = (r: Partial<FieldRule> & Pick<FieldRule, 'field' | 'access'>): FieldRule => ({ role: 'rep', leads: 'all', teamId: null, ...r });

const policies: FieldPolicy[] = [
  { rules: [rule({ leads: 'other_teams', field: 'dealValue', access: 'hidden' })], customFields: [] },
  { rules: [rule({ field: 'email', access: 'hidden' }), rule({ leads: 'other_teams', field: 'email', access: 'visible' })], customFields: [] },
  { rules: [rule({ leads: 'team', teamId: B, field: 'email', access: 'hidden' }), rule({ leads: 'other_teams', field: 'email', access: 'read_only' })], customFields: [] },
  { rules: [rule({ field: 'email', access: 'hidden' }), rule({ leads: 'team', teamId: A, field: 'email', access: 'visible' }), rule({ leads: 'team', teamId: B, field: 'email', access: 'hidden' })], customFields: [] },
  { rules: [rule({ leads: 'other_teams', field: 'custom.tier', access: 'visible' })], customFields: [{ key: 'tier', label: 'Tier' }] },
];

describe('the search SQL agrees with fieldAccessOf', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await db.pool.query(`CREATE TABLE owners (owner_id uuid, first_name text, last_name text, company text, email text)`);
    for (const owner of OWNERS) await db.pool.query(`INSERT INTO owners VALUES ($1, 'Ada', 'Lovelace', 'Engines', 'ada@example.com')`, [owner]);
  });
  afterAll(() => db?.drop());

  const visibleOwners = async (sql: string, params: unknown[]) =>
    (await db.pool.query<{ owner_id: string | null }>(`SELECT owner_id FROM owners o WHERE ${sql}`, params)).rows.map((r) => r.owner_id).sort();

  it.each(policies.map((p, i) => [i, p] as const))('policy %i: a field is matched exactly on the leads where it is not hidden', async (_i, policy) => {
    for (const role of ['rep', 'manager', 'admin'] as Role[]) {
      const view = { ...buildFieldView(policy, { userId: ME, role, teamIds: teamsOf(ME) }, teamsOf), membersOf: (t: string) => members[t] ?? [] };
      for (const field of ['dealValue', 'email', 'custom.tier'] as PolicyField[]) {
        const params: unknown[] = [];
        const sql = fieldVisibleSql(view, field, 'o', params);
        const expected = OWNERS.filter((o) => fieldAccessOf(view, o, field) !== 'hidden').sort();
        expect(await visibleOwners(sql, params), `${role} ${field}`).toEqual(expected);
      }
    }
  });

  it('finds a lead by its email only where the email is visible, and by its name anywhere', async () => {
    const view = { ...buildFieldView(policies[2], { userId: ME, role: 'rep', teamIds: teamsOf(ME) }, teamsOf), membersOf: (t: string) => members[t] ?? [] };
    const byEmail: unknown[] = [];
    const emailSql = leadSearchSql(view, 'ada@example', 'o', byEmail);
    expect(await visibleOwners(emailSql, byEmail)).toEqual(OWNERS.filter((o) => fieldAccessOf(view, o, 'email') !== 'hidden').sort());
    const byName: unknown[] = [];
    expect(await visibleOwners(leadSearchSql(view, 'ada love', 'o', byName), byName)).toHaveLength(OWNERS.length);
  });
});
