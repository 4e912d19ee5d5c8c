import crypto from 'node:crypto';
import { CHANGE_CHANNEL, defaultStages, type ChangeNotice, type Role } from '@leadline/contracts';
import { runMigrations, saveAccount, SessionStore, sessionMigrations } from '@leadline/platform';
import type pg from 'pg';
import { DEFAULT_PROJECTIONS } from '../projections.ts';

export const TEST_SECRET = 'query-service-test-secret-0123456789abcdef';

/**
 * The read model as docs/architecture.md lists it (views over generation-1 tables) and the
 * projector's state table, built with plain SQL so that the query service's tests do not
 * depend on the projector. Rows are written the way the projections write them.
 */
const READ_MODEL_DDL = `
CREATE SCHEMA IF NOT EXISTS read;
CREATE TABLE read.users__g1 (id uuid PRIMARY KEY, email text NOT NULL, name text NOT NULL, role text NOT NULL, team_id uuid,
  disabled boolean NOT NULL DEFAULT false, time_zone text, version int NOT NULL DEFAULT 1, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE read.pipelines__g1 (id uuid PRIMARY KEY, name text NOT NULL, is_default boolean NOT NULL, is_archived boolean NOT NULL DEFAULT false,
  lost_reasons jsonb NOT NULL DEFAULT '[]', allow_free_text_lost_reason boolean NOT NULL DEFAULT true, version int NOT NULL DEFAULT 1, created_at timestamptz NOT NULL);
CREATE TABLE read.stages__g1 (
  id uuid PRIMARY KEY, pipeline_id uuid NOT NULL, name text NOT NULL, color text NOT NULL, order_position int NOT NULL,
  is_active boolean NOT NULL, is_won boolean NOT NULL, is_lost boolean NOT NULL, probability int NOT NULL, rotting_days int);
CREATE TABLE read.leads__g1 (
  id uuid PRIMARY KEY, pipeline_id uuid NOT NULL, stage_id uuid NOT NULL, rank text COLLATE "C" NOT NULL,
  first_name text, last_name text, email text, phone text, company text, title text, source text, industry text,
  country text, city text, company_size text, deal_value numeric(15,2), expected_close_date date, probability int,
  custom_fields jsonb NOT NULL DEFAULT '{}', owner_id uuid, lost_reason text, won_at timestamptz,
  stage_entered_at timestamptz NOT NULL, version int NOT NULL, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL,
  activity_at timestamptz, forgotten_at timestamptz, touched_at timestamptz GENERATED ALWAYS AS (GREATEST(updated_at, activity_at)) STORED);
CREATE INDEX ON read.leads__g1 (stage_id, rank, id);
CREATE INDEX ON read.leads__g1 (owner_id);
CREATE INDEX ON read.leads__g1 (pipeline_id);
CREATE INDEX ON read.leads__g1 (stage_id, stage_entered_at);
CREATE INDEX ON read.leads__g1 (stage_id, touched_at);
CREATE TABLE read.stage_totals__g1 (
  stage_id uuid PRIMARY KEY, pipeline_id uuid NOT NULL, lead_count int NOT NULL, total_value numeric(15,2) NOT NULL, weighted_value numeric(17,2) NOT NULL);
CREATE VIEW read.users AS SELECT * FROM read.users__g1;
CREATE VIEW read.pipelines AS SELECT * FROM read.pipelines__g1;
CREATE VIEW read.stages AS SELECT * FROM read.stages__g1;
CREATE VIEW read.leads AS SELECT * FROM read.leads__g1;
CREATE VIEW read.stage_totals AS SELECT * FROM read.stage_totals__g1;
`;

const PROJECTOR_DDL = `
CREATE SCHEMA IF NOT EXISTS projector;
CREATE TABLE projector.projections (
  name text PRIMARY KEY, version int NOT NULL, generation int NOT NULL, checkpoint text NOT NULL DEFAULT '',
  status text NOT NULL, error text, failed_event_id uuid, heartbeat_at timestamptz, updated_at timestamptz NOT NULL DEFAULT now());
`;

