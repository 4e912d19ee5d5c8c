import { buildFieldView, defaultFieldPolicy, type FieldPolicy, type FieldView } from '@leadline/contracts';
import type { Principal } from '@leadline/platform';
import type pg from 'pg';

/** The policy in force and the team memberships its rules need, as read at one moment. */
export type FieldSnapshot = {
  policy: FieldPolicy;
  version: number;
  updatedAt: string | null;
  updatedBy: string | null;
  teamsOf: (userId: string) => readonly string[];
  membersOf: (teamId: string) => readonly string[];
};

/** A viewer's field permissions plus team members, which the search SQL needs. */
export type LeadFieldView = FieldView & { membersOf: (teamId: string) => readonly string[] };

const none: readonly string[] = [];
const DEFAULT_SNAPSHOT: FieldSnapshot = { policy: defaultFieldPolicy, version: 0, updatedAt: null, updatedBy: null, teamsOf: () => none, membersOf: () => none };

/** After this long a snapshot is read again even without a change notice (one lost NOTIFY stays wrong at most this long). */
export const FIELD_POLICY_MAX_AGE_MS = 5_000;

// 42P01/3F000: no such table or schema yet (the projector has not run); 42703: read.users without team_id (an older projection).
const missingTable = (err: unknown): boolean => ['42P01', '3F000', '42703'].includes((err as { code?: string }).code ?? '');

async function readSnapshot(pool: pg.Pool): Promise<FieldSnapshot> {
  const [policyRows, teamRows, homeRows] = await Promise.all([
    pool
      .query<{ rules: FieldPolicy['rules']; custom_fields: FieldPolicy['customFields']; version: number; updated_at: Date; updated_by: string }>(
        `SELECT rules, custom_fields, version, updated_at, updated_by FROM read.field_policy WHERE id = 'default'`,
      )
      .then((r) => r.rows)
      .catch((err) => (missingTable(err) ? [] : Promise.reject(err))),
    pool
      .query<{ id: string; member_ids: string[] }>('SELECT id, member_ids FROM read.teams')
      .then((r) => r.rows)
      .catch((err) => (missingTable(err) ? [] : Promise.reject(err))),
    pool
      .query<{ id: string; team_id: string }>('SELECT id, team_id FROM read.users WHERE team_id IS NOT NULL')
      .then((r) => r.rows)
      .catch((err) => (missingTable(err) ? [] : Promise.reject(err))),
  ]);
  // A user's teams: the teams that list them as members, and their home team (PUT /api/users/:id).
  const byUser = new Map<string, Set<string>>();
  const byTeam = new Map<string, Set<string>>();
  const join = (userId: string, teamId: string) => {
    byUser.set(userId, (byUser.get(userId) ?? new Set()).add(teamId));
    byTeam.set(teamId, (byTeam.get(teamId) ?? new Set()).add(userId));
  };
  for (const team of teamRows) for (const member of team.member_ids) join(member, team.id);
  for (const user of homeRows) join(user.id, user.team_id);
  const list = (set: Set<string> | undefined): readonly string[] => (set ? [...set] : none);
  const row = policyRows[0];
  return {
    policy: row ? { rules: row.rules, customFields: row.custom_fields } : defaultFieldPolicy,
    version: row ? Number(row.version) : 0,
    updatedAt: row ? row.updated_at.toISOString() : null,
    updatedBy: row?.updated_by ?? null,
    teamsOf: (id) => list(byUser.get(id)),
    membersOf: (id) => list(byTeam.get(id)),
  };
}

/**
 * The query side's copy of the field policy (read.field_policy) and of team memberships
 * (read.teams, and home teams from read.users). Dropped on every change notice of field_policy,
 * assignments or users and when the
 * change feed reconnects; read again at most FIELD_POLICY_MAX_AGE_MS after the last read anyway.
 */
export class FieldPolicyCache {
  private snapshot = DEFAULT_SNAPSHOT;
  private readAt = 0;
  private generation = 0;
  /** The read in flight and the generation it started in: a read begun before an invalidate is not handed out after it. */
  private loading: { generation: number; snapshot: Promise<FieldSnapshot> } | null = null;

  constructor(private readonly pool: pg.Pool, private readonly maxAgeMs = FIELD_POLICY_MAX_AGE_MS) {}

  invalidate(): void {
    this.readAt = 0;
    this.generation++;
  }

  async get(): Promise<FieldSnapshot> {
    if (Date.now() - this.readAt < this.maxAgeMs) return this.snapshot;
    if (this.loading?.generation !== this.generation) {
      const loading = { generation: this.generation, snapshot: this.load() };
      this.loading = loading;
      void loading.snapshot.finally(() => {
        if (this.loading === loading) this.loading = null;
      }).catch(() => undefined);
    }
    return this.loading.snapshot;
  }

  /** The last snapshot read (the live hub's synchronous sends; it calls get() before each fan-out). */
  current(): FieldSnapshot {
    return this.snapshot;
  }

  async viewFor(principal: Pick<Principal, 'userId' | 'role'>): Promise<LeadFieldView> {
    return viewOf(await this.get(), principal);
  }

  private async load(): Promise<FieldSnapshot> {
    const generation = this.generation;
    const snapshot = await readSnapshot(this.pool);
    // A newer read (started after an invalidate) may have finished first: keep the newest.
    if (generation < this.generation && this.readAt !== 0) return snapshot;
    this.snapshot = snapshot;
    // Invalidated while reading: what was read may predate the change.
    this.readAt = generation === this.generation ? Date.now() : 0;
    return snapshot;
  }
}

export function viewOf(snapshot: FieldSnapshot, principal: Pick<Principal, 'userId' | 'role'>): LeadFieldView {
  const view = buildFieldView(snapshot.policy, { userId: principal.userId, role: principal.role, teamIds: snapshot.teamsOf(principal.userId) }, snapshot.teamsOf);
  return { ...view, membersOf: snapshot.membersOf };
}
