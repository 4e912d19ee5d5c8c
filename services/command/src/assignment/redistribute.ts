import crypto from 'node:crypto';
import { redistributeBody, redistributionIdParams, redistributionPlan, undoResponse, type EventData, type RedistributionPlan, type RedistributionMove } from '@leadline/contracts';
import type { EventStore } from '@leadline/eventstore';
import { ConcurrencyError, NotFoundError, ValidationError } from '@leadline/platform';
import type pg from 'pg';
import type { App, RouteDeps } from '../deps.ts';
import { loadAggregate, payloadOf, type CommandMetadata } from '../events.ts';
import { appendDecided, executeCommand, handleCommand, type StreamOutcome } from '../handler.ts';
import { deterministicId } from '../ids.ts';
import { decide } from '../leads/decide.ts';
import { leadAggregate, type LeadState } from '../leads/lead.ts';
import { leadStream, loadUser, waitForLeadCards } from '../reads.ts';
import { canOwnLeads } from '../users/user.ts';
import { isAwayAt } from './availability.ts';
import { decideRouting, type Candidate } from './choose.ts';
import type { RoutableLead } from './conditions.ts';
import { assertManager } from './decide.ts';
import { loadCandidates, loadRulesAsOf, loadTeamMembers } from './facts.ts';
import type { Rule } from './ruleSet.ts';
import { attributeMoves, takeRedistributionTurn, turnFor } from './redistributeTurns.ts';
import { turnAggregate, turnStream } from './turns.ts';
import { changeHeaders, problems } from '../schemas.ts';

export const redistributionStream = (id: string): string => `redistribution-${id}`;
const redistributionAggregate = { initialState: null, eventTypes: [], evolve: (s: null) => s };

export type SourceLead = { leadId: string; leadName: string; fromUserId: string; fields: RoutableLead };
export type PlanFacts = {
  at: string;
  rules: Rule[];
  members: Map<string, string[] | undefined>;
  candidates: Map<string, Candidate>;
  lastTurns: Map<string, string | null>;
  /** Users whose leads are being moved: never a target. */
  sources: Set<string>;
};
type Planned = { moves: (RedistributionMove & { ruleId: string | null })[]; kept: { leadId: string; leadName: string; fromUserId: string; reason: string }[] };

/**
 * The plan, pure: each lead (in the order given) is routed by the rules as a new lead would be now,
 * with its current owner and the other relieved users excluded. Loads and round-robin turns advance
 * as the plan assigns, so one plan spreads leads as routing would; nothing is written.
 */
export function planRedistribution(leads: SourceLead[], facts: PlanFacts): Planned {
  const load = new Map([...facts.candidates].map(([id, c]) => [id, c.openLeads]));
  const turns = new Map(facts.lastTurns);
  const out: Planned = { moves: [], kept: [] };
  for (const lead of leads) {
    const decision = decideRouting(facts.rules, lead.fields, {
      at: facts.at,
      members: (teamId) => facts.members.get(teamId)?.filter((m) => !facts.sources.has(m)),
      candidate: (id) => {
        const c = facts.candidates.get(id);
        if (!c) return undefined;
        if (facts.sources.has(id)) return { ...c, canOwn: false, name: `${c.name} (being relieved)` };
        return { ...c, openLeads: load.get(id) ?? 0 };
      },
      lastTurn: (ruleId) => turns.get(ruleId) ?? null,
    });
    if (decision.outcome !== 'assigned') {
      out.kept.push({ leadId: lead.leadId, leadName: lead.leadName, fromUserId: lead.fromUserId, reason: decision.reason });
      continue;
    }
    load.set(decision.ownerId, (load.get(decision.ownerId) ?? 0) + 1);
    load.set(lead.fromUserId, (load.get(lead.fromUserId) ?? 1) - 1);
    if (decision.takesTurn) turns.set(decision.rule.id, decision.ownerId);
    const name = (id: string) => facts.candidates.get(id)?.name ?? id;
    out.moves.push({ leadId: lead.leadId, leadName: lead.leadName, fromUserId: lead.fromUserId, fromName: name(lead.fromUserId), toUserId: decision.ownerId, toName: name(decision.ownerId), ruleId: decision.rule.id, ruleName: decision.rule.name, reason: decision.reason });
  }
  return out;
}

