import type { EventType } from '@leadline/contracts';
import { defineProjection, type HandlerContext, type ProjectedEvent } from '../../engine/types.ts';

const HISTORY_COLUMNS = 'id, lead_id, position, kind, occurred_at, previous_owner_id, owner_id, actor_id, via, rule_id, rule_name, matched, reason';
const HISTORY_RECORD = 'id uuid, lead_id uuid, position text, kind text, occurred_at timestamptz, previous_owner_id uuid, owner_id uuid, actor_id text, via text, rule_id uuid, rule_name text, matched jsonb, reason text';

type HistoryRow = {
  id: string; lead_id: string; position: string; kind: 'created' | 'assigned' | 'unrouted'; occurred_at: string;
  previous_owner_id: string | null; owner_id: string | null; actor_id: string; via: string; rule_id: string | null; rule_name: string | null;
  matched: unknown; reason: string | null;
};

const HISTORY_TYPES = ['LeadCreated', 'LeadAssigned', 'LeadRouted'] as const;
/** Every other type the projection handles: one statement each, in handleSetting (exhaustive). */
const SETTING_TYPES = ['TeamSaved', 'AssignmentRuleSaved', 'AssignmentRuleDeleted', 'AssignmentRulesReordered', 'UserAvailabilitySet', 'UserCapacitySet', 'LeadsRedistributed', 'RedistributionUndone'] as const;
type SettingEvent = (typeof SETTING_TYPES)[number];
const HISTORY_EVENTS = new Set<EventType>(HISTORY_TYPES);

/** The assignment-history entry an event makes, if any (the many events of a bulk load or a burst). */
function historyRow(event: ProjectedEvent): HistoryRow | null {
  const base = { id: event.eventId, position: event.checkpoint, occurred_at: event.metadata.occurredAt, actor_id: event.metadata.actorId };
  switch (event.type) {
    case 'LeadCreated':
      // A lead created with an owner starts its history with that owner.
      if (event.data.ownerId === null) return null;
      return { ...base, lead_id: event.data.leadId, kind: 'created', previous_owner_id: null, owner_id: event.data.ownerId, via: 'manual', rule_id: null, rule_name: null, matched: [], reason: null };
    case 'LeadAssigned': {
      const d = event.data;
      return { ...base, lead_id: d.leadId, kind: 'assigned', previous_owner_id: d.previousOwnerId, owner_id: d.ownerId, via: d.via, rule_id: d.ruleId, rule_name: d.ruleName, matched: d.matched, reason: d.reason };
    }
    case 'LeadRouted':
      // An assignment's own event carries its story; only a decision that left the lead unassigned is an entry of its own.
      if (event.data.outcome !== 'unassigned') return null;
      return { ...base, lead_id: event.data.leadId, kind: 'unrouted', previous_owner_id: null, owner_id: null, via: 'rule', rule_id: null, rule_name: null, matched: [], reason: event.data.reason };
    default:
      return null;
  }
}


/**
 * Teams, assignment rules, users' availability and capacity, and every lead's assignment history
 * (assignments and routing decisions that left a lead unassigned), for the Assignments page.
 * History entries are written set-based, one statement per batch; the rare settings events one by one.
 */
export const assignmentsProjection = defineProjection({
  name: 'assignments',
  version: 3,
  eventTypes: [...HISTORY_TYPES, ...SETTING_TYPES],
  tables: [
    {
      name: 'teams',
      ddl: (t) => `CREATE TABLE ${t} (id uuid PRIMARY KEY, name text NOT NULL, member_ids uuid[] NOT NULL, version int NOT NULL, updated_at timestamptz NOT NULL)`,
    },
    {
      name: 'assignment_rules',
      ddl: (t) => `CREATE TABLE ${t} (
        id uuid PRIMARY KEY, name text NOT NULL, priority int NOT NULL, is_active boolean NOT NULL, conditions jsonb NOT NULL,
        assignment_type text NOT NULL, team_id uuid, user_id uuid, version int NOT NULL, updated_at timestamptz NOT NULL)`,
    },
    {
      name: 'user_routing',
      ddl: (t) => `CREATE TABLE ${t} (
        user_id uuid PRIMARY KEY, status text NOT NULL DEFAULT 'available', away_from timestamptz, away_until timestamptz,
        set_at timestamptz, max_open_leads int)`,
    },
    {
      name: 'assignment_history',
      ddl: (t) => `CREATE TABLE ${t} (
        id uuid PRIMARY KEY, lead_id uuid NOT NULL, position text COLLATE "C" NOT NULL, kind text NOT NULL, occurred_at timestamptz NOT NULL,
        previous_owner_id uuid, owner_id uuid, actor_id text NOT NULL, via text NOT NULL, rule_id uuid, rule_name text,
        matched jsonb NOT NULL, reason text)`,
      indexes: (t) => [`CREATE INDEX ON ${t} (lead_id, position)`],
    },
    {
      name: 'redistributions',
      ddl: (t) => `CREATE TABLE ${t} (
        id uuid PRIMARY KEY, position text COLLATE "C" NOT NULL, occurred_at timestamptz NOT NULL, actor_id text NOT NULL, moves int NOT NULL,
        undone_at timestamptz, restored int)`,
    },
  ],
  async handleBatch(ctx, events) {
    const rows: HistoryRow[] = [];
    for (const event of events) {
      if (!HISTORY_EVENTS.has(event.type)) {
        await handleSetting(ctx, event as ProjectedEvent<SettingEvent>);
        continue;
      }
      const row = historyRow(event);
      if (row) rows.push(row);
    }
    if (rows.length === 0) return;
    await ctx.db.query(
      `INSERT INTO ${ctx.table('assignment_history')} (${HISTORY_COLUMNS})
       SELECT ${HISTORY_COLUMNS} FROM jsonb_to_recordset($1::jsonb) AS x(${HISTORY_RECORD}) ON CONFLICT (id) DO NOTHING`,
      [JSON.stringify(rows)],
    );
    for (const leadId of new Set(rows.map((r) => r.lead_id))) ctx.changed('assignment_history', leadId);
  },
});

