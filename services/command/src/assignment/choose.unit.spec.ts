import { completeLeadFields } from '@leadline/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initialAvailability, isAwayAt, type Availability } from './availability.ts';
import { decideRouting, type Candidate, type RoutingFacts } from './choose.ts';
import type { Rule } from './ruleSet.ts';

const team = 'aaaaaaaa-0000-4000-8000-000000000000';
const users = ['u1', 'u2', 'u3', 'u4', 'u5'].map((n, i) => `0000000${i}-0000-4000-8000-000000000000`);
const rule = (over: Partial<Rule> = {}): Rule => ({ id: 'r1', name: 'All', priority: 10, isActive: true, conditions: { all: [] }, assignmentType: 'round_robin', teamId: team, userId: null, ...over });
const lead = completeLeadFields({ company: 'Acme', country: 'DE' });
const NOW = '2025-03-10T12:00:00.000Z';

function facts(over: { members?: string[]; availability?: Record<string, Partial<Availability>>; open?: Record<string, number>; last?: string | null } = {}): RoutingFacts {
  const members = over.members ?? users.slice(0, 3);
  const candidate = (id: string): Candidate | undefined =>
    users.includes(id) ? { userId: id, name: `user ${users.indexOf(id) + 1}`, canOwn: true, availability: { ...initialAvailability, ...over.availability?.[id] }, openLeads: over.open?.[id] ?? 0 } : undefined;
  return { at: NOW, members: (id) => (id === team ? members : undefined), candidate, lastTurn: () => over.last ?? null };
}

describe('routing decisions', () => {
  it('takes rules in priority order; the first that matches and has an eligible user wins', () => {
    const de = rule({ id: 'de', name: 'DACH', priority: 5, conditions: { all: [{ field: 'country', operator: 'equals', value: 'DE' }] }, assignmentType: 'specific_user', userId: users[4], teamId: null });
    const d = decideRouting([rule(), de], lead, facts());
    expect(d).toMatchObject({ outcome: 'assigned', ownerId: users[4], matched: ['country is DE'] });
    expect(d.rule?.name).toBe('DACH');
    const away = decideRouting([rule(), de], lead, facts({ availability: { [users[4]]: { status: 'away', until: '2025-03-11T00:00:00.000Z' } } }));
    expect(away).toMatchObject({ outcome: 'assigned', ownerId: users[0] });
    expect(away.rule?.name).toBe('All');
  });

  it('leaves the lead unassigned and says why when nothing applies', () => {
    expect(decideRouting([rule({ isActive: false })], lead, facts())).toMatchObject({ outcome: 'unassigned', reason: 'no active rule matched the lead' });
    const capped = decideRouting([rule()], lead, facts({ availability: Object.fromEntries(users.map((u) => [u, { maxOpenLeads: 2 }])), open: Object.fromEntries(users.map((u) => [u, 2])) }));
    expect(capped.outcome).toBe('unassigned');
    expect(capped.reason).toMatch(/rule "All" matched but no eligible member \(user 1 is at capacity \(2\/2 open leads\)/);
  });

  it('round robin continues after the last turn and skips away or capped members', () => {
    expect(decideRouting([rule()], lead, facts({ last: users[0] })).ownerId).toBe(users[1]);
    expect(decideRouting([rule()], lead, facts({ last: users[2] })).ownerId).toBe(users[0]);
    expect(decideRouting([rule()], lead, facts({ last: users[0], availability: { [users[1]]: { status: 'away' } } })).ownerId).toBe(users[2]);
    expect(decideRouting([rule()], lead, facts({ last: users[0], availability: { [users[1]]: { maxOpenLeads: 3 } }, open: { [users[1]]: 3 } })).ownerId).toBe(users[2]);
  });

  it('team assigns the least-loaded eligible member, ties in turn order', () => {
    const t = rule({ assignmentType: 'team' });
    expect(decideRouting([t], lead, facts({ open: { [users[0]]: 5, [users[1]]: 2, [users[2]]: 3 } })).ownerId).toBe(users[1]);
    expect(decideRouting([t], lead, facts({ open: { [users[0]]: 1, [users[1]]: 1, [users[2]]: 1 }, last: users[0] })).ownerId).toBe(users[1]);
  });

  it('an away period ends by itself, judged at the given instant', () => {
    const a: Availability = { ...initialAvailability, status: 'away', from: '2025-03-10T00:00:00.000Z', until: '2025-03-12T00:00:00.000Z' };
    expect(isAwayAt(a, '2025-03-09T23:59:59.000Z')).toBe(false);
    expect(isAwayAt(a, NOW)).toBe(true);
    expect(isAwayAt(a, '2025-03-12T00:00:00.000Z')).toBe(false);
    expect(isAwayAt({ ...initialAvailability, status: 'away', setAt: NOW }, '2025-03-10T11:00:00.000Z')).toBe(false);
    expect(isAwayAt({ ...initialAvailability, status: 'away', setAt: NOW }, '2030-01-01T00:00:00.000Z')).toBe(true);
  });

  it('round robin is fair: over any sequence, eligible members differ by at most one, even with interleaved racing deciders', () => {
    // Models two replicas: each reads the cursor, decides, and appends at the version it read;
    // a stale append is refused and that replica reads again (as takeTurn does against the store).
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 120 }), (size, schedule) => {
        const members = users.slice(0, size);
        const log: string[] = [];
        const counts = new Map(members.map((m) => [m, 0]));
        const pending = schedule.map(() => ({ readVersion: -1, pick: '' }));
        let next = 0;
        const replicas = [0, 1].map(() => ({ lead: -1 }));
        for (const who of schedule) {
          const r = replicas[who ? 1 : 0];
          if (r.lead < 0) {
            if (next >= pending.length) continue;
            r.lead = next++;
          }
          const p = pending[r.lead];
          if (p.readVersion < 0 || p.readVersion !== log.length) {
            // (Re)read the cursor and decide.
            p.readVersion = log.length;
            p.pick = decideRouting([rule()], lead, facts({ members, last: log[log.length - 1] ?? null })).ownerId as string;
            continue;
          }
          log.push(p.pick);
          counts.set(p.pick, (counts.get(p.pick) ?? 0) + 1);
          r.lead = -1;
        }
        const values = [...counts.values()];
        return Math.max(...values) - Math.min(...values) <= 1;
      }),
      { numRuns: 300 },
    );
  });
});
