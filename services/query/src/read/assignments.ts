import type { AssignmentHistoryEntry, RedistributionDto, RuleDto, TeamDto, WorkloadRow } from '@leadline/contracts';
import type pg from 'pg';

export async function listTeams(pool: pg.Pool): Promise<TeamDto[]> {
  const { rows } = await pool.query<{ id: string; name: string; member_ids: string[]; version: number; updated_at: Date }>('SELECT * FROM read.teams ORDER BY lower(name), id');
  return rows.map((r) => ({ id: r.id, name: r.name, memberIds: r.member_ids, version: r.version, updatedAt: r.updated_at.toISOString() }));
}

type RuleRow = { id: string; name: string; priority: number; is_active: boolean; conditions: RuleDto['conditions']; assignment_type: RuleDto['assignmentType']; team_id: string | null; user_id: string | null; version: number; updated_at: Date };

/** In evaluation order: priority, then name, then id (as the router orders them). */
export async function listRules(pool: pg.Pool): Promise<RuleDto[]> {
  const { rows } = await pool.query<RuleRow>('SELECT * FROM read.assignment_rules ORDER BY priority, name COLLATE "C", id');
  return rows.map((r) => ({
    id: r.id, name: r.name, priority: r.priority, isActive: r.is_active, conditions: r.conditions, assignmentType: r.assignment_type,
    teamId: r.team_id, userId: r.user_id, version: r.version, updatedAt: r.updated_at.toISOString(),
  }));
}

export async function listRouting(pool: pg.Pool) {
  const { rows } = await pool.query<{ user_id: string; status: 'available' | 'away'; away_from: Date | null; away_until: Date | null; max_open_leads: number | null }>('SELECT * FROM read.user_routing');
  return rows.map((r) => ({ userId: r.user_id, status: r.status, from: r.away_from?.toISOString() ?? null, until: r.away_until?.toISOString() ?? null, maxOpenLeads: r.max_open_leads }));
}

type HistoryRow = {
  id: string; kind: 'created' | 'assigned' | 'unrouted'; occurred_at: Date; previous_owner_id: string | null; owner_id: string | null; actor_id: string;
  via: AssignmentHistoryEntry['via']; rule_id: string | null; rule_name: string | null; matched: string[]; reason: string | null;
  previous_name: string | null; owner_name: string | null; actor_name: string | null;
};

const VIA_WORDS: Record<AssignmentHistoryEntry['via'], string> = { manual: 'by hand', rule: 'by the routing rules', auto_assign: 'by auto-assign', redistribution: 'by a redistribution' };

/** One entry in words: "Assigned to Ada by rule "DACH" (country is DE), previously unassigned". */
export function summarise(e: Omit<AssignmentHistoryEntry, 'summary'>): string {
  if (e.kind === 'unrouted') return `Left unassigned by the routing rules: ${e.reason ?? 'no rule applied'}`;
  if (e.kind === 'created') return `Owned by ${e.ownerName ?? 'a removed user'} from creation (set by ${e.actorName ?? e.actorId})`;
  const to = e.ownerId === null ? 'Unassigned' : `Assigned to ${e.ownerName ?? 'a removed user'}`;
  const how = e.ruleName ? ` by rule "${e.ruleName}"${e.matched.length ? ` (${e.matched.join(' and ')})` : ''}` : e.via === 'manual' ? ` by ${e.actorName ?? e.actorId}` : ` ${VIA_WORDS[e.via]}${e.actorName ? ` (${e.actorName})` : ''}`;
  const from = e.previousOwnerId === null ? 'previously unassigned' : `previously ${e.previousOwnerName ?? 'a removed user'}`;
  return `${to}${how}; ${from}${e.reason && e.via === 'manual' ? `. Reason: ${e.reason}` : ''}`;
}

export async function assignmentHistory(pool: pg.Pool, leadId: string): Promise<AssignmentHistoryEntry[]> {
  const { rows } = await pool.query<HistoryRow>(
    `SELECT h.*, p.name AS previous_name, o.name AS owner_name, a.name AS actor_name
     FROM read.assignment_history h
     LEFT JOIN read.users p ON p.id = h.previous_owner_id
     LEFT JOIN read.users o ON o.id = h.owner_id
     LEFT JOIN read.users a ON a.id::text = h.actor_id
     WHERE h.lead_id = $1 ORDER BY h.position DESC`,
    [leadId],
  );
  return rows.map((r) => {
    const e = {
      id: r.id, kind: r.kind, at: r.occurred_at.toISOString(), previousOwnerId: r.previous_owner_id, previousOwnerName: r.previous_name, ownerId: r.owner_id, ownerName: r.owner_name,
      actorId: r.actor_id, actorName: r.actor_name ?? (r.actor_id.startsWith('system:') ? 'Leadline routing' : null), via: r.via, ruleId: r.rule_id, ruleName: r.rule_name, matched: r.matched, reason: r.reason,
    };
    return { ...e, summary: summarise(e) };
  });
}