type OwnerRow = { id: string; name: string };
const leadName = (s: LeadState): string => (s.status === 'active' ? s.fields.company || [s.fields.firstName, s.fields.lastName].filter(Boolean).join(' ') || s.id : '');

/** Who to relieve (the named users, else everyone away now or above their cap) and which of their open leads. */
async function sourceLeads(store: EventStore, pool: pg.Pool, named: string[] | undefined, at: string, limit: number) {
  const { rows: owners } = await pool.query<OwnerRow>(`SELECT id, name FROM read.users WHERE role IN ('admin', 'manager', 'rep') ${named ? 'AND id = ANY($1::uuid[])' : ''} ORDER BY lower(name), id`, named ? [named] : []);
  const candidates = await loadCandidates(store, pool, owners.map((o) => o.id));
  const sources: { userId: string; name: string; why: string; take: number }[] = [];
  for (const o of owners) {
    const c = candidates.get(o.id) as Candidate;
    const cap = c.availability.maxOpenLeads;
    if (isAwayAt(c.availability, at)) sources.push({ userId: o.id, name: o.name, why: `away${c.availability.until ? ` until ${c.availability.until}` : ''}`, take: c.openLeads });
    else if (cap !== null && c.openLeads > cap) sources.push({ userId: o.id, name: o.name, why: `over capacity (${c.openLeads}/${cap} open leads)`, take: c.openLeads - cap });
    else if (named) sources.push({ userId: o.id, name: o.name, why: 'named in the request', take: c.openLeads });
  }
  const leads: SourceLead[] = [];
  for (const s of sources) {
    if (leads.length >= limit || s.take <= 0) continue;
    // Newest open leads first: the ones least worked on move.
    const { rows } = await pool.query<{ id: string }>(
      `SELECT l.id FROM read.leads l JOIN read.stages st ON st.id = l.stage_id WHERE l.owner_id = $1 AND NOT st.is_won AND NOT st.is_lost ORDER BY l.created_at DESC, l.id LIMIT $2`,
      [s.userId, Math.min(s.take, limit - leads.length)],
    );
    for (const { id } of rows) {
      const lead = await loadAggregate(store, leadStream(id), leadAggregate);
      if (lead.state.status === 'active' && lead.state.ownerId === s.userId) leads.push({ leadId: id, leadName: leadName(lead.state), fromUserId: s.userId, fields: lead.state.fields });
    }
  }
  return { sources, leads, candidates };
}

/** The current rules, teams, candidates (the relieved users among them) and round-robin cursors. */
async function loadPlanFacts(store: EventStore, pool: pg.Pool, at: string, sourceIds: string[]): Promise<PlanFacts> {
  const rules = await loadRulesAsOf(store);
  const teamIds = [...new Set(rules.map((r) => r.teamId).filter((t): t is string => t !== null))];
  const members = new Map(await Promise.all(teamIds.map(async (t) => [t, await loadTeamMembers(store, t)] as const)));
  const userIds = [...rules.flatMap((r) => (r.userId ? [r.userId] : [])), ...[...members.values()].flatMap((m) => m ?? []), ...sourceIds];
  const candidates = await loadCandidates(store, pool, userIds);
  const lastTurns = new Map(await Promise.all(rules.map(async (r) => [r.id, (await loadAggregate(store, turnStream(r.id), turnAggregate)).state.lastUserId] as const)));
  return { at, rules, members, candidates, lastTurns, sources: new Set(sourceIds) };
}