/** A checkpoint in the event store's format: 40 digits, lexical order = log order. */
export const cp = (n: number): string => String(n).padStart(40, '0');

/** The read model, and the command side's accounts and sessions that every request is checked against. */
export async function createReadModel(pool: pg.Pool): Promise<void> {
  await pool.query(READ_MODEL_DDL);
  await runMigrations(pool, 'sessions', sessionMigrations);
}

export async function createProjectorState(pool: pg.Pool): Promise<void> {
  await pool.query(PROJECTOR_DDL);
}

/** Marks projections as running at a checkpoint with a fresh heartbeat (no notice sent). */
export async function markRunning(pool: pg.Pool, checkpoint: string, names: string[] = DEFAULT_PROJECTIONS): Promise<void> {
  for (const name of names) {
    await pool.query(
      `INSERT INTO projector.projections (name, version, generation, checkpoint, status, heartbeat_at) VALUES ($1, 1, 1, $2, 'running', now())
       ON CONFLICT (name) DO UPDATE SET checkpoint = EXCLUDED.checkpoint, status = 'running', error = NULL, failed_event_id = NULL, heartbeat_at = now(), updated_at = now()`,
      [name, checkpoint],
    );
  }
}

/** What the projector does after a batch: store the checkpoint and NOTIFY, in one transaction. */
export async function publish(pool: pg.Pool, notice: ChangeNotice): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`UPDATE projector.projections SET checkpoint = $2, heartbeat_at = now(), updated_at = now() WHERE name = $1`, [notice.projection, notice.checkpoint]);
    await client.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, JSON.stringify(notice)]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}

/** `token` is a live session of the user's (an hour long). */
export type TestUser = { id: string; email: string; name: string; role: Role; token: string };

/** A user as the users projection and the command side write them (read model row, account), signed in. */
export async function insertUser(pool: pg.Pool, user: Partial<Omit<TestUser, 'token'>> & { name: string; role: Role }): Promise<TestUser> {
  const row = { id: user.id ?? crypto.randomUUID(), email: user.email ?? `${user.name.toLowerCase().replace(/\W+/g, '.')}@example.com`, name: user.name, role: user.role };
  await pool.query('INSERT INTO read.users__g1 (id, email, name, role, created_at) VALUES ($1, $2, $3, $4, now())', [row.id, row.email, row.name, row.role]);
  await saveAccount(pool, { userId: row.id, email: row.email, name: row.name, role: row.role, teamId: null, disabled: false, version: 1 });
  const { token } = await new SessionStore(pool, TEST_SECRET).issue({ userId: row.id, ttlSeconds: 3600, userAgent: 'test' });
  return { ...row, token };
}

export type TestStage = { id: string; name: string; probability: number; orderPosition: number };

/** The default pipeline with the default stages, in order. */
export async function insertDefaultPipeline(pool: pg.Pool): Promise<{ pipelineId: string; stages: TestStage[] }> {
  const pipelineId = crypto.randomUUID();
  await pool.query(`INSERT INTO read.pipelines__g1 (id, name, is_default, created_at) VALUES ($1, 'Sales', true, now())`, [pipelineId]);
  const stages: TestStage[] = [];
  for (const [i, s] of defaultStages.entries()) {
    const stage = await insertStage(pool, { pipelineId, name: s.name, color: s.color, probability: s.probability, isWon: s.isWon, isLost: s.isLost, orderPosition: (i + 1) * 10 });
    stages.push(stage);
  }
  return { pipelineId, stages };
}