type WorkloadDbRow = {
  id: string; name: string; role: string; open_leads: number; total_value: string; weighted_value: string; rotting: number; by_stage: { stageId: string; stageName: string; count: number }[] | null;
  max_open_leads: number | null; status: string | null; away_from: Date | null; away_until: Date | null; set_at: Date | null; team_ids: string[];
};

/**
 * Per user who may own leads: open leads (not won or lost) by stage, value, rotting, cap and availability
 * at `at`; only `onlyUserId`'s row when given (a rep who sees only their own leads).
 */
export async function workloadAt(pool: pg.Pool, at: Date, onlyUserId?: string): Promise<WorkloadRow[]> {
  const { rows } = await pool.query<WorkloadDbRow>(
    `WITH open AS (
       SELECT l.owner_id, l.stage_id, s.name AS stage_name, s.order_position, coalesce(l.deal_value, 0) AS value,
              coalesce(l.deal_value, 0) * coalesce(l.probability, s.probability, 0) / 100.0 AS weighted,
              (s.rotting_days IS NOT NULL AND l.stage_entered_at < $1::timestamptz - make_interval(days => s.rotting_days)) AS rotting
       FROM read.leads l JOIN read.stages s ON s.id = l.stage_id WHERE l.owner_id IS NOT NULL AND NOT s.is_won AND NOT s.is_lost),
     per_stage AS (SELECT owner_id, stage_id, stage_name, min(order_position) AS pos, count(*)::int AS n FROM open GROUP BY owner_id, stage_id, stage_name)
     SELECT u.id, u.name, u.role,
       (SELECT count(*)::int FROM open o WHERE o.owner_id = u.id) AS open_leads,
       (SELECT coalesce(sum(value), 0) FROM open o WHERE o.owner_id = u.id) AS total_value,
       (SELECT coalesce(sum(weighted), 0) FROM open o WHERE o.owner_id = u.id) AS weighted_value,
       (SELECT count(*)::int FROM open o WHERE o.owner_id = u.id AND o.rotting) AS rotting,
       (SELECT json_agg(json_build_object('stageId', p.stage_id, 'stageName', p.stage_name, 'count', p.n) ORDER BY p.pos) FROM per_stage p WHERE p.owner_id = u.id) AS by_stage,
       r.max_open_leads, r.status, r.away_from, r.away_until, r.set_at,
       coalesce((SELECT array_agg(t.id ORDER BY t.name) FROM read.teams t WHERE u.id = ANY(t.member_ids)), '{}') AS team_ids
     FROM read.users u LEFT JOIN read.user_routing r ON r.user_id = u.id
     WHERE u.role IN ('admin', 'manager', 'rep') AND ($2::uuid IS NULL OR u.id = $2::uuid) ORDER BY lower(u.name), u.id`,
    [at.toISOString(), onlyUserId ?? null],
  );
  return rows.map((r) => {
    const start = r.away_from ?? r.set_at;
    const away = r.status === 'away' && (start === null || start <= at) && (r.away_until === null || at < r.away_until);
    return {
      userId: r.id, name: r.name, role: r.role, openLeads: r.open_leads, byStage: r.by_stage ?? [], totalValue: Number(r.total_value), weightedValue: Math.round(Number(r.weighted_value) * 100) / 100,
      rottingLeads: r.rotting, maxOpenLeads: r.max_open_leads, availability: away ? 'away' : 'available', awayUntil: away ? (r.away_until?.toISOString() ?? null) : null, teamIds: r.team_ids,
    };
  });
}

/** Redistributions, newest first, with whether (and how much of) each was undone. */
export async function listRedistributions(pool: pg.Pool, limit = 50): Promise<RedistributionDto[]> {
  const { rows } = await pool.query<{ id: string; occurred_at: Date; actor_id: string; moves: number; undone_at: Date | null; restored: number | null }>(
    'SELECT * FROM read.redistributions ORDER BY position DESC LIMIT $1',
    [limit],
  );
  return rows.map((r) => ({ id: r.id, at: r.occurred_at.toISOString(), actorId: r.actor_id, moves: r.moves, undoneAt: r.undone_at?.toISOString() ?? null, restored: r.restored }));
}