export async function planNow(store: EventStore, pool: pg.Pool, named: string[] | undefined, at: string, limit: number) {
  // The plan reads owners' open leads from the read model: let it catch up with every event committed
  // so far (not only the readable head, which stops below any transaction still open in the cluster).
  await waitForLeadCards(pool, await store.committedCheckpoint());
  const { sources, leads } = await sourceLeads(store, pool, named, at, limit);
  const planned = planRedistribution(leads, await loadPlanFacts(store, pool, at, sources.map((s) => s.userId)));
  return { sources: sources.map(({ userId, name, why }) => ({ userId, name, why })), ...planned };
}

/** The rule behind each confirmed move (see `attributeMoves`), judged by the rules now. */
async function attributeConfirmed(store: EventStore, pool: pg.Pool, at: string, confirmed: { leadId: string; fromUserId: string; toUserId: string }[]) {
  const facts = await loadPlanFacts(store, pool, at, [...new Set(confirmed.map((m) => m.fromUserId))]);
  const moves = [];
  for (const m of confirmed) {
    const lead = await loadAggregate(store, leadStream(m.leadId), leadAggregate);
    moves.push({ ...m, fields: lead.state.status === 'active' ? lead.state.fields : null });
  }
  const known = moves.flatMap((m) => (m.fields ? [{ ...m, fields: m.fields }] : []));
  const attributed = new Map(attributeMoves(known, facts).map((a, i) => [known[i].leadId, a]));
  return confirmed.map((m) => attributed.get(m.leadId) ?? { ruleId: null, ruleName: null });
}

const moveCommandId = (redistributionId: string, leadId: string) => deterministicId(`redistribution:${redistributionId}:${leadId}`);
const undoCommandId = (redistributionId: string, leadId: string) => deterministicId(`redistribution-undo:${redistributionId}:${leadId}`);

type Stored = EventData<'LeadsRedistributed'>;

async function executeMoves(store: EventStore, id: string, moves: Stored['moves'], base: Omit<CommandMetadata, 'commandId'>) {
  const results: { leadId: string; outcome: 'moved' | 'skipped'; reason: string | null }[] = [];
  const streams: StreamOutcome[] = [];
  const leadNames = new Map<string, string>();
  const owners = new Map<string, Awaited<ReturnType<typeof loadUser>>>();
  const rules = new Map((await loadRulesAsOf(store)).map((r) => [r.id, r]));
  for (const m of moves) {
    const metadata = { ...base, correlationId: id, commandId: moveCommandId(id, m.leadId) };
    if (!owners.has(m.toUserId)) owners.set(m.toUserId, await loadUser(store, m.toUserId));
    let skipped: string | null = null;
    const outcome = await handleCommand(store, {
      streamId: leadStream(m.leadId),
      aggregate: leadAggregate,
      metadata,
      decide: (loaded) => {
        leadNames.set(m.leadId, leadName(loaded.state));
        if (loaded.state.status !== 'active') return (skipped = 'the lead no longer exists'), [];
        if (loaded.state.ownerId !== m.fromUserId) return (skipped = 'its owner changed since the plan'), [];
        const how = { via: 'redistribution' as const, ruleId: m.ruleId, ruleName: m.ruleName, matched: [] };
        return decide({ type: 'AssignLead', data: { leadId: m.leadId, ownerId: m.toUserId, reason: m.reason, how }, context: { owner: owners.get(m.toUserId) as never }, metadata }, loaded.state);
      },
    });
    streams.push(outcome);
    results.push({ leadId: m.leadId, outcome: skipped ? 'skipped' : 'moved', reason: skipped });
    // A move by a round-robin (or team) rule takes that rule's turn, so routing carries on after the target.
    const turn = skipped ? null : turnFor(m.ruleId ? rules.get(m.ruleId) : undefined);
    if (turn) await takeRedistributionTurn(store, { redistributionId: id, leadId: m.leadId, toUserId: m.toUserId, turn, metadata: base });
  }
  const userName = async (id: string) => {
    const u = owners.get(id) ?? (await loadUser(store, id));
    owners.set(id, u);
    return u.status === 'active' ? u.name : id;
  };
  const named = [];
  for (const m of moves)
    named.push({ leadId: m.leadId, leadName: leadNames.get(m.leadId) || m.leadId, fromUserId: m.fromUserId, fromName: await userName(m.fromUserId), toUserId: m.toUserId, toName: await userName(m.toUserId), ruleName: m.ruleName, reason: m.reason });
  return { results, streams, named };
}