/** Teams, rules, availability, capacity and redistributions: few events, one statement each. */

async function handleSetting(ctx: HandlerContext, event: ProjectedEvent<SettingEvent>): Promise<void> {
  const at = event.metadata.occurredAt;
  switch (event.type) {
    case 'TeamSaved': {
      const d = event.data;
      await ctx.db.query(
        `INSERT INTO ${ctx.table('teams')} (id, name, member_ids, version, updated_at) VALUES ($1, $2, $3::uuid[], $4, $5)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, member_ids = EXCLUDED.member_ids, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at`,
        [d.teamId, d.name, d.memberIds, event.streamVersion, at],
      );
      ctx.changed('teams', d.teamId);
      return;
    }
    case 'AssignmentRuleSaved': {
      const d = event.data;
      await ctx.db.query(
        `INSERT INTO ${ctx.table('assignment_rules')} (id, name, priority, is_active, conditions, assignment_type, team_id, user_id, version, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, priority = EXCLUDED.priority, is_active = EXCLUDED.is_active, conditions = EXCLUDED.conditions,
           assignment_type = EXCLUDED.assignment_type, team_id = EXCLUDED.team_id, user_id = EXCLUDED.user_id, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at`,
        [d.ruleId, d.name, d.priority, d.isActive, JSON.stringify(d.conditions), d.assignmentType, d.teamId, d.userId, event.streamVersion, at],
      );
      ctx.changed('assignment_rules', d.ruleId);
      return;
    }
    case 'AssignmentRuleDeleted':
      await ctx.db.query(`DELETE FROM ${ctx.table('assignment_rules')} WHERE id = $1`, [event.data.ruleId]);
      ctx.changed('assignment_rules', event.data.ruleId);
      return;
    case 'AssignmentRulesReordered':
      await ctx.db.query(
        `UPDATE ${ctx.table('assignment_rules')} r SET priority = o.n * 10, version = $2, updated_at = $3 FROM unnest($1::uuid[]) WITH ORDINALITY AS o(id, n) WHERE r.id = o.id`,
        [event.data.ruleIds, event.streamVersion, at],
      );
      for (const id of event.data.ruleIds) ctx.changed('assignment_rules', id);
      return;
    case 'UserAvailabilitySet': {
      const d = event.data;
      await ctx.db.query(
        `INSERT INTO ${ctx.table('user_routing')} (user_id, status, away_from, away_until, set_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (user_id) DO UPDATE SET status = EXCLUDED.status, away_from = EXCLUDED.away_from, away_until = EXCLUDED.away_until, set_at = EXCLUDED.set_at`,
        [d.userId, d.status, d.from, d.until, at],
      );
      ctx.changed('user_routing', d.userId);
      return;
    }
    case 'UserCapacitySet':
      await ctx.db.query(
        `INSERT INTO ${ctx.table('user_routing')} (user_id, max_open_leads) VALUES ($1, $2) ON CONFLICT (user_id) DO UPDATE SET max_open_leads = EXCLUDED.max_open_leads`,
        [event.data.userId, event.data.maxOpenLeads],
      );
      ctx.changed('user_routing', event.data.userId);
      return;
    case 'LeadsRedistributed':
      await ctx.db.query(
        `INSERT INTO ${ctx.table('redistributions')} (id, position, occurred_at, actor_id, moves) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`,
        [event.data.redistributionId, event.checkpoint, at, event.metadata.actorId, event.data.moves.length],
      );
      ctx.changed('redistributions', event.data.redistributionId);
      return;
    case 'RedistributionUndone':
      await ctx.db.query(`UPDATE ${ctx.table('redistributions')} SET undone_at = $2, restored = $3 WHERE id = $1`, [event.data.redistributionId, at, event.data.restored.length]);
      ctx.changed('redistributions', event.data.redistributionId);
      return;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

