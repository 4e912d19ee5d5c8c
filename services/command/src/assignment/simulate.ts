import { SIMULATION_MAX_LEADS, simulateBody, simulationResult, type RuleBody, type SimulationResult } from '@leadline/contracts';
import type { EventStore } from '@leadline/eventstore';
import { ValidationError } from '@leadline/platform';
import type { App, RouteDeps } from '../deps.ts';
import { payloadOf, type EventPayload } from '../events.ts';
import { deterministicId } from '../ids.ts';
import { leadAggregate, type LeadState } from '../leads/lead.ts';
import { requireWriter } from '../auth.ts';
import { canOwnLeads, evolve as evolveUser, initialState as noUser, userEventTypes, type UserState } from '../users/user.ts';
import { evolveAvailability, initialAvailability, type Availability } from './availability.ts';
import { decideRouting } from './choose.ts';
import { assertManager } from './decide.ts';
import type { Rule } from './ruleSet.ts';
import { problems } from '../schemas.ts';

const PAGE = 2000;
/** The events a simulation reads: who exists, teams, availability, leads and their assignments. */
const SIMULATED_TYPES = ['TeamSaved', ...userEventTypes, 'UserAvailabilitySet', 'UserCapacitySet', 'LeadCreated', 'LeadAssigned'];
const MAX_DIFFERENCES = 200;

/** The draft rules as the router sees them; ids follow from their position so a run is repeatable. */
export const draftRules = (bodies: RuleBody[]): Rule[] =>
  bodies.map((b, i) => ({ id: deterministicId(`simulation-rule:${i}`), name: b.name, priority: b.priority, isActive: b.isActive, conditions: b.conditions, assignmentType: b.assignmentType, teamId: b.teamId ?? null, userId: b.userId ?? null }));

type LogEvent = { payload: EventPayload; occurredAt: string };
type Sim = { leadId: string; leadName: string; createdAt: string; simulatedOwnerId: string | null; ruleName: string | null; reason: string; actualOwnerId: string | null; actualKnown: boolean };

/**
 * Replays the log (in order) with the draft rules: every lead created in [from, to) is routed as it
 * would have been, with teams, users and availability as they stood at its creation, round-robin
 * turns and loads advancing with the simulated assignments (loads count leads the simulation gave
 * in the period, starting at zero). "Actual" is the lead's first owner: set at creation, or its
 * first assignment afterwards. Pure over the events given; nothing is written.
 */