const maxCheckpoint = (streams: StreamOutcome[]) => streams.reduce((max, s) => (s.checkpoint > max ? s.checkpoint : max), '');

export function registerRedistributionRoutes(app: App, deps: RouteDeps): void {
  const store = deps.eventStore;
  app.post(
    '/api/assignments/redistribute',
    {
      schema: {
        tags: ['assignment'],
        summary: 'Move leads from away or overloaded users to others by the rules (dry run, then confirm)',
        description:
          'dryRun (default true) answers the plan and a redistributionId, writing nothing. Send dryRun false with that redistributionId and the moves to execute them: ' +
          'the plan is recorded in `redistribution-<id>` and every move is its own LeadAssigned (via redistribution). A lead whose owner changed since the plan is skipped. ' +
          'Confirming the same redistributionId again finishes an interrupted run and moves nothing twice.',
        headers: changeHeaders,
        body: redistributeBody,
        response: { 200: redistributionPlan, ...problems(400, 401, 403, 409, 503) },
      },
    },
    (request, reply) =>
      executeCommand<RedistributionPlan>(request, reply, deps, 'RedistributeLeads', async ({ metadata }) => {
        assertManager(metadata.actor, 'redistribute leads');
        const body = request.body;
        if (body.dryRun) {
          const plan = await planNow(store, deps.pool, body.fromUserIds, metadata.occurredAt, body.limit);
          const moves = plan.moves.map(({ ruleId: _r, ...m }) => m);
          return { status: 200, body: { redistributionId: crypto.randomUUID() as string, dryRun: true, moves, kept: plan.kept, sources: plan.sources, checkpoint: '' }, streams: [] };
        }
        const id = body.redistributionId as string;
        const streamId = redistributionStream(id);
        let existing = await store.readStream(streamId);
        let recorded: Stored;
        if (existing.length) recorded = payloadOf(existing[0]).data as Stored;
        else {
          const confirmed = body.moves ?? [];
          const errors: { field: string; message: string }[] = [];
          const names = new Map<string, string>();
          for (const [i, m] of confirmed.entries()) {
            const to = await loadUser(store, m.toUserId);
            if (!canOwnLeads(to)) errors.push({ field: `body.moves.${i}.toUserId`, message: `user ${m.toUserId} does not exist or may not own leads` });
            if (m.toUserId === m.fromUserId) errors.push({ field: `body.moves.${i}.toUserId`, message: 'a move goes to another user' });
            const from = await loadUser(store, m.fromUserId);
            names.set(m.fromUserId, from.status === 'active' ? from.name : m.fromUserId);
          }
          if (new Set(confirmed.map((m) => m.leadId)).size !== confirmed.length) errors.push({ field: 'body.moves', message: 'a lead is moved twice' });
          if (errors.length) throw new ValidationError('Invalid redistribution', errors);
          const rules = await attributeConfirmed(store, deps.pool, metadata.occurredAt, confirmed);
          recorded = { redistributionId: id, moves: confirmed.map((m, i) => ({ ...m, reason: `redistribution: moved from ${names.get(m.fromUserId)}`, ...rules[i] })) };
          const loaded = { streamId, state: null, version: 0, checkpoint: '', events: [] };
          try {
            await appendDecided(store, loaded, [{ type: 'LeadsRedistributed', data: recorded }], { ...metadata, correlationId: id, commandId: deterministicId(`redistribution:${id}`) });
          } catch (err) {
            if (!(err instanceof ConcurrencyError)) throw err;
            existing = await store.readStream(streamId);
            recorded = payloadOf(existing[0]).data as Stored;
          }
        }
        const { results, streams, named } = await executeMoves(store, id, recorded.moves, metadata);
        return { status: 200, body: { redistributionId: id, dryRun: false, moves: named, kept: [], sources: [], results, checkpoint: maxCheckpoint(streams) }, streams };
      }),
  );

  app.post(
    '/api/assignments/redistributions/:id/undo',
    {
      schema: {
        tags: ['assignment'],
        summary: 'Undo a redistribution',
        description: 'Gives each moved lead back to its previous owner when the lead has not changed owner since the move (else it is skipped, with why). Undoing again answers the same result.',
        headers: changeHeaders,
        params: redistributionIdParams,
        response: { 200: undoResponse, ...problems(400, 401, 403, 404, 409, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'UndoRedistribution', async ({ metadata }) => {
        assertManager(metadata.actor, 'undo redistributions');
        const id = request.params.id;
        const streamId = redistributionStream(id);
        const events = await store.readStream(streamId);
        if (events.length === 0) throw new NotFoundError(`No redistribution ${id}`);
        const undone = events.find((e) => e.type === 'RedistributionUndone');
        if (undone) {
          const d = payloadOf(undone).data as EventData<'RedistributionUndone'>;
          const skipped = new Map(d.skipped.map((x) => [x.leadId, x.reason]));
          const results = (payloadOf(events[0]).data as Stored).moves.map((m) =>
            skipped.has(m.leadId) ? { leadId: m.leadId, outcome: 'skipped' as const, reason: skipped.get(m.leadId) as string } : { leadId: m.leadId, outcome: 'restored' as const, reason: null },
          );
          return { status: 200, body: { redistributionId: id, results, checkpoint: undone.checkpoint }, streams: [] };
        }
        const recorded = payloadOf(events[0]).data as Stored;
        const results: { leadId: string; outcome: 'restored' | 'skipped'; reason: string | null }[] = [];
        const streams: StreamOutcome[] = [];
        for (const m of recorded.moves) {
          const cmd = { ...metadata, correlationId: id, commandId: undoCommandId(id, m.leadId) };
          const previous = await loadUser(store, m.fromUserId);
          let skipped: string | null = null;
          const outcome = await handleCommand(store, {
            streamId: leadStream(m.leadId),
            aggregate: leadAggregate,
            metadata: cmd,
            decide: (loaded) => {
              const assignments = loaded.events.filter((e) => e.type === 'LeadAssigned');
              const lastBy = assignments[assignments.length - 1]?.metadata.commandId;
              if (loaded.state.status !== 'active') return (skipped = 'the lead no longer exists'), [];
              if (lastBy !== moveCommandId(id, m.leadId)) return (skipped = lastBy === undefined || !assignments.some((e) => e.metadata.commandId === moveCommandId(id, m.leadId)) ? 'the move was not made' : 'its owner changed since the redistribution'), [];
              if (!canOwnLeads(previous)) return (skipped = 'the previous owner may no longer own leads'), [];
              const how = { via: 'redistribution' as const, ruleId: null, ruleName: null, matched: [] };
              return decide({ type: 'AssignLead', data: { leadId: m.leadId, ownerId: m.fromUserId, reason: `undo of redistribution ${id.slice(0, 8)}`, how }, context: { owner: previous }, metadata: cmd }, loaded.state);
            },
          });
          streams.push(outcome);
          results.push({ leadId: m.leadId, outcome: skipped ? 'skipped' : 'restored', reason: skipped });
        }
        const data = { redistributionId: id, restored: results.filter((r) => r.outcome === 'restored').map((r) => r.leadId), skipped: results.flatMap((r) => (r.outcome === 'skipped' ? [{ leadId: r.leadId, reason: r.reason as string }] : [])) };
        const appended = await handleCommand(store, { streamId, aggregate: redistributionAggregate, metadata: { ...metadata, correlationId: id, commandId: deterministicId(`redistribution-undone:${id}`) }, decide: (l) => (l.events.some((e) => e.type === 'RedistributionUndone') ? [] : [{ type: 'RedistributionUndone', data }]) });
        streams.push(appended);
        return { status: 200, body: { redistributionId: id, results, checkpoint: maxCheckpoint(streams) }, streams };
      }),
  );
}