export async function insertStage(
  pool: pg.Pool,
  s: { pipelineId: string; name: string; color?: string; probability?: number; isWon?: boolean; isLost?: boolean; orderPosition: number },
): Promise<TestStage> {
  const id = crypto.randomUUID();
  const probability = s.probability ?? 10;
  await pool.query(
    `INSERT INTO read.stages__g1 (id, pipeline_id, name, color, order_position, is_active, is_won, is_lost, probability) VALUES ($1, $2, $3, $4, $5, true, $6, $7, $8)`,
    [id, s.pipelineId, s.name, s.color ?? '#64748B', s.orderPosition, s.isWon ?? false, s.isLost ?? false, probability],
  );
  await pool.query('INSERT INTO read.stage_totals__g1 (stage_id, pipeline_id, lead_count, total_value, weighted_value) VALUES ($1, $2, 0, 0, 0)', [id, s.pipelineId]);
  return { id, name: s.name, probability, orderPosition: s.orderPosition };
}

export type TestLead = {
  id: string;
  pipelineId: string;
  stageId: string;
  rank: string;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  email: string | null;
  dealValue: number | null;
  probability: number | null;
  ownerId: string | null;
  createdAt: string;
};

export async function insertLead(pool: pg.Pool, lead: Partial<TestLead> & { pipelineId: string; stageId: string }): Promise<TestLead> {
  const row: TestLead = {
    id: lead.id ?? crypto.randomUUID(),
    pipelineId: lead.pipelineId,
    stageId: lead.stageId,
    rank: lead.rank ?? 'U',
    firstName: lead.firstName === undefined ? 'Ada' : lead.firstName,
    lastName: lead.lastName === undefined ? 'Lovelace' : lead.lastName,
    company: lead.company === undefined ? 'Analytical Engines' : lead.company,
    email: lead.email ?? null,
    dealValue: lead.dealValue === undefined ? 1000 : lead.dealValue,
    probability: lead.probability ?? null,
    ownerId: lead.ownerId ?? null,
    createdAt: lead.createdAt ?? new Date().toISOString(),
  };
  await pool.query(
    `INSERT INTO read.leads__g1 (id, pipeline_id, stage_id, rank, first_name, last_name, company, email, deal_value, probability, owner_id,
       custom_fields, stage_entered_at, version, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, '{}', $12, 1, $12, $12)`,
    [row.id, row.pipelineId, row.stageId, row.rank, row.firstName, row.lastName, row.company, row.email, row.dealValue, row.probability, row.ownerId, row.createdAt],
  );
  return row;
}

/** Changes a lead the way the lead_cards projection does (bumping its version). */
export async function updateLead(pool: pg.Pool, id: string, change: { ownerId?: string | null; stageId?: string; rank?: string; dealValue?: number | null }): Promise<void> {
  const sets: string[] = ['version = version + 1', 'updated_at = now()'];
  const params: unknown[] = [id];
  const set = (column: string, value: unknown) => {
    params.push(value);
    sets.push(`${column} = $${params.length}`);
  };
  if (change.ownerId !== undefined) set('owner_id', change.ownerId);
  if (change.stageId !== undefined) set('stage_id', change.stageId);
  if (change.rank !== undefined) set('rank', change.rank);
  if (change.dealValue !== undefined) set('deal_value', change.dealValue);
  await pool.query(`UPDATE read.leads__g1 SET ${sets.join(', ')} WHERE id = $1`, params);
}

/** Recomputes read.stage_totals from the leads, as the stage_totals projection keeps it. */
export async function refreshStageTotals(pool: pg.Pool): Promise<void> {
  await pool.query(`
    UPDATE read.stage_totals__g1 t SET
      lead_count = COALESCE(x.n, 0), total_value = COALESCE(x.total, 0), weighted_value = COALESCE(x.weighted, 0)
    FROM read.stages__g1 s
    LEFT JOIN (
      SELECT l.stage_id, count(*) AS n, sum(l.deal_value) AS total, sum(l.deal_value * COALESCE(l.probability, st.probability) / 100.0) AS weighted
      FROM read.leads__g1 l JOIN read.stages__g1 st ON st.id = l.stage_id GROUP BY l.stage_id
    ) x ON x.stage_id = s.id
    WHERE t.stage_id = s.id`);
}