export function simulate(events: Iterable<LogEvent>, rules: Rule[], from: string, to: string): SimulationResult {
  const t0 = Date.parse(from);
  const t1 = Date.parse(to);
  const teams = new Map<string, string[]>();
  const users = new Map<string, UserState>();
  const availability = new Map<string, Availability>();
  const load = new Map<string, number>();
  const turns = new Map<string, string | null>();
  const sims = new Map<string, Sim>();
  for (const { payload: e, occurredAt } of events) {
    switch (e.type) {
      case 'TeamSaved':
        teams.set(e.data.teamId, e.data.memberIds);
        break;
      case 'UserCreated':
      case 'UserUpdated':
      case 'RoleChanged':
      case 'UserDisabled':
      case 'UserEnabled':
      case 'UserPasswordChanged':
        users.set(e.data.userId, evolveUser(users.get(e.data.userId) ?? noUser, e));
        break;
      case 'UserAvailabilitySet':
      case 'UserCapacitySet':
        availability.set(e.data.userId, evolveAvailability(availability.get(e.data.userId) ?? initialAvailability, e, occurredAt));
        break;
      case 'LeadAssigned': {
        const s = sims.get(e.data.leadId);
        if (s && !s.actualKnown) Object.assign(s, { actualOwnerId: e.data.ownerId, actualKnown: true });
        break;
      }
      case 'LeadCreated': {
        const t = Date.parse(occurredAt);
        if (t < t0 || t >= t1) break;
        if (sims.size >= SIMULATION_MAX_LEADS) throw new ValidationError('Period too long', [{ field: 'body.to', message: `more than ${SIMULATION_MAX_LEADS} leads were created in the period: shorten it` }]);
        const lead = leadAggregate.evolve(leadAggregate.initialState, e) as Extract<LeadState, { status: 'active' }>;
        const decision = decideRouting(rules, lead.fields, {
          at: occurredAt,
          members: (id) => teams.get(id),
          candidate: (id) => {
            const u = users.get(id);
            if (!u) return undefined;
            return { userId: id, name: u.status === 'active' ? u.name : id, canOwn: canOwnLeads(u), availability: availability.get(id) ?? initialAvailability, openLeads: load.get(id) ?? 0 };
          },
          lastTurn: (ruleId) => turns.get(ruleId) ?? null,
        });
        if (decision.outcome === 'assigned') {
          load.set(decision.ownerId, (load.get(decision.ownerId) ?? 0) + 1);
          if (decision.takesTurn) turns.set(decision.rule.id, decision.ownerId);
        }
        const f = lead.fields;
        sims.set(lead.id, {
          leadId: lead.id,
          leadName: f.company || [f.firstName, f.lastName].filter(Boolean).join(' ') || lead.id,
          createdAt: new Date(t).toISOString(),
          simulatedOwnerId: decision.ownerId,
          ruleName: decision.rule?.name ?? null,
          reason: decision.reason,
          actualOwnerId: e.data.ownerId,
          actualKnown: e.data.ownerId !== null,
        });
        break;
      }
      default:
        break;
    }
  }
  const name = (id: string | null) => {
    if (id === null) return 'Unassigned';
    const u = users.get(id);
    return u?.status === 'active' ? u.name : 'a removed user';
  };
  const byUser = new Map<string | null, { simulated: number; actual: number }>();
  const byRule = new Map<string | null, number>();
  const differences: SimulationResult['differences'] = [];
  let changed = 0;
  for (const s of sims.values()) {
    const su = byUser.get(s.simulatedOwnerId) ?? { simulated: 0, actual: 0 };
    su.simulated++;
    byUser.set(s.simulatedOwnerId, su);
    const au = byUser.get(s.actualOwnerId) ?? { simulated: 0, actual: 0 };
    au.actual++;
    byUser.set(s.actualOwnerId, au);
    byRule.set(s.ruleName, (byRule.get(s.ruleName) ?? 0) + 1);
    if (s.simulatedOwnerId !== s.actualOwnerId) {
      changed++;
      if (differences.length < MAX_DIFFERENCES)
        differences.push({ leadId: s.leadId, leadName: s.leadName, createdAt: s.createdAt, actualOwnerId: s.actualOwnerId, simulatedOwnerId: s.simulatedOwnerId, ruleName: s.ruleName, reason: s.reason });
    }
  }
  return {
    from: new Date(t0).toISOString(),
    to: new Date(t1).toISOString(),
    leads: sims.size,
    byUser: [...byUser].map(([userId, c]) => ({ userId, name: name(userId), ...c })).sort((a, b) => (a.userId === null ? 1 : b.userId === null ? -1 : a.name.localeCompare(b.name))),
    byRule: [...byRule].map(([ruleName, simulated]) => ({ ruleName, simulated })),
    changed,
    differences,
  };
}

async function* readLog(store: EventStore): AsyncGenerator<LogEvent> {
  let after: string | undefined;
  for (;;) {
    const page = await store.readAll({ after, limit: PAGE, types: SIMULATED_TYPES });
    for (const e of page) yield { payload: payloadOf(e), occurredAt: e.metadata.occurredAt as string };
    if (page.length < PAGE) return;
    after = page[page.length - 1].checkpoint;
  }
}

export function registerSimulationRoute(app: App, deps: RouteDeps): void {
  app.post(
    '/api/assignments/rules/simulate',
    {
      schema: {
        tags: ['assignment'],
        summary: 'What-if: replay a draft rule set over the leads of a past period',
        description:
          'Replays the log: every lead created in [from, to) is routed by the draft rules with teams, users and availability as they were then, and compared with its actual first owner. Nothing is written. Admins and managers.',
        body: simulateBody,
        response: { 200: simulationResult, ...problems(400, 401, 403, 503) },
      },
    },
    async (request) => {
      const principal = await requireWriter(request, deps.sessions);
      assertManager({ userId: principal.userId, role: principal.role }, 'simulate rules');
      const events: LogEvent[] = [];
      for await (const e of readLog(deps.eventStore)) events.push(e);
      return simulate(events, draftRules(request.body.rules), request.body.from, request.body.to);
    },
  );
}
